//! Reports and the off-site check as use cases: filing, the worker's check, the last ownership gate
//! and the job's lease when findings are recorded, re-checks, the engine configuration — each
//! change audited in its own transaction.

use lianjian_app::accounts::NewAccount;
use lianjian_app::reports::{FinishedRun, Recorded};
use lianjian_app::worker::{self, Lease};
use lianjian_app::{App, Error};
use lianjian_domain::org::{Department, Role};
use lianjian_store::audit::{Actor, AuditFilter};
use lianjian_store::jobs;
use lianjian_store::offsite_config::ConfigKind;
use lianjian_store::reports::{FindingFilter, NewFinding, CHECK_JOB};
use lianjian_store::testing::{self, TestDb};
use lianjian_store::users::User;
use serde_json::{json, Value};

const U1: &str = "91310113MA1GL0QY3R";
const U2: &str = "91310115MA1H7LJK2L";

struct World {
    db: TestDb,
    app: App,
    inst: User,
    officer: User,
}

fn actor(u: &User) -> Actor {
    Actor {
        user: u.username.clone(),
        department: u.department.code().into(),
        role: u.role.code().into(),
        ip: None,
    }
}

async fn user(app: &App, username: &str, department: Department, role: Role, uscc: Option<&str>) -> User {
    let acc = NewAccount {
        username: username.into(),
        display_name: username.into(),
        department,
        role,
        institution_uscc: uscc.map(str::to_owned),
        password: "Test@2026x-reports".into(),
        must_change_password: false,
    };
    app.create_user(&Actor::system("test"), acc).await.unwrap();
    app.store().user_by_username(username).await.unwrap().unwrap()
}

async fn world() -> World {
    let db = testing::fresh().await.unwrap();
    let app = App::new(db.store.clone());
    let inst = user(&app, "inst1", Department::Inst, Role::Institution, Some(U1)).await;
    let officer = user(&app, "eeb1", Department::Eeb, Role::Officer, None).await;
    World { db, app, inst, officer }
}

fn line(no: &str, uscc: &str) -> String {
    json!({"report_no": no, "institution_uscc": uscc, "issued_on": "2025-03-10"}).to_string()
}

fn finding(rule: &str, uscc: Option<&str>) -> NewFinding {
    NewFinding {
        rule: rule.into(),
        severity: "error".into(),
        duty: "EEB-3".into(),
        institution_uscc: uscc.map(str::to_owned),
        report_no: Some("R-1".into()),
        sample_id: None,
        parameter: None,
        message: format!("{rule} 测试"),
        evidence: json!({}),
    }
}

fn finished(run_id: i64, findings: Vec<NewFinding>) -> FinishedRun {
    FinishedRun {
        run_id,
        findings,
        summary: json!({}),
        registry_sha256: "h".into(),
        methods_source: "embedded".into(),
        started_at: now_ms(),
    }
}

async fn actions(w: &World, prefix: &str) -> Vec<String> {
    let filter = AuditFilter { action: Some(prefix.into()), ..Default::default() };
    let entries = w.db.store.audit_search(&filter, 100, 0).await.unwrap();
    entries.iter().filter_map(|e| e["action"].as_str().map(str::to_owned)).collect()
}

fn now_ms() -> i64 {
    testing::clock().now_ms()
}

