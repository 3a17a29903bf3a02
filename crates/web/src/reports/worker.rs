//! Background workers 后台检查: claim check jobs from the database queue, run the off-site engine
//! against the registry as it is in the database, record the findings.
//!
//! Any number of workers in any number of processes may run: the queue hands each job to one of them
//! ([`lianjian_store::jobs`]). A worker that dies mid-check loses its lease and the job is retried by
//! another; one whose lease was taken over cannot record its (stale) result. A check that keeps
//! failing is retried with back-off and then marked failed on its batch page.

use std::time::Duration;

use lianjian_offsite::{Finding, Summary};
use lianjian_store::audit::Actor;
use lianjian_store::jobs::{Job, FAILED};
use lianjian_store::reports::{Recorded, CHECK_JOB};
use lianjian_store::Store;
use sha2::{Digest, Sha256};
use tokio::task::JoinHandle;

use super::{run_engine, to_new_finding};

/// A claimed job is this worker's for this long; a check of a city's daily batch takes seconds.
pub const LEASE_MS: i64 = 10 * 60_000;
/// Back-off per attempt after a failure.
pub const BACKOFF_MS: i64 = 30_000;
/// How often an idle worker looks at the queue.
pub const POLL: Duration = Duration::from_millis(1_000);

/// Where the method table came from (recorded on each run).
pub const METHODS_EMBEDDED: &str = "embedded";

/// A finished engine run.
pub struct Checked {
    pub findings: Vec<Finding>,
    pub summary: Summary,
    pub registry_sha256: String,
    /// `embedded`, or `methods#N` / `rules#N` of the regulator's uploaded versions.
    pub methods_source: String,
}

/// Start `n` workers on the current Tokio runtime. They run until aborted (the server aborts them
/// on shutdown; an interrupted job is retried once its lease runs out).
pub fn spawn_workers(store: Store, n: usize) -> Vec<JoinHandle<()>> {
    let process = format!("{}-{}", std::process::id(), &crate::auth::random_token()[..8]);
    (0..n)
        .map(|i| {
            let store = store.clone();
            let name = format!("worker-{process}-{i}");
            tokio::spawn(async move {
                loop {
                    match run_once(&store, &name).await {
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
pub async fn run_once(store: &Store, worker: &str) -> Result<bool, lianjian_store::StoreError> {
    let Some(job) = store.claim_job(worker, store.now_ms(), LEASE_MS).await? else {
        return Ok(false);
    };
    let outcome = match job.kind.as_str() {
        CHECK_JOB => run_check(store, &job, worker).await,
        other => Err(format!("未知的任务类型 {other}")),
    };
    if let Err(error) = outcome {
        tracing::warn!(job = job.id, attempt = job.attempts, %error, "job failed");
        let state = store.fail_job(job.id, worker, &error, store.now_ms(), BACKOFF_MS).await?;
        if state.as_deref() == Some(FAILED) {
            if let Some(run_id) = job.payload.get("run_id").and_then(serde_json::Value::as_i64) {
                store.fail_check_run(&actor(worker), run_id, &error).await?;
            }
        }
    }
    Ok(true)
}

/// Process every ready job (tests and the CLI use this instead of waiting for the workers).
pub async fn drain(store: &Store, worker: &str) -> Result<usize, lianjian_store::StoreError> {
    let mut n = 0;
    while run_once(store, worker).await? {
        n += 1;
    }
    Ok(n)
}

fn actor(worker: &str) -> Actor {
    Actor::system(&format!("offsite-{worker}"))
}

/// Check `text` (JSON Lines) against the registry as it is in the database now, on a blocking
/// thread (the engine is CPU-bound).
pub async fn check_text(store: &Store, text: String) -> Result<Checked, String> {
    let snapshot = store.export_registry().await.map_err(|e| format!("读取机构名录失败:{e}"))?;
    let config = super::config::engine_config(store).await?;
    tokio::task::spawn_blocking(move || {
        let registry_sha256 = hex::encode(Sha256::digest(snapshot.to_canonical_json().as_bytes()));
        let (findings, summary) = run_engine(&snapshot, &config.methods, config.params, &text);
        Checked { findings, summary, registry_sha256, methods_source: config.source }
    })
    .await
    .map_err(|e| format!("检查线程异常退出:{e}"))
}

async fn run_check(store: &Store, job: &Job, worker: &str) -> Result<(), String> {
    let run_id = job
        .payload
        .get("run_id")
        .and_then(serde_json::Value::as_i64)
        .ok_or_else(|| "任务缺少 run_id".to_owned())?;
    let started = store.now_ms();
    let input = store
        .check_input(run_id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("检查任务 {run_id} 不存在"))?;
    let checked = check_text(store, input.text).await?;
    let summary = serde_json::to_value(&checked.summary).unwrap_or_default();
    let findings: Vec<_> = checked.findings.into_iter().map(to_new_finding).collect();
    let recorded = store
        .record_check(
            &actor(worker),
            run_id,
            Some((job.id, worker)),
            &findings,
            &summary,
            &checked.registry_sha256,
            &checked.methods_source,
            started,
        )
        .await
        .map_err(|e| e.to_string())?;
    match recorded {
        Recorded::LostLease => {
            tracing::warn!(job = job.id, run_id, "lease taken over by another worker; result discarded")
        }
        // The store failed the run and its job for good, and logged why (nothing was stored).
        Recorded::Refused { message } => {
            tracing::error!(job = job.id, run_id, %message, "check result refused")
        }
        Recorded::Done { .. } => {}
    }
    Ok(())
}
