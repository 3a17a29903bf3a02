//! The off-site check of a stored batch 后台检查: the job a worker runs ([`App::run_check`]), the
//! engine run itself ([`App::check_text`], also the pre-submission check's), and recording its
//! findings ([`App::record_check`]) — the last ownership gate, the job's lease, the findings and
//! the audit entry in one transaction.

use lianjian_domain::reports::foreign_findings;
use lianjian_offsite::{Engine, Finding, Summary, Thresholds};
use lianjian_registry::{MethodTable, Snapshot};
use lianjian_store::audit::{self, Actor, AuditDraft};
use lianjian_store::jobs::{self, Job};
use lianjian_store::reports::{write, FinishedRun, RunBatch};
use lianjian_store::Tx;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::to_new_finding;
use crate::worker::Lease;
use crate::{App, Error, Result};

/// A finished engine run.
pub struct Checked {
    pub findings: Vec<Finding>,
    pub summary: Summary,
    pub registry_sha256: String,
    /// `embedded`, or `methods#N` / `rules#N` of the regulator's uploaded versions.
    pub methods_source: String,
}

/// How a finished check was recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// Recorded; the run is the batch's current result (or `superseded_by` a newer finished run).
    Done { superseded_by: Option<i64> },
    /// The job's lease was no longer this worker's: nothing was written.
    LostLease,
    /// Not recorded: the batch was uploaded by an institution and findings name another one. No
    /// finding was stored; the run (and its job, for good) failed with `message`.
    Refused { message: String },
}

/// Runs the engine. Blank lines were listed as refused at upload; the stored text keeps blank
/// lines only as placeholders for refused lines (so that line numbers stay the file's).
fn run_engine(
    snapshot: &Snapshot,
    methods: &MethodTable,
    thresholds: Thresholds,
    text: &str,
) -> (Vec<Finding>, Summary) {
    Engine::new(snapshot, methods, thresholds).with_threads(1).with_blank_line_findings(false).check_str(text)
}

/// Who records a worker's results in the audit chain.
pub(crate) fn worker_actor(worker: &str) -> Actor {
    Actor::system(&format!("offsite-{worker}"))
}

fn run_id_of(job: &Job) -> Option<i64> {
    job.payload.get("run_id").and_then(Value::as_i64)
}

impl App {
    /// Check `text` (JSON Lines) against the registry as it is in the database now, with the engine
    /// configuration in force, on a blocking thread (the engine is CPU-bound).
    pub async fn check_text(&self, text: String) -> Result<Checked> {
        let snapshot = self
            .store()
            .export_registry()
            .await
            .map_err(|e| Error::Internal(format!("读取机构名录失败:{e}")))?;
        let config = self.engine_config().await?;
        tokio::task::spawn_blocking(move || {
            let registry_sha256 = hex::encode(Sha256::digest(snapshot.to_canonical_json().as_bytes()));
            let (findings, summary) = run_engine(&snapshot, &config.methods, config.thresholds, &text);
            Checked { findings, summary, registry_sha256, methods_source: config.source }
        })
        .await
        .map_err(|e| Error::Internal(format!("检查线程异常退出:{e}")))
    }

