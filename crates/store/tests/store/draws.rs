//! Joint plans 联合抽查计划 (R4, R7, R8), the draw meeting and after: reveals, the draw and its
//! tasks, the record and its checks, a failed draw and a new version, recusals, the accounts that
//! see their tasks, and the demo — on both backends, through the use cases. The record must verify
//! with the engine and a tampered record must be caught.

use lianjian_domain::calendar::Calendar;
use lianjian_domain::org::{Category, Department};
use lianjian_domain::params::ParamKey;
use lianjian_domain::plans::{engine, Grade, Plan, PlanStatus, RecordKind, RevealOutcome};
use lianjian_store::audit::{Actor, AuditFilter};
use lianjian_store::{Backend, Store};

use super::plans::{
    add, app, audit_actions, code, commit_both, district, drawn, frozen, joint_plan, leader, ratios, DAY,
    EEB_SECRET, MSA_SECRET,
};

#[tokio::test]
async fn a_wrong_reveal_is_refused_in_chinese_and_audited_without_the_value() {
    let db = district(6, 2, 2, 5).await;
    let s = &db.store;
    let plan = frozen(s, "2026-H2", DAY).await;
    let a = app(s, DAY);
    let wrong = a.reveal_secret(&leader(Department::Eeb), plan.id, Department::Eeb, "猜的秘密-000000").await;
    let Err(e) = wrong else { panic!("{wrong:?}") };
    assert_eq!((e.code(), e.field()), ("wrong_reveal", Some("secret")));
    assert!(e.to_string().contains("与冻结时公布的承诺值不符"), "{e}");
    let plan = s.plan(plan.id).await.unwrap().unwrap();
    assert!(plan.entropy.iter().all(|e| e.value.is_none()), "a wrong secret is never stored");
    let f = AuditFilter { action: Some("plan.reveal_refused".into()), ..AuditFilter::default() };
    let entries = s.audit_search(&f, 10, 0).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert!(!entries[0].to_string().contains("猜的秘密"), "the wrong value is not kept: {}", entries[0]);
    // A department reveals only its own secret; the right one is then accepted.
    let msa = a.reveal_secret(&leader(Department::Msa), plan.id, Department::Msa, EEB_SECRET).await;
    assert_eq!(code(msa), "wrong_reveal");
    let ok = a.reveal_secret(&leader(Department::Eeb), plan.id, Department::Eeb, EEB_SECRET).await.unwrap();
    assert_eq!(ok, RevealOutcome::Waiting { missing: vec!["MSA".into()] });
    let twice = a.reveal_secret(&leader(Department::Eeb), plan.id, Department::Eeb, EEB_SECRET).await;
    assert_eq!(code(twice), "plan_state");
}

#[tokio::test]
async fn the_draw_record_verifies_and_every_target_becomes_a_task_due_in_working_days() {
    let db = district(12, 3, 3, 10).await;
    let s = &db.store;
    ratios(s, 500).await;
    let plan = joint_plan(s, "2026-H2", true).await;
    commit_both(s, &plan).await;
    let cal = Calendar::official();
    let a = app(s, DAY);
    a.freeze_plan(&leader(Department::Msa), plan.id).await.unwrap();
    a.reveal_secret(&leader(Department::Eeb), plan.id, Department::Eeb, EEB_SECRET).await.unwrap();
    a.reveal_secret(&leader(Department::Msa), plan.id, Department::Msa, MSA_SECRET).await.unwrap();
    let wait = s.plan(plan.id).await.unwrap().unwrap();
    assert_eq!(wait.status, PlanStatus::Frozen, "the public value is still missing");
    let out = a.enter_public_value(&leader(Department::Msa), plan.id, "3 8 1").await.unwrap();
    assert_eq!(out, RevealOutcome::Drawn { targets: 6 });

    let plan = s.plan(plan.id).await.unwrap().unwrap();
    assert_eq!(plan.status, PlanStatus::Drawn);
    let stored = s.plan_record(plan.id).await.unwrap().unwrap();
    engine::verify(&stored.record).unwrap();
    assert_eq!(stored.record["inputs_digest"].as_str(), plan.inputs_digest.as_deref());
    assert_eq!(stored.record["entropy"], serde_json::json!([EEB_SECRET, MSA_SECRET, "3 8 1"]));
    assert_eq!(a.check_plan_record(plan.id).await.unwrap(), Ok(()));
    // The same record from the inputs and entropy alone: anyone can re-run it.
    let rerun =
        engine::run(&stored.record["inputs"], &[EEB_SECRET.into(), MSA_SECRET.into(), "3 8 1".into()])
            .unwrap();
    assert_eq!(serde_json::to_value(&rerun).unwrap(), stored.record);

    let tasks = s.plan_tasks(plan.id).await.unwrap();
    assert_eq!(tasks.len(), 6);
    let due = cal.add_working_days(DAY, 20).unwrap();
    for (k, t) in tasks.iter().enumerate() {
        assert_eq!(t.target_order, k as i64);
        assert_eq!(t.institution_uscc, stored.record["targets"][k]["id"].as_str().unwrap());
        assert_eq!((t.due_on, t.due_on_provisional), (due.value, due.provisional));
        assert_eq!(t.items, plan.items);
        assert_eq!(t.members.len(), 2);
        let depts: Vec<&str> = t.members.iter().map(|m| m.department.as_str()).collect();
        assert!(depts.contains(&"EEB") && depts.contains(&"MSA"), "{depts:?}");
        assert!(t.institution_name.starts_with("上海第"));
    }
    // Each member sees the task in their list.
    let member = &tasks[0].members[0].code;
    assert!(s.tasks_for_inspector(member).await.unwrap().iter().any(|t| t.id == tasks[0].id));
    let actions = audit_actions(s, &plan).await;
    assert_eq!(
        &actions[actions.len() - 4..],
        ["plan.reveal", "plan.reveal", "plan.public_value", "plan.draw"]
    );
}

