//! Writing batches, check runs and findings, inside the caller's transaction. Nothing here
//! validates or audits: the use case has decided, and appends its audit entry in the same
//! transaction.

use std::collections::HashMap;

use serde_json::{json, Value};
use sqlx::{AnyConnection, Row};

use super::{department_of, FinishedRun, NewBatch, NewFinding, RunBatch, Stored, CHECK_JOB};
use crate::audit::Actor;
use crate::{jobs, Result};

/// Store an upload as a new batch of `by`: each line verbatim with its line number, and the
/// refused lines listed. Returns the batch id.
pub async fn insert_batch(conn: &mut AnyConnection, by: &Actor, batch: &NewBatch, now: i64) -> Result<i64> {
    let refused_json = serde_json::to_string(&batch.refused).unwrap_or_else(|_| "[]".into());
    let row = sqlx::query(
        "INSERT INTO report_batches (uploaded_by, uploader_department, uploader_role, institution_uscc, \
         file_name, uploaded_at, report_count, refused_count, refused_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(&by.user)
    .bind(&by.department)
    .bind(&by.role)
    .bind(batch.institution_uscc.as_deref())
    .bind(batch.file_name.as_deref())
    .bind(now)
    .bind(batch.lines.len() as i64)
    .bind(batch.refused.len() as i64)
    .bind(&refused_json)
    .fetch_one(&mut *conn)
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
        .execute(&mut *conn)
        .await?;
    }
    Ok(batch_id)
}

/// Queue a check run of a batch (`reason`: `upload` or `recheck`) and its job; returns the run's
/// and the job's ids.
pub async fn queue_run(
    conn: &mut AnyConnection,
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
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?;
    let job_id = jobs::enqueue(conn, CHECK_JOB, &json!({ "run_id": run_id }), now).await?;
    Ok((run_id, job_id))
}

/// Whether a batch exists, read inside the caller's transaction.
pub async fn batch_exists(conn: &mut AnyConnection, batch_id: i64) -> Result<bool> {
    let row = sqlx::query("SELECT id FROM report_batches WHERE id = $1")
        .bind(batch_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.is_some())
}

/// The batch of a run and who uploaded it, read inside the caller's transaction; `None` for an
/// unknown run.
pub async fn run_batch(conn: &mut AnyConnection, run_id: i64) -> Result<Option<RunBatch>> {
    let row = sqlx::query(
        "SELECT r.batch_id, b.institution_uscc FROM check_runs r JOIN report_batches b ON b.id = r.batch_id \
         WHERE r.id = $1",
    )
    .bind(run_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| Ok(RunBatch { run_id, batch_id: r.try_get(0)?, uploader: r.try_get(1)? })).transpose()
}

/// Record a finished run of `batch`: its findings (routed by duty, each linked to its report —
/// by report number, or by line for a line that is not a report — and attributed to the uploading
/// institution when they name none), the run's summary, and the supersession of the batch's older
/// runs; or, when a newer run already finished, this run's findings straight into history.
pub async fn record_run(
    conn: &mut AnyConnection,
    batch: &RunBatch,
    run: &FinishedRun,
    now: i64,
) -> Result<Stored> {
    let batch_id = batch.batch_id;
    let newer: Option<i64> =
        sqlx::query("SELECT MAX(id) FROM check_runs WHERE batch_id = $1 AND id > $2 AND state = 'done'")
            .bind(batch_id)
            .bind(run.run_id)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
    let superseded = newer.map(|n| (n, now));
    let by_department = insert_findings(conn, batch, &run.findings, superseded, now).await?;
    sqlx::query(
        "UPDATE check_runs SET state = 'done', started_at = $1, finished_at = $2, registry_sha256 = $3, \
         methods_source = $4, summary_json = $5, error = NULL, superseded_by = $6, superseded_at = $7 \
         WHERE id = $8",
    )
    .bind(run.started_at)
    .bind(now)
    .bind(&run.registry_sha256)
    .bind(&run.methods_source)
    .bind(run.summary.to_string())
    .bind(newer)
    .bind(superseded.map(|(_, at)| at))
    .bind(run.run_id)
    .execute(&mut *conn)
    .await?;
    if newer.is_none() {
        supersede_older(conn, batch_id, run.run_id, now).await?;
    }
    Ok(Stored { superseded_by: newer, by_department })
}

/// Insert the findings of a run; returns how many went to each department, sorted by code.
async fn insert_findings(
    conn: &mut AnyConnection,
    batch: &RunBatch,
    findings: &[NewFinding],
    superseded: Option<(i64, i64)>,
    now: i64,
) -> Result<Vec<(&'static str, i64)>> {
    let mut by_report_no: HashMap<String, i64> = HashMap::new();
    let mut by_line: HashMap<i64, i64> = HashMap::new();
    for r in sqlx::query("SELECT id, line_no, report_no FROM reports WHERE batch_id = $1 ORDER BY line_no")
        .bind(batch.batch_id)
        .fetch_all(&mut *conn)
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
        let uscc = f.institution_uscc.as_deref().or(batch.uploader.as_deref());
        sqlx::query(
            "INSERT INTO findings (run_id, batch_id, report_id, rule, severity, duty, department, report_no, \
             institution_uscc, sample_id, parameter, message, evidence_json, created_at, superseded_by, \
             superseded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(batch.run_id)
        .bind(batch.batch_id)
        .bind(report_id)
        .bind(&f.rule)
        .bind(&f.severity)
        .bind(&f.duty)
        .bind(department)
        .bind(f.report_no.as_deref())
        .bind(uscc)
        .bind(f.sample_id.as_deref())
        .bind(f.parameter.as_deref())
        .bind(&f.message)
        .bind(f.evidence.to_string())
        .bind(now)
        .bind(superseded.map(|(by, _)| by))
        .bind(superseded.map(|(_, at)| at))
        .execute(&mut *conn)
        .await?;
    }
    let mut departments: Vec<(&'static str, i64)> = per_department.into_iter().collect();
    departments.sort_unstable();
    Ok(departments)
}

/// The findings and finished runs of the batch older than `run_id` are superseded by it, and it
/// becomes the batch's current result.
async fn supersede_older(conn: &mut AnyConnection, batch_id: i64, run_id: i64, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE findings SET superseded_by = $1, superseded_at = $2 \
         WHERE batch_id = $3 AND run_id < $1 AND superseded_by IS NULL",
    )
    .bind(run_id)
    .bind(now)
    .bind(batch_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE check_runs SET superseded_by = $1, superseded_at = $2 \
         WHERE batch_id = $3 AND id < $1 AND state = 'done' AND superseded_by IS NULL",
    )
    .bind(run_id)
    .bind(now)
    .bind(batch_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE report_batches SET current_run = $1 WHERE id = $2")
        .bind(run_id)
        .bind(batch_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Mark a run failed with `error` (and when it started, if it did). Returns its batch, or `None`
/// for an unknown run. Its job's state is the caller's (`jobs::fail_in`, `Store::fail_job`).
pub async fn fail_run(
    conn: &mut AnyConnection,
    run_id: i64,
    started_at: Option<i64>,
    error: &str,
    now: i64,
) -> Result<Option<i64>> {
    let row = sqlx::query(
        "UPDATE check_runs SET state = 'failed', started_at = COALESCE($1, started_at), finished_at = $2, \
         error = $3 WHERE id = $4 RETURNING batch_id",
    )
    .bind(started_at)
    .bind(now)
    .bind(error)
    .bind(run_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| r.try_get(0)).transpose().map_err(Into::into)
}