    /// The check job of a run, for the worker holding `lease`: read the run's input, run the
    /// engine, record the findings. An error is the reason the attempt failed (it is retried).
    pub(crate) async fn run_check(&self, job: &Job, lease: Lease<'_>) -> Result<()> {
        let run_id = run_id_of(job).ok_or_else(|| Error::Internal("任务缺少 run_id".into()))?;
        let started_at = self.store().now_ms();
        let input = self
            .store()
            .check_input(run_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("检查任务 {run_id} 不存在")))?;
        let checked = self.check_text(input.text).await?;
        let run = FinishedRun {
            run_id,
            summary: serde_json::to_value(&checked.summary).unwrap_or_default(),
            findings: checked.findings.into_iter().map(to_new_finding).collect(),
            registry_sha256: checked.registry_sha256,
            methods_source: checked.methods_source,
            started_at,
        };
        match self.record_check(&worker_actor(lease.worker), Some(lease), &run).await? {
            Recorded::LostLease => {
                tracing::warn!(job = job.id, run_id, "lease taken over by another worker; result discarded")
            }
            // The run and its job failed for good, and why was logged (nothing was stored).
            Recorded::Refused { message } => {
                tracing::error!(job = job.id, run_id, %message, "check result refused")
            }
            Recorded::Done { .. } => {}
        }
        Ok(())
    }

    /// Record a finished check: its findings (routed by duty), the run's summary, the supersession
    /// of older runs, and — with the `lease` of the claimed job — the job marked done, all in one
    /// transaction with the audit entry `reports.check`. Findings that name no institution are
    /// attributed to the uploading institution when there is one; for a batch an institution
    /// uploaded, a finding naming any other institution stores nothing and fails the run for good
    /// ([`Recorded::Refused`], `lianjian_domain::reports::foreign_findings`).
    pub async fn record_check(
        &self,
        actor: &Actor,
        lease: Option<Lease<'_>>,
        run: &FinishedRun,
    ) -> Result<Recorded> {
        let store = self.store();
        let now = store.now_ms();
        let mut tx = store.begin().await?;
        let batch = write::run_batch(&mut tx, run.run_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("检查任务 {}", run.run_id)))?;
        let institutions = run.findings.iter().map(|f| f.institution_uscc.as_deref());
        if let Some(message) = batch.uploader.as_deref().and_then(|own| foreign_findings(own, institutions)) {
            return self.refuse_check(tx, actor, lease, &batch, run.started_at, message).await;
        }
        if let Some(l) = lease {
            if !jobs::finish_in(&mut tx, l.job_id, l.worker, now).await? {
                tx.rollback().await.map_err(lianjian_store::StoreError::from)?;
                return Ok(Recorded::LostLease);
            }
        }
        let stored = write::record_run(&mut tx, &batch, run, now).await?;
        let by_department: serde_json::Map<String, Value> =
            stored.by_department.iter().map(|(d, n)| ((*d).to_owned(), Value::from(*n))).collect();
        let draft = AuditDraft::new(actor, "reports.check", "report_batch", batch.batch_id.to_string())
            .after(json!({
                "batch_id": batch.batch_id,
                "run_id": run.run_id,
                "findings": run.findings.len(),
                "by_department": by_department,
                "registry_sha256": run.registry_sha256,
                "methods": run.methods_source,
                "superseded_by": stored.superseded_by,
            }));
        audit::append(&mut tx, draft, store.now()).await?;
        lianjian_store::commit(tx).await?;
        Ok(Recorded::Done { superseded_by: stored.superseded_by })
    }

    /// [`App::record_check`] of findings that may not be stored: the run failed with `message`, its
    /// job failed for good (a re-run reads the same lines), audited as `reports.check_failed`; no
    /// finding stored.
    async fn refuse_check(
        &self,
        mut tx: Tx,
        actor: &Actor,
        lease: Option<Lease<'_>>,
        batch: &RunBatch,
        started_at: i64,
        message: String,
    ) -> Result<Recorded> {
        let store = self.store();
        let now = store.now_ms();
        if let Some(l) = lease {
            if !jobs::fail_in(&mut tx, l.job_id, l.worker, &message, now).await? {
                tx.rollback().await.map_err(lianjian_store::StoreError::from)?;
                return Ok(Recorded::LostLease);
            }
        }
        write::fail_run(&mut tx, batch.run_id, Some(started_at), &message, now).await?;
        tracing::error!(run_id = batch.run_id, batch_id = batch.batch_id, %message, "check findings name another institution than the uploader");
        let draft =
            AuditDraft::new(actor, "reports.check_failed", "report_batch", batch.batch_id.to_string())
                .after(json!({ "batch_id": batch.batch_id, "run_id": batch.run_id, "findings_stored": 0 }))
                .note(&message);
        audit::append(&mut tx, draft, store.now()).await?;
        lianjian_store::commit(tx).await?;
        Ok(Recorded::Refused { message })
    }

    /// A check job that used all its attempts: its run is marked failed with the last `error`,
    /// audited as `reports.check_failed`.
    pub(crate) async fn check_failed_for_good(&self, job: &Job, worker: &str, error: &str) -> Result<()> {
        let Some(run_id) = run_id_of(job) else { return Ok(()) };
        let store = self.store();
        let mut tx = store.begin().await?;
        let batch_id = write::fail_run(&mut tx, run_id, None, error, store.now_ms())
            .await?
            .ok_or_else(|| Error::NotFound(format!("检查任务 {run_id}")))?;
        let draft = AuditDraft::new(
            &worker_actor(worker),
            "reports.check_failed",
            "report_batch",
            batch_id.to_string(),
        )
        .after(json!({ "batch_id": batch_id, "run_id": run_id }))
        .note(error);
        audit::append(&mut tx, draft, store.now()).await?;
        lianjian_store::commit(tx).await?;
        Ok(())
    }
}
