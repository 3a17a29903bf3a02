//! Monitoring reports 监测报告 uploaded for the off-site check 非现场检查, the check runs over each
//! batch and their findings 问题线索.
//!
//! A batch is stored as submitted (each line verbatim, with its line number, the uploader and the
//! time) and checked in the background: the upload queues a check run and a job ([`crate::jobs`]) in
//! the same transaction. A worker checks the batch against the registry as it is in the database at
//! that moment and records the findings with [`Store::record_check`], each routed to the department
//! of its duty code (EEB-* → EEB, MSA-* → MSA). A re-check after a registry correction is a new run
//! of the same batch; when it finishes, the findings of the older runs are marked superseded — never
//! deleted — so the history stays visible. Every change is audited in its own transaction.

mod query;

use std::collections::HashMap;

use lianjian_domain::org::{Department, Duty};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sqlx::Row;

use crate::audit::{self, Actor, AuditDraft};
use crate::jobs;
use crate::{Result, Store, StoreError};

pub use query::{BatchRow, FindingFilter, FindingRow, ReportRow, RunRow};

/// The job kind of a batch check; payload `{"run_id": N}`.
pub const CHECK_JOB: &str = "offsite.check";

/// Check-run states.
pub const RUN_QUEUED: &str = "queued";
pub const RUN_DONE: &str = "done";
pub const RUN_FAILED: &str = "failed";

// The upload's lines and its split live with the engine whose reading decides whose reports they
// are (`lianjian_offsite::upload`); re-exported here, where batches are stored.
pub use lianjian_offsite::upload::{split_upload, NotOwn, Refused, ReportLine};

/// An upload to store.
#[derive(Debug, Clone)]
pub struct NewBatch {
    pub file_name: Option<String>,
    /// The uploading institution (institution accounts only).
    pub institution_uscc: Option<String>,
    pub lines: Vec<ReportLine>,
    pub refused: Vec<Refused>,
}

/// What an upload created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Submitted {
    pub batch_id: i64,
    pub run_id: i64,
    pub job_id: i64,
}

/// What a worker needs to check a run: the batch's lines, blank where a line was refused or empty,
/// so the engine's line numbers are the upload's.
#[derive(Debug, Clone)]
pub struct CheckInput {
    pub run_id: i64,
    pub batch_id: i64,
    pub state: String,
    pub text: String,
}

/// One finding as recorded (exchange-formats §3 plus its storage).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewFinding {
    pub rule: String,
    pub severity: String,
    pub duty: String,
    pub institution_uscc: Option<String>,
    pub report_no: Option<String>,
    pub sample_id: Option<String>,
    pub parameter: Option<String>,
    pub message: String,
    pub evidence: Value,
}

