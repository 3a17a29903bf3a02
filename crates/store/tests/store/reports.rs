//! Report batches and their findings, as SQL: stored as submitted, routed by duty code to EEB or
//! MSA, linked to their reports, superseded (never deleted) by a re-check. (Who may file, the last
//! ownership gate, the job's lease and the audit entries are the use cases', tested in
//! `lianjian-app`.)

use lianjian_store::audit::Actor;
use lianjian_store::reports::{
    split_upload, write, FindingFilter, FinishedRun, NewBatch, NewFinding, RunBatch, Stored, CHECK_JOB,
};
use lianjian_store::{testing, Store};
use serde_json::{json, Value};

const U1: &str = "91310113MA1G8XXXX1";

fn institution() -> Actor {
    Actor { user: "inst1".into(), department: "INST".into(), role: "institution".into(), ip: None }
}

fn officer() -> Actor {
    Actor { user: "eeb.officer".into(), department: "EEB".into(), role: "officer".into(), ip: None }
}

fn line(no: &str) -> String {
    json!({"report_no": no, "institution_uscc": U1, "issued_on": "2025-03-10"}).to_string()
}

fn finding(rule: &str, duty: &str, report_no: Option<&str>, evidence: Value) -> NewFinding {
    NewFinding {
        rule: rule.into(),
        severity: "error".into(),
        duty: duty.into(),
        institution_uscc: report_no.map(|_| U1.to_owned()),
        report_no: report_no.map(str::to_owned),
        sample_id: None,
        parameter: None,
        message: format!("{rule} 测试"),
        evidence,
    }
}

/// Store a batch and queue its check in one transaction, as the upload does; (batch, run).
async fn submit(s: &Store, by: &Actor, batch: &NewBatch) -> (i64, i64) {
    let mut tx = s.begin().await.unwrap();
    let batch_id = write::insert_batch(&mut tx, by, batch, now_ms()).await.unwrap();
    let (run_id, _job) = write::queue_run(&mut tx, batch_id, "upload", &by.user, now_ms()).await.unwrap();
    lianjian_store::commit(tx).await.unwrap();
    (batch_id, run_id)
}

async fn upload(s: &Store) -> (i64, i64) {
    let text = format!("{}\n\nnot json\n{}\n", line("R-1"), line("R-2"));
    let (lines, refused) = split_upload(&text, Some(U1)).unwrap();
    let b =
        NewBatch { file_name: Some("batch.jsonl".into()), institution_uscc: Some(U1.into()), lines, refused };
    submit(s, &institution(), &b).await
}

async fn recheck(s: &Store, batch: i64) -> i64 {
    let mut tx = s.begin().await.unwrap();
    assert!(write::batch_exists(&mut tx, batch).await.unwrap());
    let (run, _job) = write::queue_run(&mut tx, batch, "recheck", "eeb.officer", now_ms()).await.unwrap();
    lianjian_store::commit(tx).await.unwrap();
    run
}

/// Record a finished run of `findings` as a worker does (the run's batch read in the same
/// transaction).
async fn record(s: &Store, run_id: i64, findings: Vec<NewFinding>, registry: &str) -> Stored {
    let run = FinishedRun {
        run_id,
        findings,
        summary: json!({"lines": 3}),
        registry_sha256: registry.into(),
        methods_source: "embedded".into(),
        started_at: now_ms(),
    };
    let mut tx = s.begin().await.unwrap();
    let batch = write::run_batch(&mut tx, run_id).await.unwrap().expect("a run");
    let stored = write::record_run(&mut tx, &batch, &run, now_ms()).await.unwrap();
    lianjian_store::commit(tx).await.unwrap();
    stored
}

