//! Joint plans 联合抽查计划 (R4, R7, R8): freeze → commitments → reveals → draw → tasks, on both
//! backends. The record must verify with the engine, a tampered record must be caught, conflicted
//! and rotated inspectors are never drawn, the yearly cap keeps institutions out of the pool.

use lianjian_app::institutions::ImportOutcome;
use lianjian_app::App;
use lianjian_domain::calendar::Calendar;
use lianjian_domain::org::{Category, Department};
use lianjian_domain::params::{ParamKey, ParamSet, EPOCH};
use lianjian_domain::uscc::check_char;
use lianjian_registry::Snapshot;
use lianjian_store::audit::{Actor, AuditFilter};
use lianjian_store::inspectors::{ConflictReason, NewInspector};
use lianjian_store::partner_lists::{Commission, PartnerListRow};
use lianjian_store::plans::{engine, Grade, NewPlan, Plan, PlanError, PlanStatus, RevealOutcome};
use lianjian_store::{testing, Backend, Store};
use time::macros::date;
use time::Date;

const DAY: Date = date!(2026 - 07 - 01);
const EEB_SECRET: &str = "生态环境局-秘密-4f1c9a";
const MSA_SECRET: &str = "市场监管局-秘密-93be07";

fn uscc(n: u32) -> String {
    let body = format!("91310113{n:09}");
    let check = check_char(&body).unwrap();
    format!("{body}{check}")
}

fn leader(d: Department) -> Actor {
    Actor {
        user: format!("{}-leader", d.code().to_lowercase()),
        department: d.code().into(),
        role: "leader".into(),
        ip: None,
    }
}

