//! Joint plans 联合抽查计划 (R4, R7, R8), the freeze: commitments, the pool, its strata and the
//! conflicts, on both backends, through the use cases (`lianjian_app`, the only writer) and read
//! back from the store. Conflicted and rotated inspectors are never drawn, the yearly cap keeps
//! institutions out of the pool, and the same data freeze to the same inputs digest as before the
//! plans moved to the use-case layer (issue 16). The draw meeting and after: [`super::draws`].

use lianjian_app::institutions::ImportOutcome;
use lianjian_app::{App, Error};
use lianjian_domain::org::{Category, Department};
use lianjian_domain::params::EPOCH;
use lianjian_domain::plans::{
    engine, ConflictKind, Grade, NewPlan, Plan, PlanStatus, PoolSource, RevealOutcome,
};
use lianjian_domain::uscc::check_char;
use lianjian_registry::Snapshot;
use lianjian_store::audit::{Actor, AuditFilter};
use lianjian_store::inspectors::{ConflictReason, NewInspector};
use lianjian_store::partner_lists::{Commission, PartnerListRow};
use lianjian_store::{testing, Store};
use time::macros::date;
use time::Date;

pub(crate) const DAY: Date = date!(2026 - 07 - 01);
pub(crate) const EEB_SECRET: &str = "生态环境局-秘密-4f1c9a";
pub(crate) const MSA_SECRET: &str = "市场监管局-秘密-93be07";

pub(crate) fn uscc(n: u32) -> String {
    let body = format!("91310113{n:09}");
    let check = check_char(&body).unwrap();
    format!("{body}{check}")
}

pub(crate) fn leader(d: Department) -> Actor {
    Actor {
        user: format!("{}-leader", d.code().to_lowercase()),
        department: d.code().into(),
        role: "leader".into(),
        ip: None,
    }
}

/// `n` institutions with a certificate in force from 2024 to 2030 (water or noise), and one more
/// (number 999) whose only certificate expired in 2025.
pub(crate) fn snapshot(n: u32) -> Snapshot {
    let mut insts: Vec<serde_json::Value> = (1..=n)
        .map(|i| {
            let (cat, param, method) =
                if i % 2 == 0 { ("water", "化学需氧量", "HJ 828-2017") } else { ("noise", "工业企业厂界环境噪声", "GB 12348-2008") };
            serde_json::json!({"uscc": uscc(i), "name": format!("上海第{i}检测技术有限公司"),
                "certificates": [{"no": format!("2024{i:08}"), "issued_on": "2024-01-01", "expires_on": "2030-01-01",
                    "status_history": [{"status": "valid", "from": "2024-01-01"}],
                    "scope": [{"category": cat, "parameter": param, "method": method, "from": "2024-01-01", "to": null}]}]})
        })
        .collect();
    insts.push(serde_json::json!({"uscc": uscc(999), "name": "上海过期检测有限公司",
        "certificates": [{"no": "201900000999", "issued_on": "2019-01-01", "expires_on": "2025-01-01",
            "status_history": [{"status": "valid", "from": "2019-01-01"}], "scope": []}]}));
    Snapshot::from_json(&serde_json::json!({ "institutions": insts }).to_string()).unwrap()
}

pub(crate) async fn add(store: &Store, code: &str, d: Department, specialties: &[Category], max_tasks: i64) {
    let new = NewInspector {
        code: code.into(),
        department: d,
        name: format!("检查员{code}"),
        enforcement_cert_no: format!("沪执{code}"),
        specialties: specialties.to_vec(),
        max_tasks_per_plan: max_tasks,
    };
    App::new(store.clone()).add_inspector(&leader(d), new, date!(2025 - 01 - 01)).await.unwrap();
}

/// A district: `n` institutions, `eeb` + `msa` inspectors taking up to `max_tasks` each, the item list.
pub(crate) async fn district(n: u32, eeb: usize, msa: usize, max_tasks: i64) -> testing::TestDb {
    let db = testing::fresh().await.unwrap();
    let s = &db.store;
    let out = App::new(s.clone())
        .import_registry(&Actor::system("test"), &snapshot(n), Some("测试"))
        .await
        .unwrap();
    assert!(matches!(out, ImportOutcome::Applied(_)), "{out:?}");
    App::new(s.clone()).seed_items_if_empty(&Actor::system("test")).await.unwrap();
    for k in 1..=eeb {
        add(s, &format!("EEB-{k:04}"), Department::Eeb, &[Category::Water], max_tasks).await;
    }
    for k in 1..=msa {
        add(s, &format!("MSA-{k:04}"), Department::Msa, &[Category::Noise], max_tasks).await;
    }
    db
}