/// The department a duty code routes to; an unknown code goes to EEB, which owns the general duty
/// of monitoring done as the specifications require.
pub fn department_of(duty: &str) -> Department {
    duty.parse::<Duty>().map(Duty::department).unwrap_or(Department::Eeb)
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

/// Why findings of a batch uploaded by institution `own` may not be stored, if they may not: a
/// finding naming another institution. Uploads refuse reports of other institutions
/// ([`split_upload`]); this is the last gate, in the transaction that would store them, should a
/// line ever be read differently at upload and at check (issue 15). Findings that name no
/// institution are the uploader's.
pub fn foreign_findings(own: &str, findings: &[NewFinding]) -> Option<String> {
    let mut others: Vec<&str> =
        findings.iter().filter_map(|f| f.institution_uscc.as_deref()).filter(|u| *u != own).collect();
    if others.is_empty() {
        return None;
    }
    let n = others.len();
    others.sort_unstable();
    others.dedup();
    let shown: Vec<String> = others.iter().take(5).map(|u| format!("“{u}”")).collect();
    Some(format!(
        "检查结果未记录:该批次由机构 {own} 报送,但有 {n} 条问题线索指向其他机构({}{});\
         一条问题线索也未记录。请核查该批次的报告行归属后重新检查",
        shown.join("、"),
        if others.len() > shown.len() { " 等" } else { "" }
    ))
}

async fn audited(store: &Store, tx: &mut crate::Tx, draft: AuditDraft) -> Result<()> {
    audit::append(tx, draft, store.now()).await?;
    Ok(())
}

impl Store {
    /// Store an upload and queue its check, in one transaction; audited as `reports.upload`.
    pub async fn submit_reports(&self, actor: &Actor, batch: NewBatch) -> Result<Submitted> {
        let now = self.now_ms();
        let mut tx = self.begin().await?;
        let refused_json = serde_json::to_string(&batch.refused).unwrap_or_else(|_| "[]".into());
        let row = sqlx::query(
            "INSERT INTO report_batches (uploaded_by, uploader_department, uploader_role, institution_uscc, \
             file_name, uploaded_at, report_count, refused_count, refused_json) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(&actor.user)
        .bind(&actor.department)
        .bind(&actor.role)
        .bind(batch.institution_uscc.as_deref())
        .bind(batch.file_name.as_deref())
        .bind(now)
        .bind(batch.lines.len() as i64)
        .bind(batch.refused.len() as i64)
        .bind(&refused_json)
        .fetch_one(&mut *tx)
        .await?;
        let batch_id: i64 = row.try_get(0)?;
        for l in &batch.lines {
            sqlx::query(
                "INSERT INTO reports (batch_id, line_no, report_no, institution_uscc, issued_on, body) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(batch_id)
            .bind(l.line_no)
            .bind(l.report_no.as_deref())
            .bind(l.institution_uscc.as_deref())
            .bind(l.issued_on.as_deref())
            .bind(&l.body)
            .execute(&mut *tx)
            .await?;
        }
        let (run_id, job_id) = queue_run(&mut tx, batch_id, "upload", &actor.user, now).await?;
        let draft =
            AuditDraft::new(actor, "reports.upload", "report_batch", batch_id.to_string()).after(json!({
                "batch_id": batch_id,
                "file_name": batch.file_name,
                "institution_uscc": batch.institution_uscc,
                "reports": batch.lines.len(),
                "refused": batch.refused,
                "run_id": run_id,
            }));
        audited(self, &mut tx, draft).await?;
        crate::commit(tx).await?;
        Ok(Submitted { batch_id, run_id, job_id })
    }

    /// Queue a re-check of a batch (after a registry correction); audited as `reports.recheck`.
    pub async fn request_recheck(
        &self,
        actor: &Actor,
        batch_id: i64,
        note: Option<&str>,
    ) -> Result<Submitted> {
        let now = self.now_ms();
        let mut tx = self.begin().await?;
        let exists = sqlx::query("SELECT id FROM report_batches WHERE id = $1")
            .bind(batch_id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound(format!("报告批次 {batch_id}")));
        }
        let (run_id, job_id) = queue_run(&mut tx, batch_id, "recheck", &actor.user, now).await?;
        let mut draft = AuditDraft::new(actor, "reports.recheck", "report_batch", batch_id.to_string())
            .after(json!({ "batch_id": batch_id, "run_id": run_id }));
        if let Some(n) = note.map(str::trim).filter(|n| !n.is_empty()) {
            draft = draft.note(n);
        }
        audited(self, &mut tx, draft).await?;
        crate::commit(tx).await?;
        Ok(Submitted { batch_id, run_id, job_id })
    }

    /// The input of a check run; `None` for an unknown run.
    pub async fn check_input(&self, run_id: i64) -> Result<Option<CheckInput>> {
        let Some(run) = sqlx::query("SELECT batch_id, state FROM check_runs WHERE id = $1")
            .bind(run_id)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let batch_id: i64 = run.try_get(0)?;
        let state: String = run.try_get(1)?;
        let rows = sqlx::query("SELECT line_no, body FROM reports WHERE batch_id = $1 ORDER BY line_no")
            .bind(batch_id)
            .fetch_all(self.pool())
            .await?;
        let mut lines = Vec::with_capacity(rows.len());
        for r in rows {
            lines.push((r.try_get::<i64, _>(0)?, r.try_get::<String, _>(1)?));
        }
        let text = lianjian_offsite::upload::check_text(lines.iter().map(|(no, body)| (*no, body.as_str())));
        Ok(Some(CheckInput { run_id, batch_id, state, text }))
    }

    /// Record a finished check: its findings (routed by duty), the run's summary, the supersession
    /// of older runs, and — when `job` names the claimed job and its worker — the job marked done, all
    /// in one transaction with the audit entry `reports.check`. Findings that name no institution are
    /// attributed to the uploading institution when there is one; for a batch an institution
    /// uploaded, a finding naming any other institution stores nothing and fails the run
    /// ([`Recorded::Refused`], [`foreign_findings`]).
    #[allow(clippy::too_many_arguments)]
    pub async fn record_check(
        &self,
        actor: &Actor,
        run_id: i64,
        job: Option<(i64, &str)>,
        findings: &[NewFinding],
        summary: &Value,
        registry_sha256: &str,
        methods_source: &str,
        started_at: i64,
    ) -> Result<Recorded> {
        let now = self.now_ms();
        let mut tx = self.begin().await?;
        let run = sqlx::query(
            "SELECT r.batch_id, b.institution_uscc FROM check_runs r JOIN report_batches b ON b.id = r.batch_id \
             WHERE r.id = $1",
        )
        .bind(run_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("检查任务 {run_id}")))?;
        let batch_id: i64 = run.try_get(0)?;
        let batch_uscc: Option<String> = run.try_get(1)?;
        if let Some(message) = batch_uscc.as_deref().and_then(|own| foreign_findings(own, findings)) {
            return self.refuse_check(tx, actor, run_id, batch_id, job, started_at, message).await;
        }
        if let Some((job_id, worker)) = job {
            if !jobs::finish_in(&mut tx, job_id, worker, now).await? {
                tx.rollback().await?;
                return Ok(Recorded::LostLease);
            }
        }

        // A newer run that already finished wins: this run's findings go straight into history.
        let newer: Option<i64> =
            sqlx::query("SELECT MAX(id) FROM check_runs WHERE batch_id = $1 AND id > $2 AND state = 'done'")
                .bind(batch_id)
                .bind(run_id)
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
        let (sup_by, sup_at) = match newer {
            Some(n) => (Some(n), Some(now)),
            None => (None, None),
        };

        let mut by_report_no: HashMap<String, i64> = HashMap::new();
        let mut by_line: HashMap<i64, i64> = HashMap::new();
        for r in
            sqlx::query("SELECT id, line_no, report_no FROM reports WHERE batch_id = $1 ORDER BY line_no")
                .bind(batch_id)
                .fetch_all(&mut *tx)
                .await?
        {
            let id: i64 = r.try_get(0)?;
            by_line.insert(r.try_get(1)?, id);
            if let Some(no) = r.try_get::<Option<String>, _>(2)? {
                by_report_no.entry(no).or_insert(id);
            }
        }
        let mut per_department: HashMap<&'static str, i64> = HashMap::new();
        for f in findings {
            let department = department_of(&f.duty).code();
            *per_department.entry(department).or_default() += 1;
            let report_id = f
                .evidence
                .get("line")
                .and_then(Value::as_i64)
                .filter(|_| f.report_no.is_none())
                .and_then(|l| by_line.get(&l).copied())
                .or_else(|| f.report_no.as_ref().and_then(|n| by_report_no.get(n).copied()));
            let uscc = f.institution_uscc.clone().or_else(|| batch_uscc.clone());
            sqlx::query(
                "INSERT INTO findings (run_id, batch_id, report_id, rule, severity, duty, department, report_no, \
                 institution_uscc, sample_id, parameter, message, evidence_json, created_at, superseded_by, \
                 superseded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            )
            .bind(run_id)
            .bind(batch_id)
            .bind(report_id)
            .bind(&f.rule)
            .bind(&f.severity)
            .bind(&f.duty)
            .bind(department)
            .bind(f.report_no.as_deref())
            .bind(uscc.as_deref())
            .bind(f.sample_id.as_deref())
            .bind(f.parameter.as_deref())
            .bind(&f.message)
            .bind(f.evidence.to_string())
            .bind(now)
            .bind(sup_by)
            .bind(sup_at)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "UPDATE check_runs SET state = 'done', started_at = $1, finished_at = $2, registry_sha256 = $3, \
             methods_source = $4, summary_json = $5, error = NULL, superseded_by = $6, superseded_at = $7 \
             WHERE id = $8",
        )
        .bind(started_at)
        .bind(now)
        .bind(registry_sha256)
        .bind(methods_source)
        .bind(summary.to_string())
        .bind(sup_by)
        .bind(sup_at)
        .bind(run_id)
        .execute(&mut *tx)
        .await?;
        if newer.is_none() {
            sqlx::query(
                "UPDATE findings SET superseded_by = $1, superseded_at = $2 \
                 WHERE batch_id = $3 AND run_id < $1 AND superseded_by IS NULL",
            )
            .bind(run_id)
            .bind(now)
            .bind(batch_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE check_runs SET superseded_by = $1, superseded_at = $2 \
                 WHERE batch_id = $3 AND id < $1 AND state = 'done' AND superseded_by IS NULL",
            )
            .bind(run_id)
            .bind(now)
            .bind(batch_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE report_batches SET current_run = $1 WHERE id = $2")
                .bind(run_id)
                .bind(batch_id)
                .execute(&mut *tx)
                .await?;
        }
        let mut departments: Vec<(&str, i64)> = per_department.into_iter().collect();
        departments.sort();
        let draft =
            AuditDraft::new(actor, "reports.check", "report_batch", batch_id.to_string()).after(json!({
                "batch_id": batch_id,
                "run_id": run_id,
                "findings": findings.len(),
                "by_department": departments
                    .into_iter()
                    .map(|(d, n)| (d.to_owned(), Value::from(n)))
                    .collect::<serde_json::Map<String, Value>>(),
                "registry_sha256": registry_sha256,
                "methods": methods_source,
                "superseded_by": newer,
            }));
        audited(self, &mut tx, draft).await?;
        crate::commit(tx).await?;
        Ok(Recorded::Done { superseded_by: newer })
    }

    /// [`Store::record_check`] of findings that may not be stored ([`foreign_findings`]): the run
    /// failed with `message`, its job failed for good (a re-run reads the same lines), audited as
    /// `reports.check_failed`; no finding stored.
    #[allow(clippy::too_many_arguments)]
    async fn refuse_check(
        &self,
        mut tx: crate::Tx,
        actor: &Actor,
        run_id: i64,
        batch_id: i64,
        job: Option<(i64, &str)>,
        started_at: i64,
        message: String,
    ) -> Result<Recorded> {
        let now = self.now_ms();
        if let Some((job_id, worker)) = job {
            if !jobs::fail_in(&mut tx, job_id, worker, &message, now).await? {
                tx.rollback().await?;
                return Ok(Recorded::LostLease);
            }
        }
        sqlx::query(
            "UPDATE check_runs SET state = 'failed', started_at = $1, finished_at = $2, error = $3 WHERE id = $4",
        )
        .bind(started_at)
        .bind(now)
        .bind(&message)
        .bind(run_id)
        .execute(&mut *tx)
        .await?;
        tracing::error!(run_id, batch_id, %message, "check findings name another institution than the uploader");
        let draft = AuditDraft::new(actor, "reports.check_failed", "report_batch", batch_id.to_string())
            .after(json!({ "batch_id": batch_id, "run_id": run_id, "findings_stored": 0 }))
            .note(&message);
        audited(self, &mut tx, draft).await?;
        crate::commit(tx).await?;
        Ok(Recorded::Refused { message })
    }

    /// A check run that cannot be completed (its job used all its attempts); audited as
    /// `reports.check_failed`.
    pub async fn fail_check_run(&self, actor: &Actor, run_id: i64, error: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let row = sqlx::query("UPDATE check_runs SET state = 'failed', finished_at = $1, error = $2 WHERE id = $3 RETURNING batch_id")
            .bind(self.now_ms())
            .bind(error)
            .bind(run_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("检查任务 {run_id}")))?;
        let batch_id: i64 = row.try_get(0)?;
        let draft = AuditDraft::new(actor, "reports.check_failed", "report_batch", batch_id.to_string())
            .after(json!({ "batch_id": batch_id, "run_id": run_id }))
            .note(error);
        audited(self, &mut tx, draft).await?;
        crate::commit(tx).await
    }

    /// A pre-submission check 报送前自查: nothing is stored but this audit entry
    /// (`reports.validate`) with the counts.
    pub async fn audit_validation(&self, actor: &Actor, summary: Value) -> Result<()> {
        let mut tx = self.begin().await?;
        let object = actor.user.clone();
        audited(
            self,
            &mut tx,
            AuditDraft::new(actor, "reports.validate", "report_validation", object).after(summary),
        )
        .await?;
        crate::commit(tx).await
    }
}

async fn queue_run(
    tx: &mut crate::Tx,
    batch_id: i64,
    reason: &str,
    by: &str,
    now: i64,
) -> Result<(i64, i64)> {
    let run_id: i64 = sqlx::query(
        "INSERT INTO check_runs (batch_id, reason, requested_by, requested_at, state) \
         VALUES ($1, $2, $3, $4, 'queued') RETURNING id",
    )
    .bind(batch_id)
    .bind(reason)
    .bind(by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    let job_id = jobs::enqueue(tx, CHECK_JOB, &json!({ "run_id": run_id }), now).await?;
    Ok((run_id, job_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duty_codes_route_to_their_department() {
        assert_eq!(department_of("MSA-1"), Department::Msa);
        assert_eq!(department_of("EEB-3"), Department::Eeb);
    }
}