#[tokio::test]
async fn a_filed_batch_is_checked_by_a_worker_and_every_step_is_audited() {
    let w = world().await;
    let body = format!("{}\n\n{}\n", line("R-1", U1), line("R-2", U1));
    let up = w
        .app
        .submit_reports(&actor(&w.inst), &w.inst, Some("b.jsonl".into()), body.as_bytes())
        .await
        .unwrap();
    assert_eq!((up.accepted, up.refused.len(), up.refused[0].line), (2, 1, 2));
    let view = w.app.report_batch(&w.inst, up.batch_id).await.unwrap();
    assert_eq!(view.batch.latest_state.as_deref(), Some("queued"));
    assert_eq!(view.batch.institution_uscc.as_deref(), Some(U1));

    // The registry is empty: each report names an unknown institution (OFF-C01), its own.
    assert_eq!(worker::drain(&w.app, "w").await.unwrap(), 1);
    let view = w.app.report_batch(&w.officer, up.batch_id).await.unwrap();
    assert_eq!(view.runs[0].state, "done");
    assert_eq!(view.runs[0].methods_source.as_deref(), Some("embedded default"));
    let found = w.app.batch_findings(&w.inst, up.batch_id, false).await.unwrap();
    assert!(!found.is_empty() && found.iter().all(|f| f.rule == "OFF-C01"), "{found:?}");

    let run2 = w.app.recheck(&actor(&w.officer), up.batch_id, Some("名录已更正")).await.unwrap().run_id;
    assert_eq!(worker::drain(&w.app, "w").await.unwrap(), 1);
    let history = w.app.batch_findings(&w.officer, up.batch_id, true).await.unwrap();
    assert!(history.iter().any(|f| f.superseded_by == Some(run2)));
    let audited = actions(&w, "reports.").await;
    for a in ["reports.upload", "reports.check", "reports.recheck"] {
        assert!(audited.iter().any(|x| x == a), "{a}: {audited:?}");
    }
    // Another institution's account does not learn that the batch exists.
    let other = user(&w.app, "inst2", Department::Inst, Role::Institution, Some(U2)).await;
    assert!(matches!(w.app.report_batch(&other, up.batch_id).await, Err(Error::NotFound(_))));
    assert!(w.app.report_batches(&other, 10, 0).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_institution_files_only_its_own_reports_and_no_administrator_files_any() {
    let w = world().await;
    let body = format!("{}\n{}\n", line("R-1", U1), line("R-2", U2));
    let e = w.app.submit_reports(&actor(&w.inst), &w.inst, None, body.as_bytes()).await.unwrap_err();
    assert_eq!(e.code(), "reports_not_own");
    let Error::Refused { lines, .. } = &e else { panic!("{e:?}") };
    assert_eq!(lines.iter().map(|l| l.line).collect::<Vec<_>>(), vec![2]);
    assert_eq!(
        w.app.submit_reports(&actor(&w.inst), &w.inst, None, b"\n\n").await.unwrap_err().code(),
        "reports_empty"
    );
    assert_eq!(
        w.app.submit_reports(&actor(&w.inst), &w.inst, None, &[0xff, 0xfe]).await.unwrap_err().code(),
        "reports_not_utf8"
    );
    let admin = user(&w.app, "sys", Department::Ops, Role::SystemAdmin, None).await;
    assert!(matches!(
        w.app.submit_reports(&actor(&admin), &admin, None, body.as_bytes()).await,
        Err(Error::Forbidden(_))
    ));
    assert!(w.db.store.report_batches(None, 10, 0).await.unwrap().is_empty(), "nothing stored");
    // An officer files anyone's.
    let up = w.app.submit_reports(&actor(&w.officer), &w.officer, None, body.as_bytes()).await.unwrap();
    assert_eq!(up.accepted, 2);
}

#[tokio::test]
async fn the_pre_submission_check_stores_nothing_but_its_audit_entry_and_takes_small_batches_only() {
    let w = world().await;
    let v = w.app.validate_reports(&actor(&w.inst), &w.inst, line("R-1", U1).as_bytes()).await.unwrap();
    assert_eq!(v.lines, 1);
    assert!(v.errors > 0);
    assert!(w.db.store.report_batches(None, 10, 0).await.unwrap().is_empty());
    assert_eq!(actions(&w, "reports.validate").await.len(), 1);
    let many: String = (0..501).map(|i| line(&format!("R-{i}"), U1) + "\n").collect();
    let e = w.app.validate_reports(&actor(&w.inst), &w.inst, many.as_bytes()).await.unwrap_err();
    assert_eq!(e.code(), "validate_too_many_lines");
}

#[tokio::test]
async fn a_worker_that_lost_its_lease_records_nothing() {
    let w = world().await;
    let s = &w.db.store;
    let up = w.app.submit_reports(&actor(&w.inst), &w.inst, None, line("R-1", U1).as_bytes()).await.unwrap();
    let t0 = now_ms();
    let job = s.claim_job("slow", t0, 1).await.unwrap().unwrap();
    assert_eq!(job.kind, CHECK_JOB);
    let taken = s.claim_job("fast", t0 + 1_000, 60_000).await.unwrap().unwrap();
    assert_eq!(taken.id, job.id);
    let run = finished(up.run_id, vec![finding("OFF-T01", Some(U1))]);
    let worker = Actor::system("worker:test");
    let slow = Lease { job_id: job.id, worker: "slow" };
    assert_eq!(w.app.record_check(&worker, Some(slow), &run).await.unwrap(), Recorded::LostLease);
    let all = FindingFilter { batch_id: Some(up.batch_id), include_superseded: true, ..Default::default() };
    assert_eq!(s.count_findings(&all).await.unwrap(), 0);
    assert!(actions(&w, "reports.check").await.is_empty(), "nothing audited either");
    let fast = Lease { job_id: job.id, worker: "fast" };
    let rec = w.app.record_check(&worker, Some(fast), &run).await.unwrap();
    assert_eq!(rec, Recorded::Done { superseded_by: None });
    assert_eq!(s.count_findings(&all).await.unwrap(), 1);
    assert_eq!(s.job(job.id).await.unwrap().unwrap().state, jobs::DONE);
}

/// Issue 15, defence in depth: should a check of a batch an institution uploaded ever yield a
/// finding on another institution (a line read one way at upload and another at check), nothing
/// is stored — not even the findings on the uploader — and the run fails for good with a message
/// naming the other institution, audited; the job is not retried (a re-run reads the same lines).
#[tokio::test]
async fn findings_of_an_institutions_batch_that_name_another_institution_are_not_stored() {
    let w = world().await;
    let s = &w.db.store;
    let up = w.app.submit_reports(&actor(&w.inst), &w.inst, None, line("R-1", U1).as_bytes()).await.unwrap();
    let job = s.claim_job("w", now_ms(), 60_000).await.unwrap().unwrap();
    let found = vec![finding("OFF-T01", Some(U1)), finding("OFF-Q03", Some(U2)), finding("OFF-C01", None)];
    let worker = Actor::system("worker:test");
    let lease = Lease { job_id: job.id, worker: "w" };
    let rec = w.app.record_check(&worker, Some(lease), &finished(up.run_id, found.clone())).await.unwrap();
    let Recorded::Refused { message } = rec else { panic!("stored: {rec:?}") };
    assert!(message.contains(U2) && message.contains(U1), "{message}");
    let all = FindingFilter { include_superseded: true, ..Default::default() };
    assert_eq!(s.count_findings(&all).await.unwrap(), 0, "nothing stored");
    let runs = s.check_runs(up.batch_id).await.unwrap();
    assert_eq!((runs[0].state.as_str(), runs[0].error.as_deref()), ("failed", Some(message.as_str())));
    let b = s.report_batch(up.batch_id).await.unwrap().unwrap();
    assert_eq!((b.current_run, b.current_findings), (None, 0));
    assert_eq!(s.job(job.id).await.unwrap().unwrap().state, jobs::FAILED, "not retried");
    assert!(s.claim_job("w", now_ms() + 3_600_000, 60_000).await.unwrap().is_none());
    let audit = s
        .audit_search(
            &AuditFilter { action: Some("reports.check_failed".into()), ..Default::default() },
            5,
            0,
        )
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert!(audit[0].to_string().contains(U2), "{}", audit[0]);

    // The supervising departments' batches (the city feed) hold any institution's reports.
    let city =
        w.app.submit_reports(&actor(&w.officer), &w.officer, None, line("R-9", U2).as_bytes()).await.unwrap();
    let rec = w.app.record_check(&worker, None, &finished(city.run_id, found)).await.unwrap();
    assert_eq!(rec, Recorded::Done { superseded_by: None });
}

#[tokio::test]
async fn a_check_that_keeps_failing_fails_its_run_for_good_audited() {
    let w = world().await;
    let s = &w.db.store;
    let up =
        w.app.submit_reports(&actor(&w.officer), &w.officer, None, line("R-1", U1).as_bytes()).await.unwrap();
    // A stored thresholds file the engine cannot read (stored behind the use case's back).
    let mut tx = s.begin().await.unwrap();
    lianjian_store::offsite_config::insert(
        &mut tx,
        ConfigKind::Rules,
        "min_samplers = \"x\"",
        "坏",
        "t",
        now_ms(),
    )
    .await
    .unwrap();
    lianjian_store::commit(tx).await.unwrap();
    // Two attempts fail (no back-off here, to keep the test quick) …
    let mut job_id = 0;
    for attempt in 1..jobs::DEFAULT_MAX_ATTEMPTS {
        let job = s.claim_job("w", now_ms(), 60_000).await.unwrap().expect("the job is retried");
        assert_eq!(job.attempts, attempt);
        s.fail_job(job.id, "w", "试", now_ms(), 0).await.unwrap();
        job_id = job.id;
    }
    // … and the last one, through the worker: the run fails for good with the reason.
    assert!(worker::run_once(&w.app, "w").await.unwrap());
    assert_eq!(s.job(job_id).await.unwrap().unwrap().state, jobs::FAILED);
    let runs = s.check_runs(up.batch_id).await.unwrap();
    assert_eq!(runs[0].state, "failed");
    assert!(runs[0].error.as_deref().unwrap().contains("规则阈值"), "{:?}", runs[0].error);
    assert_eq!(actions(&w, "reports.check_failed").await.len(), 1);
}

#[tokio::test]
async fn engine_configuration_is_validated_with_the_engines_parsers_versioned_and_audited() {
    let w = world().await;
    let leader = actor(&w.officer);
    let e =
        w.app.set_engine_config(&leader, ConfigKind::Rules, b"min_samplers = 1\n", " ").await.unwrap_err();
    assert_eq!((e.code(), e.field()), ("note_required", Some("note")));
    let e =
        w.app.set_engine_config(&leader, ConfigKind::Rules, b"no_such_rule = 1\n", "试行").await.unwrap_err();
    assert_eq!(e.code(), "config_invalid");
    let csv =
        "code,title_zh,category,effective,abolished,replaced_by,source\nHJ 1-2020,x,water,2020-13-45,,,\n";
    let Error::Refused { lines, .. } =
        w.app.set_engine_config(&leader, ConfigKind::Methods, csv.as_bytes(), "试行").await.unwrap_err()
    else {
        panic!("refused")
    };
    assert_eq!(lines[0].line, 2);
    assert_eq!(w.app.engine_config().await.unwrap().source, "embedded default");

    let id = w
        .app
        .set_engine_config(&leader, ConfigKind::Rules, b"min_samplers = 1\n", "沪环监〔2026〕3号")
        .await
        .unwrap();
    let config = w.app.engine_config().await.unwrap();
    assert_eq!((config.source, config.thresholds.min_samplers), (format!("embedded rules#{id}"), 1));
    let history = w.app.engine_config_history(5).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].1.note, "沪环监〔2026〕3号");
    let audit =
        w.db.store
            .audit_search(&AuditFilter { action: Some("offsite.config".into()), ..Default::default() }, 5, 0)
            .await
            .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["note"], Value::from("沪环监〔2026〕3号"));
}