/// The use cases with the clock on `day`.
pub(crate) fn app(store: &Store, day: Date) -> App {
    App::new(store.clone()).on_day(day)
}

/// Every stratum drawn at `permille` from now on (a parameter entry, as an operator would set it).
pub(crate) async fn ratios(store: &Store, permille: i64) {
    let app = App::new(store.clone());
    for g in Grade::ALL {
        app.set_param(&Actor::system("test"), g.ratio_key(), EPOCH, permille, "测试比例").await.unwrap();
    }
}

pub(crate) async fn items(store: &Store) -> Vec<String> {
    let all = store.items(Some(DAY)).await.unwrap();
    [Department::Eeb, Department::Msa]
        .iter()
        .filter_map(|d| all.iter().find(|i| i.department == *d).map(|i| i.code.clone()))
        .collect()
}

pub(crate) async fn joint_plan(store: &Store, period: &str, public: bool) -> Plan {
    let new = NewPlan {
        period: period.into(),
        departments: vec![Department::Eeb, Department::Msa],
        items: items(store).await,
        public_label: public.then(|| "福彩3D 2026-07-08".to_owned()),
        ..NewPlan::default()
    };
    app(store, DAY).create_plan(&leader(Department::Eeb), new).await.unwrap()
}

/// Commit both secrets (on `DAY`).
pub(crate) async fn commit_both(store: &Store, plan: &Plan) {
    let a = app(store, DAY);
    a.commit_secret(&leader(Department::Eeb), plan.id, Department::Eeb, EEB_SECRET).await.unwrap();
    a.commit_secret(&leader(Department::Msa), plan.id, Department::Msa, MSA_SECRET).await.unwrap();
}

/// Create, commit both secrets, freeze on `day`.
pub(crate) async fn frozen(store: &Store, period: &str, day: Date) -> Plan {
    let plan = joint_plan(store, period, false).await;
    commit_both(store, &plan).await;
    app(store, day).freeze_plan(&leader(Department::Eeb), plan.id).await.unwrap()
}

/// Frozen and drawn on `day` with both secrets.
pub(crate) async fn drawn(store: &Store, period: &str, day: Date) -> Plan {
    let plan = frozen(store, period, day).await;
    let a = app(store, day);
    let first = a.reveal_secret(&leader(Department::Eeb), plan.id, Department::Eeb, EEB_SECRET).await;
    assert!(matches!(first, Ok(RevealOutcome::Waiting { .. })), "{first:?}");
    let second = a.reveal_secret(&leader(Department::Msa), plan.id, Department::Msa, MSA_SECRET).await;
    assert!(matches!(second, Ok(RevealOutcome::Drawn { .. })), "{second:?}");
    store.plan(plan.id).await.unwrap().unwrap()
}

/// The stable code of a refusal.
pub(crate) fn code<T: std::fmt::Debug>(r: Result<T, Error>) -> &'static str {
    r.expect_err("refused").code()
}

pub(crate) async fn audit_actions(store: &Store, plan: &Plan) -> Vec<String> {
    let f = AuditFilter { object_id: Some(plan.draw_id.clone()), ..AuditFilter::default() };
    let mut v: Vec<String> = store
        .audit_search(&f, 1000, 0)
        .await
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    v.reverse();
    v
}

