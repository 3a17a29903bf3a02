//! Background workers 后台任务: claim jobs from the database queue and run them — today the
//! off-site check of a filed batch ([`crate::reports::check`]); the jobs to come add an arm to
//! [`run_once`].
//!
//! Any number of workers in any number of processes may run: the queue hands each job to one of them
//! (`lianjian_store::jobs`). A worker that dies mid-job loses its lease and the job is retried by
//! another; one whose lease was taken over cannot record its (stale) result. A job that keeps
//! failing is retried with back-off and then marked failed, and its object says so (a check's
//! batch page shows the failed run).

use std::time::Duration;

use lianjian_store::jobs::{Job, FAILED};
use lianjian_store::reports::CHECK_JOB;
use tokio::task::JoinHandle;

use crate::password::random_token;
use crate::{App, Error, Result};

/// A claimed job is this worker's for this long; a check of a city's daily batch takes seconds.
pub const LEASE_MS: i64 = 10 * 60_000;
/// Back-off per attempt after a failure.
pub const BACKOFF_MS: i64 = 30_000;
/// How often an idle worker looks at the queue.
pub const POLL: Duration = Duration::from_millis(1_000);

/// A claimed job as its worker holds it: what the transaction recording the job's result checks
/// (the job must still be this worker's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease<'a> {
    pub job_id: i64,
    pub worker: &'a str,
}

/// Start `n` workers on the current Tokio runtime. They run until aborted (the server aborts them
/// on shutdown; an interrupted job is retried once its lease runs out).
pub fn spawn_workers(app: App, n: usize) -> Vec<JoinHandle<()>> {
    let process = format!("{}-{}", std::process::id(), &random_token()[..8]);
    (0..n)
        .map(|i| {
            let app = app.clone();
            let name = format!("worker-{process}-{i}");
            tokio::spawn(async move {
                loop {
                    match run_once(&app, &name).await {
                        Ok(true) => continue,
                        Ok(false) => {}
                        Err(e) => tracing::warn!(worker = %name, error = %e, "job queue unavailable"),
                    }
                    tokio::time::sleep(POLL).await;
                }
            })
        })
        .collect()
}

/// Claim and run one job; `Ok(false)` when the queue had nothing ready.
pub async fn run_once(app: &App, worker: &str) -> Result<bool> {
    let store = app.store();
    let Some(job) = store.claim_job(worker, store.now_ms(), LEASE_MS).await? else {
        return Ok(false);
    };
    let lease = Lease { job_id: job.id, worker };
    let outcome = match job.kind.as_str() {
        CHECK_JOB => app.run_check(&job, lease).await,
        other => Err(Error::Internal(format!("未知的任务类型 {other}"))),
    };
    if let Err(error) = outcome {
        let error = error.to_string();
        tracing::warn!(job = job.id, attempt = job.attempts, %error, "job failed");
        let state = store.fail_job(job.id, worker, &error, store.now_ms(), BACKOFF_MS).await?;
        if state.as_deref() == Some(FAILED) {
            failed_for_good(app, &job, worker, &error).await?;
        }
    }
    Ok(true)
}

/// A job that used all its attempts: its object records the failure.
async fn failed_for_good(app: &App, job: &Job, worker: &str, error: &str) -> Result<()> {
    match job.kind.as_str() {
        CHECK_JOB => app.check_failed_for_good(job, worker, error).await,
        _ => Ok(()),
    }
}

/// Run every ready job (tests, the demo and the CLI use this instead of waiting for the workers).
pub async fn drain(app: &App, worker: &str) -> Result<usize> {
    let mut n = 0;
    while run_once(app, worker).await? {
        n += 1;
    }
    Ok(n)
}