#[tokio::test]
async fn a_tampered_stored_record_is_detected() {
    let db = district(8, 2, 2, 10).await;
    let s = &db.store;
    ratios(s, 500).await;
    let plan = drawn(s, "2026-H2", DAY).await;
    let a = app(s, DAY);
    let stored = s.plan_record(plan.id).await.unwrap().unwrap();
    // The database refuses the edit as it stands …
    let edit = sqlx::query("UPDATE plan_records SET note = 'x' WHERE plan_id = $1")
        .bind(plan.id)
        .execute(s.pool())
        .await;
    assert!(edit.is_err(), "plan_records are append-only");
    // … so an attacker first switches the guard off, then swaps a team member.
    let guard = match s.backend() {
        Backend::Sqlite => "DROP TRIGGER plan_records_no_update",
        Backend::Postgres => "ALTER TABLE plan_records DISABLE TRIGGER USER",
    };
    sqlx::query(guard).execute(s.pool()).await.unwrap();
    let mut forged = stored.record.clone();
    let team = &mut forged["teams"][0]["members"][0];
    *team = serde_json::json!(if team == "EEB-0001" { "EEB-0002" } else { "EEB-0001" });
    sqlx::query("UPDATE plan_records SET record_json = $1 WHERE plan_id = $2")
        .bind(forged.to_string())
        .bind(plan.id)
        .execute(s.pool())
        .await
        .unwrap();
    assert!(engine::verify(&forged).is_err());
    let check = a.check_plan_record(plan.id).await.unwrap();
    assert!(matches!(&check, Err(m) if m.contains("teams[0].members[0]")), "{check:?}");
    // A recusal is never made on a record that does not verify.
    let t = &stored.record["teams"][0];
    let r = a
        .recuse(
            &leader(Department::Eeb),
            plan.id,
            t["target"].as_str().unwrap(),
            t["members"][1].as_str(),
            "亲属",
        )
        .await;
    assert_eq!(code(r), "record_unverified");

    // A record re-computed with another public value verifies on its own, but not against the plan.
    let mut entropy: Vec<String> = serde_json::from_value(stored.record["entropy"].clone()).unwrap();
    entropy[0] = "另一个值".into();
    let mut inputs = stored.record["inputs"].clone();
    inputs["entropy_sources"][0]["commitment"] = engine::commitment("另一个值").into();
    let other = serde_json::to_value(engine::run(&inputs, &entropy).unwrap()).unwrap();
    sqlx::query("UPDATE plan_records SET record_json = $1 WHERE plan_id = $2")
        .bind(other.to_string())
        .bind(plan.id)
        .execute(s.pool())
        .await
        .unwrap();
    let check = a.check_plan_record(plan.id).await.unwrap();
    assert!(matches!(&check, Err(m) if m.contains("inputs_digest")), "{check:?}");
}