#[tokio::test]
async fn frozen_inputs_follow_the_spec_and_their_digest_is_published() {
    let db = district(6, 2, 2, 5).await;
    let s = &db.store;
    let plan = joint_plan(s, "2026-H2", true).await;
    assert_eq!(plan.code, "2026-H2-JOINT-01");
    assert_eq!(plan.draw_id, "2026-H2-JOINT-01-v1");
    assert_eq!(plan.status, PlanStatus::Draft);
    assert_eq!(plan.team_size, 2);
    assert_eq!(plan.year_cap, 2);
    assert_eq!(plan.due_working_days, 20);
    // Higher risk, higher ratio; the defaults of the parameter catalogue.
    let permille: Vec<i64> = plan.strata.iter().map(|r| r.permille).collect();
    assert_eq!(permille, vec![20, 50, 100, 300, 1000]);

    // No freeze before both departments committed.
    let a = app(s, DAY);
    a.commit_secret(&leader(Department::Eeb), plan.id, Department::Eeb, EEB_SECRET).await.unwrap();
    let early = a.freeze_plan(&leader(Department::Eeb), plan.id).await;
    assert!(
        matches!(&early, Err(Error::State { code: "commitments_missing", message }) if message.contains("区市场监管局")),
        "{early:?}"
    );
    let short = a.commit_secret(&leader(Department::Msa), plan.id, Department::Msa, "短").await;
    assert!(
        matches!(&short, Err(e) if e.field() == Some("secret") && e.code() == "secret_too_short"),
        "{short:?}"
    );
    // A leader commits only their own department's secret.
    let other = a.commit_secret(&leader(Department::Eeb), plan.id, Department::Msa, MSA_SECRET).await;
    assert_eq!(code(other), "forbidden");
    a.commit_secret(&leader(Department::Msa), plan.id, Department::Msa, MSA_SECRET).await.unwrap();
    let plan = a.freeze_plan(&leader(Department::Eeb), plan.id).await.unwrap();
    assert_eq!(plan.status, PlanStatus::Frozen);
    assert_eq!(plan.freeze_on, Some(DAY));
    // The same data give the same inputs as before the plans moved to the use-case layer.
    assert_eq!(
        plan.inputs_digest.as_deref(),
        Some("45c483ad956ff5370caf499f8e7ba95dabba91eb0ad639c8f16b1d83f2396241")
    );

    let inputs = s.plan_inputs(plan.id).await.unwrap().unwrap();
    assert_eq!(plan.inputs_digest.as_deref(), Some(engine::inputs_digest(&inputs).unwrap().as_str()));
    engine::Inputs::from_value(&inputs).unwrap();
    assert_eq!(inputs["plan_id"], "2026-H2-JOINT-01-v1");
    assert_eq!(
        inputs["team"],
        serde_json::json!({"size": 2, "per_department": [
        {"department": "EEB", "min": 1}, {"department": "MSA", "min": 1}]})
    );
    // Only the commitments are stored and published, never the secrets.
    assert_eq!(
        inputs["entropy_sources"],
        serde_json::json!([
        {"kind": "department-secret", "label": "EEB", "commitment": engine::commitment(EEB_SECRET)},
        {"kind": "department-secret", "label": "MSA", "commitment": engine::commitment(MSA_SECRET)},
        {"kind": "public", "label": "福彩3D 2026-07-08"}])
    );
    assert!(plan.entropy.iter().all(|e| e.value.is_none()));
    // The pool: the six in force, not the one whose certificate expired; categories from scope.
    let ids: Vec<&str> =
        inputs["candidates"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 6);
    assert!(!ids.contains(&uscc(999).as_str()));
    assert_eq!(inputs["candidates"][0]["categories"], serde_json::json!(["noise"]));
    assert_eq!(inputs["candidates"][0]["stratum"], "B");
    assert_eq!(
        inputs["inspectors"][0],
        serde_json::json!(
        {"id": "EEB-0001", "department": "EEB", "specialties": ["water"], "max_tasks": 5, "conflicts": []})
    );
    // Frozen means frozen.
    let again =
        a.commit_secret(&leader(Department::Eeb), plan.id, Department::Eeb, "另一个秘密-123456").await;
    assert_eq!(code(again), "plan_state");
    let actions = audit_actions(s, &plan).await;
    assert_eq!(actions, vec!["plan.create", "plan.commit", "plan.commit", "plan.freeze"]);
}

