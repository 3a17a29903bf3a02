//! The inspector register 检查人员名录库 (R8) through its use cases: lifecycle, never deleted,
//! conflicts by date, every change audited, every refusal with its field and code.

use lianjian_app::App;
use lianjian_domain::inspectors::{
    ConflictReason, InspectorChanges, InspectorFilter, InspectorView, NewInspector,
};
use lianjian_domain::org::{Category, Department};
use lianjian_store::audit::{Actor, AuditFilter};
use time::macros::date;

use lianjian_store::testing::{new_inspector, uscc};

use crate::{fresh, refusal};

fn leader() -> Actor {
    Actor { user: "eeb-leader".into(), department: "EEB".into(), role: "leader".into(), ip: None }
}

async fn three(app: &App) {
    let a = leader();
    app.add_inspector(
        &a,
        new_inspector("EEB-0001", Department::Eeb, &[Category::Water, Category::Air]),
        date!(2025 - 01 - 01),
    )
    .await
    .unwrap();
    app.add_inspector(
        &a,
        new_inspector("EEB-0002", Department::Eeb, &[Category::Noise]),
        date!(2025 - 01 - 01),
    )
    .await
    .unwrap();
    app.add_inspector(
        &a,
        new_inspector("MSA-0001", Department::Msa, &[Category::Water]),
        date!(2025 - 03 - 01),
    )
    .await
    .unwrap();
}

fn codes(v: &[InspectorView]) -> Vec<&str> {
    v.iter().map(|i| i.code.as_str()).collect()
}

fn field_of(e: lianjian_app::Error) -> String {
    refusal(e).0
}

#[tokio::test]
async fn deactivated_inspector_leaves_the_pool_but_stays_in_the_registry() {
    let (_db, app) = fresh().await;
    let s = &app;
    three(s).await;
    assert_eq!(
        codes(&s.store().active_inspectors_on(date!(2025 - 02 - 01)).await.unwrap()),
        ["EEB-0001", "EEB-0002"]
    );

    s.deactivate_inspector(&leader(), "EEB-0001", date!(2025 - 06 - 01), "调离执法岗位").await.unwrap();
    assert_eq!(
        codes(&s.store().active_inspectors_on(date!(2025 - 05 - 31)).await.unwrap()),
        ["EEB-0001", "EEB-0002", "MSA-0001"]
    );
    // Deactivated on 06-01: that day is the first inactive day.
    assert_eq!(
        codes(&s.store().active_inspectors_on(date!(2025 - 06 - 01)).await.unwrap()),
        ["EEB-0002", "MSA-0001"]
    );
    // Still listed, with the closed period.
    let all = s.inspectors(&InspectorFilter::default()).await.unwrap();
    assert_eq!(codes(&all), ["EEB-0001", "EEB-0002", "MSA-0001"]);
    let one = s.inspector("EEB-0001").await.unwrap();
    assert_eq!(one.periods.len(), 1);
    assert_eq!(one.periods[0].deactivated_on, Some(date!(2025 - 06 - 01)));
    assert_eq!(one.periods[0].end_note.as_deref(), Some("调离执法岗位"));

    // Deactivating twice, or reactivating before the deactivation, is refused.
    let again = s.deactivate_inspector(&leader(), "EEB-0001", date!(2025 - 07 - 01), "x").await.unwrap_err();
    assert_eq!(again.code(), "inspector_inactive", "a step in the wrong state: 409");
    let early =
        s.reactivate_inspector(&leader(), "EEB-0001", date!(2025 - 05 - 01), "返岗").await.unwrap_err();
    assert_eq!(field_of(early), "on");

    s.reactivate_inspector(&leader(), "EEB-0001", date!(2025 - 09 - 01), "返回执法岗位").await.unwrap();
    assert!(
        !codes(&s.store().active_inspectors_on(date!(2025 - 08 - 31)).await.unwrap()).contains(&"EEB-0001")
    );
    assert!(
        codes(&s.store().active_inspectors_on(date!(2025 - 09 - 01)).await.unwrap()).contains(&"EEB-0001")
    );
    let one = s.inspector("EEB-0001").await.unwrap();
    assert_eq!(one.periods.len(), 2);
    assert!(one.is_active_on(date!(2025 - 03 - 01)) && !one.is_active_on(date!(2025 - 07 - 01)));

    // Every change is audited.
    let f = AuditFilter { action: Some("inspector.".into()), ..AuditFilter::default() };
    let entries = s.audit_search(&f, 100, 0).await.unwrap();
    let actions: Vec<&str> = entries.iter().rev().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "inspector.create",
            "inspector.create",
            "inspector.create",
            "inspector.deactivate",
            "inspector.reactivate"
        ]
    );
    assert_eq!(entries[1]["after"]["deactivated_on"], "2025-06-01");
}