/// `n` institutions with a certificate in force from 2024 to 2030 (water or noise), and one more
/// (number 999) whose only certificate expired in 2025.
fn snapshot(n: u32) -> Snapshot {
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

async fn add(store: &Store, code: &str, d: Department, specialties: &[Category], max_tasks: i64) {
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
async fn district(n: u32, eeb: usize, msa: usize, max_tasks: i64) -> testing::TestDb {
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

/// Every stratum drawn at `permille`.
fn ratios(permille: i64) -> ParamSet {
    let mut p = ParamSet::defaults();
    for g in Grade::ALL {
        p.set(g.ratio_key(), EPOCH, permille).unwrap();
    }
    p
}

async fn items(store: &Store) -> Vec<String> {
    let all = store.items(Some(DAY)).await.unwrap();
    [Department::Eeb, Department::Msa]
        .iter()
        .filter_map(|d| all.iter().find(|i| i.department == *d).map(|i| i.code.clone()))
        .collect()
}

async fn joint_plan(store: &Store, params: &ParamSet, period: &str, public: bool) -> Plan {
    let new = NewPlan {
        period: period.into(),
        departments: vec![Department::Eeb, Department::Msa],
        items: items(store).await,
        public_label: public.then(|| "福彩3D 2026-07-08".to_owned()),
        ..NewPlan::default()
    };
    store.create_plan(&leader(Department::Eeb), params, new, DAY).await.unwrap()
}

/// Create, commit both secrets, freeze on `day`.
async fn frozen(store: &Store, params: &ParamSet, period: &str, day: Date) -> Plan {
    let plan = joint_plan(store, params, period, false).await;
    store.commit_secret(&leader(Department::Eeb), plan.id, Department::Eeb, EEB_SECRET).await.unwrap();
    store.commit_secret(&leader(Department::Msa), plan.id, Department::Msa, MSA_SECRET).await.unwrap();
    store.freeze_plan(&leader(Department::Eeb), plan.id, &Calendar::official(), day).await.unwrap()
}

/// Frozen and drawn on `day` with both secrets.
async fn drawn(store: &Store, params: &ParamSet, period: &str, day: Date) -> Plan {
    let plan = frozen(store, params, period, day).await;
    let cal = Calendar::official();
    let first =
        store.reveal_secret(&leader(Department::Eeb), plan.id, Department::Eeb, EEB_SECRET, &cal, day).await;
    assert!(matches!(first, Ok(RevealOutcome::Waiting { .. })), "{first:?}");
    let second =
        store.reveal_secret(&leader(Department::Msa), plan.id, Department::Msa, MSA_SECRET, &cal, day).await;
    assert!(matches!(second, Ok(RevealOutcome::Drawn { .. })), "{second:?}");
    store.plan(plan.id).await.unwrap().unwrap()
}

async fn audit_actions(store: &Store, plan: &Plan) -> Vec<String> {
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
    let plan = joint_plan(s, &ParamSet::defaults(), "2026-H2", true).await;
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
    s.commit_secret(&leader(Department::Eeb), plan.id, Department::Eeb, EEB_SECRET).await.unwrap();
    let early = s.freeze_plan(&leader(Department::Eeb), plan.id, &Calendar::official(), DAY).await;
    assert!(matches!(&early, Err(PlanError::State(m)) if m.contains("区市场监管局")), "{early:?}");
    let short = s.commit_secret(&leader(Department::Msa), plan.id, Department::Msa, "短").await;
    assert!(matches!(short, Err(PlanError::Invalid { field: "secret", .. })));
    s.commit_secret(&leader(Department::Msa), plan.id, Department::Msa, MSA_SECRET).await.unwrap();
    let plan = s.freeze_plan(&leader(Department::Eeb), plan.id, &Calendar::official(), DAY).await.unwrap();
    assert_eq!(plan.status, PlanStatus::Frozen);
    assert_eq!(plan.freeze_on, Some(DAY));

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
        s.commit_secret(&leader(Department::Eeb), plan.id, Department::Eeb, "另一个秘密-123456").await;
    assert!(matches!(again, Err(PlanError::State(_))));
    let actions = audit_actions(s, &plan).await;
    assert_eq!(actions, vec!["plan.create", "plan.commit", "plan.commit", "plan.freeze"]);
}

#[tokio::test]
async fn a_wrong_reveal_is_refused_in_chinese_and_audited_without_the_value() {
    let db = district(6, 2, 2, 5).await;
    let s = &db.store;
    let plan = frozen(s, &ParamSet::defaults(), "2026-H2", DAY).await;
    let cal = Calendar::official();
    let wrong = s
        .reveal_secret(&leader(Department::Eeb), plan.id, Department::Eeb, "猜的秘密-000000", &cal, DAY)
        .await;
    let Err(e @ PlanError::WrongReveal { .. }) = wrong else { panic!("{wrong:?}") };
    assert!(e.to_string().contains("与冻结时公布的承诺值不符"), "{e}");
    let plan = s.plan(plan.id).await.unwrap().unwrap();
    assert!(plan.entropy.iter().all(|e| e.value.is_none()), "a wrong secret is never stored");
    let f = AuditFilter { action: Some("plan.reveal_refused".into()), ..AuditFilter::default() };
    let entries = s.audit_search(&f, 10, 0).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert!(!entries[0].to_string().contains("猜的秘密"), "the wrong value is not kept: {}", entries[0]);
    // A department reveals only its own secret; the right one is then accepted.
    let msa =
        s.reveal_secret(&leader(Department::Msa), plan.id, Department::Msa, EEB_SECRET, &cal, DAY).await;
    assert!(matches!(msa, Err(PlanError::WrongReveal { .. })));
    let ok = s
        .reveal_secret(&leader(Department::Eeb), plan.id, Department::Eeb, EEB_SECRET, &cal, DAY)
        .await
        .unwrap();
    assert_eq!(ok, RevealOutcome::Waiting { missing: vec!["MSA".into()] });
    let twice =
        s.reveal_secret(&leader(Department::Eeb), plan.id, Department::Eeb, EEB_SECRET, &cal, DAY).await;
    assert!(matches!(twice, Err(PlanError::State(_))));
}

#[tokio::test]
async fn the_draw_record_verifies_and_every_target_becomes_a_task_due_in_working_days() {
    let db = district(12, 3, 3, 10).await;
    let s = &db.store;
    let plan = joint_plan(s, &ratios(500), "2026-H2", true).await;
    s.commit_secret(&leader(Department::Eeb), plan.id, Department::Eeb, EEB_SECRET).await.unwrap();
    s.commit_secret(&leader(Department::Msa), plan.id, Department::Msa, MSA_SECRET).await.unwrap();
    let cal = Calendar::official();
    s.freeze_plan(&leader(Department::Msa), plan.id, &cal, DAY).await.unwrap();
    s.reveal_secret(&leader(Department::Eeb), plan.id, Department::Eeb, EEB_SECRET, &cal, DAY).await.unwrap();
    s.reveal_secret(&leader(Department::Msa), plan.id, Department::Msa, MSA_SECRET, &cal, DAY).await.unwrap();
    let wait = s.plan(plan.id).await.unwrap().unwrap();
    assert_eq!(wait.status, PlanStatus::Frozen, "the public value is still missing");
    let out = s.enter_public_value(&leader(Department::Msa), plan.id, "3 8 1", &cal, DAY).await.unwrap();
    assert_eq!(out, RevealOutcome::Drawn { targets: 6 });

    let plan = s.plan(plan.id).await.unwrap().unwrap();
    assert_eq!(plan.status, PlanStatus::Drawn);
    let stored = s.plan_record(plan.id).await.unwrap().unwrap();
    engine::verify(&stored.record).unwrap();
    assert_eq!(stored.record["inputs_digest"].as_str(), plan.inputs_digest.as_deref());
    assert_eq!(stored.record["entropy"], serde_json::json!([EEB_SECRET, MSA_SECRET, "3 8 1"]));
    assert_eq!(s.check_plan_record(plan.id).await.unwrap(), Ok(()));
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
    let plan = drawn(s, &ratios(500), "2026-H2", DAY).await;
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
    let check = s.check_plan_record(plan.id).await.unwrap();
    assert!(matches!(&check, Err(m) if m.contains("teams[0].members[0]")), "{check:?}");
    // A recusal is never made on a record that does not verify.
    let t = &stored.record["teams"][0];
    let r = s
        .recuse(
            &leader(Department::Eeb),
            plan.id,
            t["target"].as_str().unwrap(),
            t["members"][1].as_str().unwrap(),
            "亲属",
        )
        .await;
    assert!(matches!(r, Err(PlanError::State(_))), "{r:?}");

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
    let check = s.check_plan_record(plan.id).await.unwrap();
    assert!(matches!(&check, Err(m) if m.contains("inputs_digest")), "{check:?}");
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
    let first = drawn(s, &ratios(1000), "2026-H1", date!(2026 - 03 - 02)).await;
    let first_tasks = s.plan_tasks(first.id).await.unwrap();
    assert_eq!(first_tasks.len(), 10);
    let t = first_tasks.iter().find(|t| t.institution_uscc == conflicted).unwrap();
    assert!(t.members.iter().all(|m| m.code != "EEB-0001" && m.code != "MSA-0002"), "{:?}", t.members);

    // Half a year later: whoever inspected an institution last is a conflict for it.
    let second = drawn(s, &ratios(1000), "2026-H2", DAY).await;
    let conflicts = s.plan_conflicts(second.id).await.unwrap();
    let inputs = s.plan_inputs(second.id).await.unwrap().unwrap();
    for prev in &first_tasks {
        for m in &prev.members {
            assert!(
                conflicts.iter().any(|c| c.inspector_code == m.code
                    && c.institution_uscc == prev.institution_uscc
                    && c.kind == "rotation"),
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
    assert!(conflicts
        .iter()
        .any(|c| c.kind == "declared" && c.inspector_code == "EEB-0001" && c.institution_uscc == conflicted));
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
    let first = drawn(s, &ratios(500), "2026-H1", date!(2026 - 03 - 02)).await;
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
    let plan = s.create_plan(&leader(Department::Eeb), &ratios(1000), new, DAY).await.unwrap();
    s.commit_secret(&leader(Department::Eeb), plan.id, Department::Eeb, EEB_SECRET).await.unwrap();
    s.commit_secret(&leader(Department::Msa), plan.id, Department::Msa, MSA_SECRET).await.unwrap();
    s.freeze_plan(&leader(Department::Eeb), plan.id, &Calendar::official(), DAY).await.unwrap();
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
    let p27 = s.create_plan(&leader(Department::Eeb), &ratios(1000), next_year, DAY).await.unwrap();
    s.commit_secret(&leader(Department::Eeb), p27.id, Department::Eeb, EEB_SECRET).await.unwrap();
    s.commit_secret(&leader(Department::Msa), p27.id, Department::Msa, MSA_SECRET).await.unwrap();
    s.freeze_plan(&leader(Department::Eeb), p27.id, &Calendar::official(), DAY).await.unwrap();
    assert!(s.plan_pool(p27.id).await.unwrap().iter().all(|p| p.excluded_reason.is_none()));
}

#[tokio::test]
async fn grades_set_by_hand_stratify_and_partner_listed_institutions_join_the_pool() {
    let db = district(4, 2, 2, 10).await;
    let s = &db.store;
    let e = s
        .set_grade(&leader(Department::Eeb), &uscc(1), Grade::E, date!(2026 - 01 - 01), "投诉查实")
        .await
        .unwrap();
    assert_eq!(e.grade, Grade::E);
    s.set_grade(&leader(Department::Eeb), &uscc(2), Grade::A, date!(2026 - 09 - 01), "以后才生效")
        .await
        .unwrap();
    assert_eq!(s.grade_on(&uscc(1), DAY).await.unwrap(), Grade::E);
    assert_eq!(s.grade_on(&uscc(2), DAY).await.unwrap(), Grade::B, "not yet in force");
    let bad = s.set_grade(&leader(Department::Eeb), "123", Grade::A, DAY, "x").await;
    assert!(matches!(bad, Err(PlanError::Invalid { field: "uscc", .. })));
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

    let plan = frozen(s, &ParamSet::defaults(), "2026-H2", DAY).await;
    let pool = s.plan_pool(plan.id).await.unwrap();
    let p = pool.iter().find(|p| p.uscc == listed).expect("partner-listed institution in the pool");
    assert_eq!(p.sources, vec!["partner:WATER"]);
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
    let again =
        s.enter_public_value(&leader(Department::Eeb), plan.id, "1", &Calendar::official(), DAY).await;
    assert!(matches!(again, Err(PlanError::State(_))));

    // Re-plan: a new version, fresh declarations; with more inspectors the digest differs.
    add(s, "MSA-0002", Department::Msa, &[Category::Water], 5).await;
    let v2 =
        s.replan(&leader(Department::Eeb), plan.id, "市场监管局检查人员不足,补充后重新编制").await.unwrap();
    assert_eq!((v2.code.as_str(), v2.version, v2.status), (plan.code.as_str(), 2, PlanStatus::Draft));
    assert!(v2.entropy.iter().all(|e| e.commitment.is_none()));
    let old = s.plan(plan.id).await.unwrap().unwrap();
    assert_eq!((old.status, old.superseded_by), (PlanStatus::Superseded, Some(v2.id)));
    s.commit_secret(&leader(Department::Eeb), v2.id, Department::Eeb, "新的秘密-EEB-123").await.unwrap();
    s.commit_secret(&leader(Department::Msa), v2.id, Department::Msa, "新的秘密-MSA-456").await.unwrap();
    let v2 = s.freeze_plan(&leader(Department::Eeb), v2.id, &Calendar::official(), DAY).await.unwrap();
    assert_ne!(v2.inputs_digest, plan.inputs_digest);
}

async fn drawn_or_failed(s: &Store) -> Plan {
    let plan = frozen(s, &ratios(1000), "2026-H2", DAY).await;
    let cal = Calendar::official();
    s.reveal_secret(&leader(Department::Eeb), plan.id, Department::Eeb, EEB_SECRET, &cal, DAY).await.unwrap();
    let out = s
        .reveal_secret(&leader(Department::Msa), plan.id, Department::Msa, MSA_SECRET, &cal, DAY)
        .await
        .unwrap();
    assert!(matches!(out, RevealOutcome::Failed { .. }), "{out:?}");
    plan
}

#[tokio::test]
async fn a_recusal_appends_a_verifiable_record_and_updates_the_task() {
    let db = district(6, 4, 4, 10).await;
    let s = &db.store;
    let plan = drawn(s, &ratios(500), "2026-H2", DAY).await;
    let task = s.plan_tasks(plan.id).await.unwrap().remove(0);
    let withdrawn = task.members[0].code.clone();
    let refused =
        s.recuse(&leader(Department::Eeb), plan.id, &task.institution_uscc, "EEB-9999", "亲属").await;
    assert!(matches!(refused, Err(PlanError::Invalid { field: "inspector", .. })), "{refused:?}");
    let stored = s
        .recuse(&leader(Department::Eeb), plan.id, &task.institution_uscc, &withdrawn, "近亲属在该机构任职")
        .await
        .unwrap();
    assert_eq!(stored.seq, 2);
    assert_eq!(stored.kind, "recusal");
    engine::verify(&stored.record).unwrap();
    assert_eq!(s.check_plan_record(plan.id).await.unwrap(), Ok(()));
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

#[tokio::test]
async fn linked_accounts_see_their_tasks() {
    let db = district(6, 2, 2, 10).await;
    let s = &db.store;
    let plan = drawn(s, &ratios(500), "2026-H2", DAY).await;
    let task = s.plan_tasks(plan.id).await.unwrap().remove(0);
    let code = task.members.iter().find(|m| m.department == "EEB").unwrap().code.clone();
    use lianjian_store::users::NewUser;
    let mut conn = s.pool().acquire().await.unwrap();
    let user = NewUser {
        username: "zhang.wei".into(),
        display_name: "张伟".into(),
        department: Department::Eeb,
        role: lianjian_domain::org::Role::Officer,
        institution_uscc: None,
        password_hash: "x".into(),
        must_change_password: false,
    };
    lianjian_store::users::insert(&mut conn, &user, 0).await.unwrap();
    drop(conn);
    s.link_inspector_account(&leader(Department::Eeb), &code, "zhang.wei").await.unwrap();
    assert_eq!(s.inspector_of_user("zhang.wei").await.unwrap().as_deref(), Some(code.as_str()));
    let wrong = s.link_inspector_account(&leader(Department::Eeb), "MSA-0001", "zhang.wei").await;
    assert!(matches!(wrong, Err(PlanError::Invalid { field: "username", .. })));
    let mine = s.tasks_for_inspector(&code).await.unwrap();
    assert!(mine.iter().any(|t| t.id == task.id));
    // Demo seeding is exercised elsewhere; the parameter key used for ratios exists.
    assert_eq!(Grade::C.ratio_key(), ParamKey::DrawRatioGradeC);
}

#[tokio::test]
async fn demo_plans_seed_a_drawn_plan_with_linked_officers_and_a_frozen_one() {
    let db = district(40, 6, 6, 6).await;
    let s = &db.store;
    let mut conn = s.pool().acquire().await.unwrap();
    for (username, d) in [("eeb-officer", Department::Eeb), ("msa-officer", Department::Msa)] {
        let user = lianjian_store::users::NewUser {
            username: username.into(),
            display_name: username.into(),
            department: d,
            role: lianjian_domain::org::Role::Officer,
            institution_uscc: None,
            password_hash: "x".into(),
            must_change_password: false,
        };
        lianjian_store::users::insert(&mut conn, &user, 0).await.unwrap();
    }
    drop(conn);
    let demo = lianjian_store::plans::seed_demo_plans(s, &Actor::system("demo"), DAY).await.unwrap();
    assert_eq!(demo.drawn.status, PlanStatus::Drawn);
    assert_eq!(demo.frozen.status, PlanStatus::Frozen);
    assert_eq!(s.check_plan_record(demo.drawn.id).await.unwrap(), Ok(()));
    assert_eq!(demo.links.len(), 2);
    for (user, code) in &demo.links {
        assert_eq!(s.inspector_of_user(user).await.unwrap().as_ref(), Some(code));
        assert!(!s.tasks_for_inspector(code).await.unwrap().is_empty());
    }
    // The printed secrets open the frozen plan's draw.
    let cal = Calendar::official();
    for (d, secret) in &demo.secrets {
        s.reveal_secret(&leader(*d), demo.frozen.id, *d, secret, &cal, DAY).await.unwrap();
    }
    let out =
        s.enter_public_value(&leader(Department::Eeb), demo.frozen.id, "5 2 7", &cal, DAY).await.unwrap();
    assert!(matches!(out, RevealOutcome::Drawn { .. }), "{out:?}");
}