#[tokio::test]
async fn conflicted_and_rotated_inspectors_are_never_chosen() {
    // Every institution drawn, so every conflict is tested.
    let db = district(10, 4, 4, 20).await;
    let s = &db.store;
    let conflicted = uscc(2);
    App::new(s.clone())
        .declare_conflict(
            &leader(Department::Eeb),
            "EEB-0001",
            &conflicted,
            ConflictReason::Relative,
            date!(2025 - 01 - 01),
            None,
        )
        .await
        .unwrap();
    App::new(s.clone())
        .declare_conflict(
            &leader(Department::Msa),
            "MSA-0002",
            &conflicted,
            ConflictReason::FormerEmployer,
            date!(2025 - 01 - 01),
            None,
        )
        .await
        .unwrap();
    ratios(s, 1000).await;
    let first = drawn(s, "2026-H1", date!(2026 - 03 - 02)).await;
    let first_tasks = s.plan_tasks(first.id).await.unwrap();
    assert_eq!(first_tasks.len(), 10);
    let t = first_tasks.iter().find(|t| t.institution_uscc == conflicted).unwrap();
    assert!(t.members.iter().all(|m| m.code != "EEB-0001" && m.code != "MSA-0002"), "{:?}", t.members);

    // Half a year later: whoever inspected an institution last is a conflict for it.
    let second = drawn(s, "2026-H2", DAY).await;
    let conflicts = s.plan_conflicts(second.id).await.unwrap();
    // The same data give the same inputs as before the plans moved to the use-case layer.
    assert_eq!(
        second.inputs_digest.as_deref(),
        Some("5abc7c5c48e47441a1ee0cbf6031969392eeafd3ca607d5d91f486e9a2a41342")
    );
    assert_eq!(conflicts.len(), 22);
    let inputs = s.plan_inputs(second.id).await.unwrap().unwrap();
    for prev in &first_tasks {
        for m in &prev.members {
            assert!(
                conflicts.iter().any(|c| c.inspector_code == m.code
                    && c.institution_uscc == prev.institution_uscc
                    && c.kind == ConflictKind::Rotation),
                "{} should be rotated away from {}",
                m.code,
                prev.institution_uscc
            );
            let insp =
                inputs["inspectors"].as_array().unwrap().iter().find(|i| i["id"] == m.code.as_str()).unwrap();
            assert!(insp["conflicts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c == prev.institution_uscc.as_str()));
        }
    }
    assert!(conflicts.iter().any(|c| c.kind == ConflictKind::Declared
        && c.inspector_code == "EEB-0001"
        && c.institution_uscc == conflicted));
    for t in s.plan_tasks(second.id).await.unwrap() {
        let prev = first_tasks.iter().find(|p| p.institution_uscc == t.institution_uscc).unwrap();
        for m in &t.members {
            assert!(
                prev.members.iter().all(|p| p.code != m.code),
                "{} inspected {} last time",
                m.code,
                t.institution_uscc
            );
            if t.institution_uscc == conflicted {
                assert!(m.code != "EEB-0001" && m.code != "MSA-0002");
            }
        }
    }
    engine::verify(&s.plan_record(second.id).await.unwrap().unwrap().record).unwrap();
}

#[tokio::test]
async fn institutions_at_the_yearly_cap_leave_the_pool_with_the_reason() {
    let db = district(10, 4, 4, 20).await;
    let s = &db.store;
    ratios(s, 500).await;
    let first = drawn(s, "2026-H1", date!(2026 - 03 - 02)).await;
    let inspected: Vec<String> =
        s.plan_tasks(first.id).await.unwrap().into_iter().map(|t| t.institution_uscc).collect();
    assert_eq!(inspected.len(), 5);

    // A cap of one per year: the five inspected in 2026 are left out, with the reason recorded.
    let new = NewPlan {
        period: "2026-H2".into(),
        departments: vec![Department::Eeb, Department::Msa],
        items: items(s).await,
        year_cap: Some(1),
        ..NewPlan::default()
    };
    ratios(s, 1000).await;
    let a = app(s, DAY);
    let plan = a.create_plan(&leader(Department::Eeb), new).await.unwrap();
    commit_both(s, &plan).await;
    a.freeze_plan(&leader(Department::Eeb), plan.id).await.unwrap();
    let pool = s.plan_pool(plan.id).await.unwrap();
    for p in &pool {
        let capped = inspected.contains(&p.uscc);
        assert_eq!(p.excluded_reason.is_some(), capped, "{p:?}");
        if capped {
            assert!(p.excluded_reason.as_deref().unwrap().contains("2026 年已被抽查 1 次"), "{p:?}");
        }
    }
    let inputs = s.plan_inputs(plan.id).await.unwrap().unwrap();
    let ids: Vec<&str> =
        inputs["candidates"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 5);
    assert!(ids.iter().all(|id| !inspected.iter().any(|u| u == id)));

    // The default cap (2) in another year counts nothing from 2026.
    let next_year = NewPlan {
        period: "2027-H1".into(),
        year_cap: Some(1),
        ..NewPlan {
            departments: vec![Department::Eeb, Department::Msa],
            items: items(s).await,
            ..NewPlan::default()
        }
    };
    let p27 = a.create_plan(&leader(Department::Eeb), next_year).await.unwrap();
    commit_both(s, &p27).await;
    a.freeze_plan(&leader(Department::Eeb), p27.id).await.unwrap();
    assert!(s.plan_pool(p27.id).await.unwrap().iter().all(|p| p.excluded_reason.is_none()));
}

#[tokio::test]
async fn grades_set_by_hand_stratify_and_partner_listed_institutions_join_the_pool() {
    let db = district(4, 2, 2, 10).await;
    let s = &db.store;
    let a = app(s, DAY);
    let e = a
        .set_grade(&leader(Department::Eeb), &uscc(1), Grade::E, date!(2026 - 01 - 01), "投诉查实")
        .await
        .unwrap();
    assert_eq!(e.grade, Grade::E);
    a.set_grade(&leader(Department::Eeb), &uscc(2), Grade::A, date!(2026 - 09 - 01), "以后才生效")
        .await
        .unwrap();
    assert_eq!(s.grade_on(&uscc(1), DAY).await.unwrap(), Grade::E);
    assert_eq!(s.grade_on(&uscc(2), DAY).await.unwrap(), Grade::B, "not yet in force");
    let bad = a.set_grade(&leader(Department::Eeb), "123", Grade::A, DAY, "x").await;
    assert!(matches!(&bad, Err(e) if e.field() == Some("uscc") && e.code() == "bad_uscc"), "{bad:?}");
    let no_basis = a.set_grade(&leader(Department::Eeb), &uscc(3), Grade::A, DAY, " ").await;
    assert_eq!(code(no_basis), "basis_required");
    let f = AuditFilter { action: Some("grade.set".into()), ..AuditFilter::default() };
    assert_eq!(s.audit_search(&f, 10, 0).await.unwrap().len(), 2);

    // A water-bureau list names an institution the registry does not hold: it enters the pool.
    let listed = uscc(777);
    let row = PartnerListRow {
        uscc: listed.clone(),
        institution_name: "上海水务委托检测有限公司".into(),
        category: Category::Water,
        project: "河道水质监测".into(),
        commission: Commission::Government,
    };
    let liaison =
        Actor { user: "water-liaison".into(), department: "WATER".into(), role: "liaison".into(), ip: None };
    App::new(s.clone())
        .submit_partner_list(
            &liaison,
            Department::Water,
            "2026H1".parse().unwrap(),
            vec![row],
            date!(2026 - 06 - 20),
        )
        .await
        .unwrap();

    let plan = frozen(s, "2026-H2", DAY).await;
    assert_eq!(
        plan.inputs_digest.as_deref(),
        Some("e868ab6442ea0f3094f52584d50c124ba5f59190fd35346f9a76c71789325d02"),
        "the same data give the same inputs as before the plans moved to the use-case layer"
    );
    let pool = s.plan_pool(plan.id).await.unwrap();
    let p = pool.iter().find(|p| p.uscc == listed).expect("partner-listed institution in the pool");
    assert_eq!(p.sources, vec![PoolSource::Partner(Department::Water)]);
    assert_eq!(p.categories, vec!["water"]);
    let inputs = s.plan_inputs(plan.id).await.unwrap().unwrap();
    let stratum = |u: &str| {
        inputs["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == u)
            .map(|c| c["stratum"].clone())
            .unwrap()
    };
    assert_eq!(stratum(&uscc(1)), "E");
    assert_eq!(stratum(&uscc(2)), "B");
    assert_eq!(stratum(&listed), "B");
}
