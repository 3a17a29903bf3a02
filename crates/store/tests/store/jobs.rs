//! The job queue shared by every worker of every process: one winner per claim, leases that run out
//! are taken over, failed attempts are retried with back-off and then marked failed.

use lianjian_store::jobs::{self, FAILED, QUEUED, RUNNING};
use lianjian_store::{testing, Store};
use serde_json::json;

async fn enqueue(s: &Store, max_attempts: i64) -> i64 {
    s.enqueue_job("test.kind", &json!({"n": 1}), max_attempts).await.unwrap()
}

#[tokio::test]
async fn two_workers_racing_claim_one_job_exactly_once() {
    let db = testing::fresh().await.unwrap();
    // A second handle on the same database stands for a second server process.
    let other = Store::open(&db.url).await.unwrap();
    for round in 0..5 {
        let id = enqueue(&db.store, 3).await;
        let now = now_ms();
        let (a, b, c, d) = tokio::join!(
            db.store.claim_job("worker-a", now, 60_000),
            other.claim_job("worker-b", now, 60_000),
            db.store.claim_job("worker-c", now, 60_000),
            other.claim_job("worker-d", now, 60_000),
        );
        let won: Vec<_> = [a, b, c, d].into_iter().filter_map(Result::unwrap).collect();
        assert_eq!(won.len(), 1, "round {round}: exactly one worker wins, got {won:?}");
        assert_eq!(won[0].id, id);
        assert_eq!(won[0].state, RUNNING);
        assert_eq!(won[0].attempts, 1);
        let winner = won[0].locked_by.clone().unwrap();
        assert!(db.store.finish_job(id, &winner).await.unwrap());
        assert_eq!(db.store.job(id).await.unwrap().unwrap().state, jobs::DONE);
    }
    assert!(db.store.claim_job("worker-a", now_ms(), 60_000).await.unwrap().is_none(), "queue drained");
}

#[tokio::test]
async fn a_failed_job_is_retried_after_back_off_then_marked_failed() {
    let db = testing::fresh().await.unwrap();
    let s = &db.store;
    let id = enqueue(s, 2).await;
    let t0 = now_ms();
    let job = s.claim_job("w1", t0, 60_000).await.unwrap().unwrap();
    assert_eq!(job.id, id);
    let state = s.fail_job(id, "w1", "数据库暂时不可用", t0, 10_000).await.unwrap();
    assert_eq!(state.as_deref(), Some(QUEUED));
    // Not before the back-off has passed.
    assert!(s.claim_job("w2", t0 + 5_000, 60_000).await.unwrap().is_none());
    let again = s.claim_job("w2", t0 + 10_000, 60_000).await.unwrap().unwrap();
    assert_eq!((again.id, again.attempts), (id, 2));
    assert_eq!(again.last_error.as_deref(), Some("数据库暂时不可用"));
    // The last attempt fails: no more retries.
    let state = s.fail_job(id, "w2", "再次失败", t0 + 10_000, 10_000).await.unwrap();
    assert_eq!(state.as_deref(), Some(FAILED));
    assert!(s.claim_job("w3", t0 + 1_000_000, 60_000).await.unwrap().is_none());
    let failed = s.job(id).await.unwrap().unwrap();
    assert_eq!(failed.state, FAILED);
    assert_eq!(failed.attempts, 2);
    assert!(failed.finished_at.is_some());
    // A worker that does not hold the job cannot fail it.
    assert_eq!(s.fail_job(id, "w1", "x", t0, 0).await.unwrap(), None);
}

#[tokio::test]
async fn a_run_out_lease_is_taken_over_and_the_first_worker_cannot_finish() {
    let db = testing::fresh().await.unwrap();
    let s = &db.store;
    let id = enqueue(s, 3).await;
    let t0 = now_ms();
    s.claim_job("slow", t0, 1_000).await.unwrap().unwrap();
    // While the lease holds nobody else gets it.
    assert!(s.claim_job("fast", t0 + 500, 1_000).await.unwrap().is_none());
    // Once it has run out, the job is queued again and claimed.
    let taken = s.claim_job("fast", t0 + 2_000, 60_000).await.unwrap().unwrap();
    assert_eq!((taken.id, taken.attempts, taken.locked_by.as_deref()), (id, 2, Some("fast")));
    assert!(!s.finish_job(id, "slow").await.unwrap(), "the slow worker lost its lease");
    assert!(s.finish_job(id, "fast").await.unwrap());
}

#[tokio::test]
async fn a_job_whose_lease_keeps_running_out_is_failed_after_its_attempts() {
    let db = testing::fresh().await.unwrap();
    let s = &db.store;
    let id = enqueue(s, 1).await;
    let t0 = now_ms();
    s.claim_job("dies", t0, 1_000).await.unwrap().unwrap();
    assert!(s.claim_job("next", t0 + 5_000, 1_000).await.unwrap().is_none());
    let j = s.job(id).await.unwrap().unwrap();
    assert_eq!(j.state, FAILED);
    assert!(j.last_error.unwrap().contains("超时"));
}

fn now_ms() -> i64 {
    testing::clock().now_ms()
}
