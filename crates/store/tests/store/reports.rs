//! Report batches and their findings: stored as submitted, routed by duty code to EEB or MSA,
//! superseded (never deleted) by a re-check, every change audited.

use lianjian_store::audit::{Actor, AuditFilter};
use lianjian_store::jobs;
use lianjian_store::reports::{split_upload, FindingFilter, NewBatch, NewFinding, Recorded, CHECK_JOB};
use lianjian_store::{testing, Store};
use serde_json::{json, Value};

const U1: &str = "91310113MA1G8XXXX1";

fn institution() -> Actor {
    Actor { user: "inst1".into(), department: "INST".into(), role: "institution".into(), ip: None }
}

fn officer() -> Actor {
    Actor { user: "eeb.officer".into(), department: "EEB".into(), role: "officer".into(), ip: None }
}

fn worker() -> Actor {
    Actor::system("worker:test")
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

async fn upload(s: &Store) -> (i64, i64) {
    let text = format!("{}\n\nnot json\n{}\n", line("R-1"), line("R-2"));
    let (lines, refused) = split_upload(&text, Some(U1)).unwrap();
    let b =
        NewBatch { file_name: Some("batch.jsonl".into()), institution_uscc: Some(U1.into()), lines, refused };
    let sub = s.submit_reports(&institution(), b).await.unwrap();
    (sub.batch_id, sub.run_id)
}

/// Claim the queued check job the way a worker does, returning its id.
async fn claim(s: &Store, w: &str) -> i64 {
    let job = s.claim_job(w, now_ms(), 60_000).await.unwrap().expect("a queued check job");
    assert_eq!(job.kind, CHECK_JOB);
    job.id
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
    let city = s.submit_reports(&officer(), other).await.unwrap().batch_id;
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
    assert_eq!(job.payload, json!({"run_id": run}));
}

#[tokio::test]
async fn findings_are_routed_to_the_department_of_their_duty_and_linked_to_their_report() {
    let db = testing::fresh().await.unwrap();
    let s = &db.store;
    let (batch, run) = upload(s).await;
    let job = claim(s, "w").await;
    let found = vec![
        finding("OFF-Q03", "MSA-1", Some("R-1"), json!({"certificate_no": "C1"})),
        finding("OFF-T01", "EEB-3", Some("R-2"), json!({})),
        finding("OFF-C01", "EEB-2", None, json!({"line": 3})),
    ];
    let rec = s
        .record_check(
            &worker(),
            run,
            Some((job, "w")),
            &found,
            &json!({"lines": 3}),
            "abc",
            "embedded",
            now_ms(),
        )
        .await;
    assert_eq!(rec.unwrap(), Recorded::Done { superseded_by: None });
    assert_eq!(s.job(job).await.unwrap().unwrap().state, jobs::DONE);

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
    assert_eq!(s.report_batch(batch).await.unwrap().unwrap().current_findings, 3);
}

#[tokio::test]
async fn recheck_supersedes_the_old_findings_and_keeps_them_as_history() {
    let db = testing::fresh().await.unwrap();
    let s = &db.store;
    let (batch, run1) = upload(s).await;
    let j = claim(s, "w").await;
    let old = vec![
        finding("OFF-Q02", "MSA-3", Some("R-1"), json!({})),
        finding("OFF-T01", "EEB-3", Some("R-2"), json!({})),
    ];
    s.record_check(&worker(), run1, Some((j, "w")), &old, &json!({}), "h1", "embedded", now_ms())
        .await
        .unwrap();

    // The registry is corrected; an officer re-checks with one click.
    let run2 = s.request_recheck(&officer(), batch, Some("证书状态已更正")).await.unwrap().run_id;
    assert!(run2 > run1);
    let j = claim(s, "w").await;
    let new = vec![finding("OFF-T01", "EEB-3", Some("R-2"), json!({}))];
    s.record_check(&worker(), run2, Some((j, "w")), &new, &json!({}), "h2", "embedded", now_ms())
        .await
        .unwrap();

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

    let audit = s
        .audit_search(&AuditFilter { action: Some("reports.".into()), ..Default::default() }, 100, 0)
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().filter_map(|e| e["action"].as_str()).collect();
    for a in ["reports.upload", "reports.recheck", "reports.check"] {
        assert!(actions.contains(&a), "{a} audited: {actions:?}");
    }
}

#[tokio::test]
async fn an_older_run_finishing_after_a_newer_one_goes_straight_into_history() {
    let db = testing::fresh().await.unwrap();
    let s = &db.store;
    let (batch, run1) = upload(s).await;
    let run2 = s.request_recheck(&officer(), batch, None).await.unwrap().run_id;
    let f = |r| vec![finding(r, "EEB-2", Some("R-1"), json!({}))];
    s.record_check(&worker(), run2, None, &f("OFF-P02"), &json!({}), "h", "embedded", now_ms())
        .await
        .unwrap();
    let late = s
        .record_check(&worker(), run1, None, &f("OFF-D02"), &json!({}), "h", "embedded", now_ms())
        .await
        .unwrap();
    assert_eq!(late, Recorded::Done { superseded_by: Some(run2) });
    let current =
        s.findings(&FindingFilter { batch_id: Some(batch), ..Default::default() }, 0, 0).await.unwrap();
    assert_eq!(current.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(), vec!["OFF-P02"]);
    assert_eq!(s.report_batch(batch).await.unwrap().unwrap().current_run, Some(run2));
}

#[tokio::test]
async fn a_worker_that_lost_its_lease_records_nothing() {
    let db = testing::fresh().await.unwrap();
    let s = &db.store;
    let (batch, run) = upload(s).await;
    let t0 = now_ms();
    let job = s.claim_job("slow", t0, 1).await.unwrap().unwrap().id;
    let taken = s.claim_job("fast", t0 + 1_000, 60_000).await.unwrap().unwrap();
    assert_eq!(taken.id, job);
    let found = vec![finding("OFF-T01", "EEB-3", Some("R-1"), json!({}))];
    let rec = s
        .record_check(&worker(), run, Some((job, "slow")), &found, &json!({}), "h", "embedded", t0)
        .await
        .unwrap();
    assert_eq!(rec, Recorded::LostLease);
    let all = FindingFilter { batch_id: Some(batch), include_superseded: true, ..Default::default() };
    assert_eq!(s.count_findings(&all).await.unwrap(), 0);
    s.record_check(&worker(), run, Some((job, "fast")), &found, &json!({}), "h", "embedded", t0)
        .await
        .unwrap();
    assert_eq!(s.count_findings(&all).await.unwrap(), 1);
}

/// Issue 15, defence in depth: should a check of a batch an institution uploaded ever yield a
/// finding on another institution (a line read one way at upload and another at check), nothing
/// is stored — not even the findings on the uploader — and the run fails for good with a message
/// naming the other institution, audited; the job is not retried (a re-run reads the same lines).
#[tokio::test]
async fn findings_of_an_institutions_batch_that_name_another_institution_are_not_stored() {
    const U2: &str = "91310113MA1G8XXXX2";
    let db = testing::fresh().await.unwrap();
    let s = &db.store;
    let (batch, run) = upload(s).await;
    let job = claim(s, "w").await;
    let mut on_other = finding("OFF-Q03", "MSA-1", Some("R-2"), json!({}));
    on_other.institution_uscc = Some(U2.into());
    let found = vec![
        finding("OFF-T01", "EEB-3", Some("R-1"), json!({})),
        on_other,
        finding("OFF-C01", "EEB-2", None, json!({"line": 3})),
    ];
    let rec = s
        .record_check(&worker(), run, Some((job, "w")), &found, &json!({}), "h", "embedded", now_ms())
        .await
        .unwrap();
    let Recorded::Refused { message } = rec else { panic!("stored: {rec:?}") };
    assert!(message.contains(U2) && message.contains(U1), "{message}");
    let all = FindingFilter { batch_id: Some(batch), include_superseded: true, ..Default::default() };
    assert_eq!(s.count_findings(&all).await.unwrap(), 0, "nothing stored");
    let of_other = FindingFilter { institution_uscc: Some(U2.into()), ..Default::default() };
    assert_eq!(s.count_findings(&of_other).await.unwrap(), 0);
    let runs = s.check_runs(batch).await.unwrap();
    assert_eq!((runs[0].state.as_str(), runs[0].error.as_deref()), ("failed", Some(message.as_str())));
    let b = s.report_batch(batch).await.unwrap().unwrap();
    assert_eq!((b.current_run, b.current_findings), (None, 0));
    assert_eq!(s.job(job).await.unwrap().unwrap().state, jobs::FAILED, "not retried");
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
    let city = NewBatch {
        file_name: None,
        institution_uscc: None,
        lines: split_upload(&line("R-9"), None).unwrap().0,
        refused: Vec::new(),
    };
    let city_run = s.submit_reports(&officer(), city).await.unwrap().run_id;
    let rec = s
        .record_check(&worker(), city_run, None, &found, &json!({}), "h", "embedded", now_ms())
        .await
        .unwrap();
    assert_eq!(rec, Recorded::Done { superseded_by: None });
}

fn now_ms() -> i64 {
    testing::clock().now_ms()
}