#[tokio::test]
async fn an_unstaffable_draw_publishes_nothing_and_a_new_version_changes_the_digest() {
    // One MSA inspector taking one task, every institution drawn: the second team has no MSA member.
    let db = district(4, 3, 1, 1).await;
    let s = &db.store;
    let plan = drawn_or_failed(s).await;
    let plan = s.plan(plan.id).await.unwrap().unwrap();
    assert_eq!(plan.status, PlanStatus::Frozen);
    let msg = plan.draw_error.clone().unwrap();
    assert!(msg.contains("抽取失败") && msg.contains("区市场监管局"), "{msg}");
    assert!(s.plan_record(plan.id).await.unwrap().is_none());
    assert!(s.plan_tasks(plan.id).await.unwrap().is_empty());
    let again = app(s, DAY).enter_public_value(&leader(Department::Eeb), plan.id, "1").await;
    assert_eq!(code(again), "draw_failed");

    // Re-plan: a new version, fresh declarations; with more inspectors the digest differs.
    add(s, "MSA-0002", Department::Msa, &[Category::Water], 5).await;
    let a = app(s, DAY);
    assert_eq!(code(a.replan(&leader(Department::Eeb), plan.id, " ").await), "note_required");
    let v2 =
        a.replan(&leader(Department::Eeb), plan.id, "市场监管局检查人员不足,补充后重新编制").await.unwrap();
    assert_eq!((v2.code.as_str(), v2.version, v2.status), (plan.code.as_str(), 2, PlanStatus::Draft));
    assert!(v2.entropy.iter().all(|e| e.commitment.is_none()));
    let old = s.plan(plan.id).await.unwrap().unwrap();
    assert_eq!((old.status, old.superseded_by), (PlanStatus::Superseded, Some(v2.id)));
    a.commit_secret(&leader(Department::Eeb), v2.id, Department::Eeb, "新的秘密-EEB-123").await.unwrap();
    a.commit_secret(&leader(Department::Msa), v2.id, Department::Msa, "新的秘密-MSA-456").await.unwrap();
    let v2 = a.freeze_plan(&leader(Department::Eeb), v2.id).await.unwrap();
    assert_ne!(v2.inputs_digest, plan.inputs_digest);
}

async fn drawn_or_failed(s: &Store) -> Plan {
    ratios(s, 1000).await;
    let plan = frozen(s, "2026-H2", DAY).await;
    let a = app(s, DAY);
    a.reveal_secret(&leader(Department::Eeb), plan.id, Department::Eeb, EEB_SECRET).await.unwrap();
    let out = a.reveal_secret(&leader(Department::Msa), plan.id, Department::Msa, MSA_SECRET).await.unwrap();
    assert!(matches!(out, RevealOutcome::Failed { .. }), "{out:?}");
    plan
}

#[tokio::test]
async fn a_recusal_appends_a_verifiable_record_and_updates_the_task() {
    let db = district(6, 4, 4, 10).await;
    let s = &db.store;
    ratios(s, 500).await;
    let plan = drawn(s, "2026-H2", DAY).await;
    let a = app(s, DAY);
    let task = s.plan_tasks(plan.id).await.unwrap().remove(0);
    let withdrawn = task.members[0].code.clone();
    let uscc = task.institution_uscc.as_str();
    let refused = a.recuse(&leader(Department::Eeb), plan.id, uscc, Some("EEB-9999"), "亲属").await;
    assert!(
        matches!(&refused, Err(e) if e.field() == Some("inspector") && e.code() == "not_on_team"),
        "{refused:?}"
    );
    // An officer records a recusal only for themself.
    let officer = Actor { role: "officer".into(), ..leader(Department::Eeb) };
    assert_eq!(code(a.recuse(&officer, plan.id, uscc, Some(&withdrawn), "亲属").await), "forbidden");
    assert_eq!(code(a.recuse(&officer, plan.id, uscc, None, "亲属").await), "inspector_not_linked");
    let stored = a
        .recuse(&leader(Department::Eeb), plan.id, uscc, Some(&withdrawn), "近亲属在该机构任职")
        .await
        .unwrap();
    assert_eq!(stored.seq, 2);
    assert_eq!(stored.kind, RecordKind::Recusal);
    engine::verify(&stored.record).unwrap();
    assert_eq!(a.check_plan_record(plan.id).await.unwrap(), Ok(()));
    let rec = &stored.record["recusals"][0];
    assert_eq!(rec["withdrawn"], withdrawn.as_str());
    assert_eq!(rec["label"], format!("recusal/{}/1", task.institution_uscc));
    let after = s.task(task.id).await.unwrap().unwrap();
    assert_eq!(after.members[0].code, rec["replacement"].as_str().unwrap());
    assert_eq!(
        after.members[0].department, task.members[0].department,
        "a department slot keeps its department"
    );
    assert!(after.members.iter().all(|m| m.code != withdrawn));
    // History kept: the draw and the recusal.
    let history = s.plan_records(plan.id).await.unwrap();
    assert_eq!(history.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![1, 2]);
    assert!(history[0].record.get("recusals").is_none());
    assert!(s.tasks_for_inspector(&withdrawn).await.unwrap().iter().all(|t| t.id != task.id));
}