#[tokio::test]
async fn upload_stores_lines_as_submitted_with_their_numbers_and_queues_a_check() {
    let db = testing::fresh().await.unwrap();
    let s = &db.store;
    let (batch, run) = upload(s).await;
    let b = s.report_batch(batch).await.unwrap().unwrap();
    // The blank line 2 is listed as refused (not a report), not dropped.
    assert_eq!((b.report_count, b.refused_count, b.uploaded_by.as_str()), (3, 1, "inst1"));
    assert_eq!(b.latest_state.as_deref(), Some("queued"));
    let reports = s.batch_reports(batch).await.unwrap();
    assert_eq!(reports.iter().map(|r| r.line_no).collect::<Vec<_>>(), vec![1, 3, 4]);
    assert!(reports.iter().all(|r| r.body.is_none()), "the list leaves the bodies out");
    let one = s.report(reports[0].id).await.unwrap().unwrap();
    assert_eq!(one.body.as_deref(), Some(line("R-1").as_str()));
    assert_eq!((one.line_no, one.report_no.as_deref()), (1, Some("R-1")));
    // An institution's list has its own batches only; the city's has every one, newest first.
    let other = NewBatch {
        file_name: None,
        institution_uscc: None,
        lines: split_upload(&line("R-9"), None).unwrap().0,
        refused: Vec::new(),
    };
    let (city, _) = submit(s, &officer(), &other).await;
    let own: Vec<i64> = s.report_batches(Some(U1), 10, 0).await.unwrap().iter().map(|b| b.id).collect();
    assert_eq!(own, vec![batch]);
    let all: Vec<i64> = s.report_batches(None, 10, 0).await.unwrap().iter().map(|b| b.id).collect();
    assert_eq!(all, vec![city, batch]);
    assert_eq!(
        s.report_batches(None, 1, 1).await.unwrap().iter().map(|b| b.id).collect::<Vec<_>>(),
        vec![batch]
    );
    // The worker's input keeps the upload's line numbers (the blank line stays blank).
    let input = s.check_input(run).await.unwrap().unwrap();
    assert_eq!(
        input.text.lines().collect::<Vec<_>>(),
        vec![line("R-1").as_str(), "", "not json", &line("R-2")]
    );
    let job = s.claim_job("w", now_ms(), 60_000).await.unwrap().unwrap();
    assert_eq!((job.kind.as_str(), job.payload), (CHECK_JOB, json!({"run_id": run})));
    // The run's batch and who uploaded it; an unknown run or batch is none.
    let mut tx = s.begin().await.unwrap();
    assert_eq!(
        write::run_batch(&mut tx, run).await.unwrap(),
        Some(RunBatch { run_id: run, batch_id: batch, uploader: Some(U1.into()) })
    );
    assert_eq!(write::run_batch(&mut tx, run + 100).await.unwrap(), None);
    assert!(!write::batch_exists(&mut tx, city + 100).await.unwrap());
}

#[tokio::test]
async fn findings_are_routed_to_the_department_of_their_duty_and_linked_to_their_report() {
    let db = testing::fresh().await.unwrap();
    let s = &db.store;
    let (batch, run) = upload(s).await;
    let found = vec![
        finding("OFF-Q03", "MSA-1", Some("R-1"), json!({"certificate_no": "C1"})),
        finding("OFF-T01", "EEB-3", Some("R-2"), json!({})),
        finding("OFF-C01", "EEB-2", None, json!({"line": 3})),
    ];
    let stored = record(s, run, found, "abc").await;
    assert_eq!(stored, Stored { superseded_by: None, by_department: vec![("EEB", 2), ("MSA", 1)] });

    let msa = s
        .findings(&FindingFilter { department: Some("MSA".into()), ..Default::default() }, 100, 0)
        .await
        .unwrap();
    assert_eq!(msa.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(), vec!["OFF-Q03"]);
    assert_eq!(msa[0].evidence, json!({"certificate_no": "C1"}));
    let eeb = s
        .findings(&FindingFilter { department: Some("EEB".into()), ..Default::default() }, 100, 0)
        .await
        .unwrap();
    assert_eq!(eeb.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(), vec!["OFF-T01", "OFF-C01"]);
    // The unreadable line's finding is attributed to the uploading institution and to its line.
    let reports = s.batch_reports(batch).await.unwrap();
    let c01 = &eeb[1];
    assert_eq!(c01.institution_uscc.as_deref(), Some(U1));
    assert_eq!(c01.report_id, Some(reports[1].id));
    assert_eq!(msa[0].report_id, Some(reports[0].id));
    let of_report = s
        .findings(&FindingFilter { report_id: Some(reports[2].id), ..Default::default() }, 0, 0)
        .await
        .unwrap();
    assert_eq!(of_report.len(), 1);
    assert_eq!(of_report[0].rule, "OFF-T01");
    let of_inst = FindingFilter { institution_uscc: Some(U1.into()), ..Default::default() };
    assert_eq!(s.count_findings(&of_inst).await.unwrap(), 3);
    let b = s.report_batch(batch).await.unwrap().unwrap();
    assert_eq!((b.current_findings, b.current_run, b.latest_state.as_deref()), (3, Some(run), Some("done")));
    let runs = s.check_runs(batch).await.unwrap();
    assert_eq!((runs[0].findings, runs[0].summary.clone()), (3, json!({"lines": 3})));
    assert_eq!(runs[0].registry_sha256.as_deref(), Some("abc"));
}