#[tokio::test]
async fn conflicts_are_in_force_only_inside_their_dates() {
    let (_db, app) = fresh().await;
    let s = &app;
    three(s).await;
    let (a, b) = (uscc(1), uscc(2));
    s.declare_conflict(
        &leader(),
        "EEB-0001",
        &a,
        ConflictReason::FormerEmployer,
        date!(2025 - 01 - 01),
        Some(date!(2025 - 12 - 31)),
    )
    .await
    .unwrap();
    // Lower case and spaces are normalised.
    let other = s
        .declare_conflict(
            &leader(),
            "EEB-0001",
            &format!(" {} ", b.to_lowercase()),
            ConflictReason::Other("配偶任该机构技术负责人".into()),
            date!(2025 - 03 - 01),
            None,
        )
        .await
        .unwrap();
    assert_eq!(other.institution_uscc, b);

    let usccs_on = |day| async move {
        let active = s.store().active_inspectors_on(day).await.unwrap();
        let one = active.iter().find(|i| i.code == "EEB-0001").unwrap();
        // The draw's view: only conflicts in force that day are attached.
        assert!(one.conflicts.iter().all(|c| c.in_force_on(day)));
        one.conflict_usccs_on(day)
    };
    assert_eq!(usccs_on(date!(2025 - 02 - 28)).await, vec![a.clone()]);
    assert_eq!(usccs_on(date!(2025 - 03 - 01)).await, vec![a.clone(), b.clone()]);
    assert_eq!(usccs_on(date!(2025 - 12 - 31)).await, vec![a.clone(), b.clone()]);
    assert_eq!(usccs_on(date!(2026 - 01 - 01)).await, vec![b.clone()]);

    s.end_conflict(&leader(), "EEB-0001", other.id, date!(2026 - 02 - 28)).await.unwrap();
    assert_eq!(usccs_on(date!(2026 - 02 - 28)).await, vec![b.clone()]);
    assert!(usccs_on(date!(2026 - 03 - 01)).await.is_empty());
    // History kept: both conflicts still on the inspector's record.
    let one = s.inspector("EEB-0001").await.unwrap();
    assert_eq!(one.conflicts.len(), 2);
    assert_eq!(one.conflicts[1].reason, ConflictReason::Other("配偶任该机构技术负责人".into()));
    assert_eq!(one.conflicts[1].to, Some(date!(2026 - 02 - 28)));

    let f = AuditFilter { action: Some("inspector.conflict".into()), ..AuditFilter::default() };
    let entries = s.audit_search(&f, 100, 0).await.unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0]["action"], "inspector.conflict_end");
    assert_eq!(entries[0]["before"]["to"], serde_json::Value::Null);
    assert_eq!(entries[0]["after"]["to"], "2026-02-28");
}

#[tokio::test]
async fn bad_input_is_refused_with_the_field_and_a_chinese_reason() {
    let (_db, app) = fresh().await;
    let s = &app;
    three(s).await;
    let d = date!(2025 - 01 - 01);
    let plan =
        s.add_inspector(&leader(), new_inspector("PLAN-1", Department::Plan, &[]), d).await.unwrap_err();
    assert_eq!(refusal(plan), ("department".into(), "department_not_supervising"));
    let dup =
        s.add_inspector(&leader(), new_inspector("EEB-0001", Department::Eeb, &[]), d).await.unwrap_err();
    assert_eq!(refusal(dup), ("code".into(), "inspector_code_taken"));
    let zero = NewInspector { max_tasks_per_plan: 0, ..new_inspector("EEB-0009", Department::Eeb, &[]) };
    assert_eq!(field_of(s.add_inspector(&leader(), zero, d).await.unwrap_err()), "max_tasks_per_plan");
    let blank = NewInspector { name: "  ".into(), ..new_inspector("EEB-0009", Department::Eeb, &[]) };
    assert_eq!(field_of(s.add_inspector(&leader(), blank, d).await.unwrap_err()), "name");
    let spaced =
        s.add_inspector(&leader(), new_inspector("EEB 9", Department::Eeb, &[]), d).await.unwrap_err();
    assert_eq!(field_of(spaced), "code");

    let mut wrong_check = uscc(1);
    let last = wrong_check.pop().unwrap();
    wrong_check.push(if last == '0' { '1' } else { '0' });
    let bad_uscc = s
        .declare_conflict(&leader(), "EEB-0001", &wrong_check, ConflictReason::Relative, d, None)
        .await
        .unwrap_err();
    assert_eq!(field_of(bad_uscc), "institution_uscc");
    let empty_other =
        s.declare_conflict(&leader(), "EEB-0001", &uscc(1), ConflictReason::Other(" ".into()), d, None).await;
    assert_eq!(field_of(empty_other.unwrap_err()), "reason");
    let backwards = s
        .declare_conflict(
            &leader(),
            "EEB-0001",
            &uscc(1),
            ConflictReason::Relative,
            d,
            Some(date!(2024 - 12 - 31)),
        )
        .await
        .unwrap_err();
    assert_eq!(field_of(backwards), "to");
    let unknown = s.deactivate_inspector(&leader(), "EEB-9999", d, "x").await.unwrap_err();
    assert_eq!(unknown.code(), "not_found", "{unknown:?}");
    // Nothing of the refused requests was written.
    assert_eq!(s.inspectors(&InspectorFilter::default()).await.unwrap().len(), 3);
    assert!(s.inspector("EEB-0001").await.unwrap().conflicts.is_empty());
}

#[tokio::test]
async fn corrections_are_audited_with_before_and_after() {
    let (_db, app) = fresh().await;
    let s = &app;
    three(s).await;
    let changes = InspectorChanges {
        specialties: Some(vec![Category::Soil, Category::Water, Category::Soil]),
        max_tasks_per_plan: Some(5),
        ..InspectorChanges::default()
    };
    let after = s.update_inspector(&leader(), "MSA-0001", changes).await.unwrap();
    assert_eq!(after.specialties, [Category::Water, Category::Soil]);
    assert_eq!(after.max_tasks_per_plan, 5);
    assert_eq!(after.name, "检查员MSA-0001");
    let f = AuditFilter { action: Some("inspector.update".into()), ..AuditFilter::default() };
    let e = &s.audit_search(&f, 10, 0).await.unwrap()[0];
    assert_eq!(e["object"]["id"], "MSA-0001");
    assert_eq!(e["before"]["max_tasks_per_plan"], 3);
    assert_eq!(e["after"]["specialties"], serde_json::json!(["water", "soil"]));
}