/// An officer's account (no password anyone could use), straight into the table.
async fn officer(s: &Store, username: &str, department: Department) {
    let user = lianjian_store::users::NewUser {
        username: username.into(),
        display_name: username.into(),
        department,
        role: lianjian_domain::org::Role::Officer,
        institution_uscc: None,
        password_hash: "x".into(),
        must_change_password: false,
    };
    let mut conn = s.pool().acquire().await.unwrap();
    lianjian_store::users::insert(&mut conn, &user, 0).await.unwrap();
}

#[tokio::test]
async fn linked_accounts_see_their_tasks() {
    let db = district(6, 2, 2, 10).await;
    let s = &db.store;
    ratios(s, 500).await;
    let plan = drawn(s, "2026-H2", DAY).await;
    let a = app(s, DAY);
    let task = s.plan_tasks(plan.id).await.unwrap().remove(0);
    let member = task.members.iter().find(|m| m.department == "EEB").unwrap().code.clone();
    officer(s, "zhang.wei", Department::Eeb).await;
    a.link_inspector_account(&leader(Department::Eeb), &member, "zhang.wei").await.unwrap();
    assert_eq!(s.inspector_of_user("zhang.wei").await.unwrap().as_deref(), Some(member.as_str()));
    let wrong = a.link_inspector_account(&leader(Department::Msa), "MSA-0001", "zhang.wei").await;
    assert!(matches!(&wrong, Err(e) if e.field() == Some("username") && e.code() == "department_mismatch"));
    let other = a.link_inspector_account(&leader(Department::Eeb), "MSA-0001", "zhang.wei").await;
    assert_eq!(code(other), "inspector_of_other_department");
    let mine = s.tasks_for_inspector(&member).await.unwrap();
    assert!(mine.iter().any(|t| t.id == task.id));
    // Demo seeding is exercised elsewhere; the parameter key used for ratios exists.
    assert_eq!(Grade::C.ratio_key(), ParamKey::DrawRatioGradeC);
}

#[tokio::test]
async fn demo_plans_seed_a_drawn_plan_with_linked_officers_and_a_frozen_one() {
    let db = district(40, 6, 6, 6).await;
    let s = &db.store;
    officer(s, "eeb-officer", Department::Eeb).await;
    officer(s, "msa-officer", Department::Msa).await;
    let a = app(s, DAY);
    let demo = lianjian_app::plans::seed_demo_plans(&a, &Actor::system("demo")).await.unwrap();
    assert_eq!(demo.drawn.status, PlanStatus::Drawn);
    assert_eq!(demo.frozen.status, PlanStatus::Frozen);
    assert_eq!(a.check_plan_record(demo.drawn.id).await.unwrap(), Ok(()));
    assert_eq!(demo.links.len(), 2);
    for (user, code) in &demo.links {
        assert_eq!(s.inspector_of_user(user).await.unwrap().as_ref(), Some(code));
        assert!(!s.tasks_for_inspector(code).await.unwrap().is_empty());
    }
    // The printed secrets open the frozen plan's draw.
    for (d, secret) in &demo.secrets {
        a.reveal_secret(&leader(*d), demo.frozen.id, *d, secret).await.unwrap();
    }
    let out = a.enter_public_value(&leader(Department::Eeb), demo.frozen.id, "5 2 7").await.unwrap();
    assert!(matches!(out, RevealOutcome::Drawn { .. }), "{out:?}");
}