#[tokio::test]
async fn recheck_supersedes_the_old_findings_and_keeps_them_as_history() {
    let db = testing::fresh().await.unwrap();
    let s = &db.store;
    let (batch, run1) = upload(s).await;
    let old = vec![
        finding("OFF-Q02", "MSA-3", Some("R-1"), json!({})),
        finding("OFF-T01", "EEB-3", Some("R-2"), json!({})),
    ];
    record(s, run1, old, "h1").await;

    // The registry is corrected; an officer re-checks with one click.
    let run2 = recheck(s, batch).await;
    assert!(run2 > run1);
    let new = vec![finding("OFF-T01", "EEB-3", Some("R-2"), json!({}))];
    record(s, run2, new, "h2").await;

    let current =
        s.findings(&FindingFilter { batch_id: Some(batch), ..Default::default() }, 0, 0).await.unwrap();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0].run_id, run2);
    let all = FindingFilter { batch_id: Some(batch), include_superseded: true, ..Default::default() };
    let history = s.findings(&all, 0, 0).await.unwrap();
    assert_eq!(history.len(), 3, "old findings are kept");
    for f in history.iter().filter(|f| f.run_id == run1) {
        assert_eq!(f.superseded_by, Some(run2));
        assert!(f.superseded_at.is_some());
    }
    let runs = s.check_runs(batch).await.unwrap();
    assert_eq!(
        runs.iter().map(|r| (r.id, r.superseded_by)).collect::<Vec<_>>(),
        vec![(run2, None), (run1, Some(run2))]
    );
    assert_eq!(runs[1].registry_sha256.as_deref(), Some("h1"));
    assert_eq!(s.report_batch(batch).await.unwrap().unwrap().current_run, Some(run2));
    // The MSA worklist no longer shows the corrected finding.
    let msa = FindingFilter { department: Some("MSA".into()), ..Default::default() };
    assert_eq!(s.count_findings(&msa).await.unwrap(), 0);
}

#[tokio::test]
async fn an_older_run_finishing_after_a_newer_one_goes_straight_into_history() {
    let db = testing::fresh().await.unwrap();
    let s = &db.store;
    let (batch, run1) = upload(s).await;
    let run2 = recheck(s, batch).await;
    let f = |r| vec![finding(r, "EEB-2", Some("R-1"), json!({}))];
    record(s, run2, f("OFF-P02"), "h").await;
    let late = record(s, run1, f("OFF-D02"), "h").await;
    assert_eq!(late.superseded_by, Some(run2));
    let current =
        s.findings(&FindingFilter { batch_id: Some(batch), ..Default::default() }, 0, 0).await.unwrap();
    assert_eq!(current.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(), vec!["OFF-P02"]);
    assert_eq!(s.report_batch(batch).await.unwrap().unwrap().current_run, Some(run2));
}

#[tokio::test]
async fn a_failed_run_keeps_its_error_and_stores_no_finding() {
    let db = testing::fresh().await.unwrap();
    let s = &db.store;
    let (batch, run) = upload(s).await;
    let t0 = now_ms();
    let mut tx = s.begin().await.unwrap();
    assert_eq!(
        write::fail_run(&mut tx, run, Some(t0), "读取机构名录失败", t0 + 5).await.unwrap(),
        Some(batch)
    );
    assert_eq!(write::fail_run(&mut tx, run + 100, None, "x", t0).await.unwrap(), None);
    lianjian_store::commit(tx).await.unwrap();
    let runs = s.check_runs(batch).await.unwrap();
    assert_eq!(
        (runs[0].state.as_str(), runs[0].error.as_deref(), runs[0].started_at, runs[0].finished_at),
        ("failed", Some("读取机构名录失败"), Some(t0), Some(t0 + 5))
    );
    let b = s.report_batch(batch).await.unwrap().unwrap();
    assert_eq!((b.current_run, b.current_findings, b.latest_state.as_deref()), (None, 0, Some("failed")));
}

fn now_ms() -> i64 {
    testing::clock().now_ms()
}
