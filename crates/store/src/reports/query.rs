//! Reading batches, runs, reports and findings for the worklists, the batch and report pages, the
//! institution page and the API.

use serde::Serialize;
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::sql::{bind_all, limit_offset, Cell};
use crate::{Result, Store};

/// A batch with its newest run's state.
#[derive(Debug, Clone, Serialize)]
pub struct BatchRow {
    pub id: i64,
    pub uploaded_by: String,
    pub uploader_department: String,
    pub uploader_role: String,
    pub institution_uscc: Option<String>,
    pub file_name: Option<String>,
    pub uploaded_at: i64,
    pub report_count: i64,
    pub refused_count: i64,
    pub refused: Value,
    pub current_run: Option<i64>,
    /// State of the newest run (queued / done / failed).
    pub latest_state: Option<String>,
    /// Findings of the current result.
    pub current_findings: i64,
}

/// A check run of a batch.
#[derive(Debug, Clone, Serialize)]
pub struct RunRow {
    pub id: i64,
    pub batch_id: i64,
    pub reason: String,
    pub requested_by: String,
    pub requested_at: i64,
    pub state: String,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub registry_sha256: Option<String>,
    pub methods_source: Option<String>,
    pub summary: Value,
    pub error: Option<String>,
    pub superseded_by: Option<i64>,
    pub superseded_at: Option<i64>,
    pub findings: i64,
}

/// A stored report line.
#[derive(Debug, Clone, Serialize)]
pub struct ReportRow {
    pub id: i64,
    pub batch_id: i64,
    pub line_no: i64,
    pub report_no: Option<String>,
    pub institution_uscc: Option<String>,
    pub issued_on: Option<String>,
    /// The line as submitted (only filled by [`Store::report`]).
    pub body: Option<String>,
}

/// A stored finding.
#[derive(Debug, Clone, Serialize)]
pub struct FindingRow {
    pub id: i64,
    pub run_id: i64,
    pub batch_id: i64,
    pub report_id: Option<i64>,
    pub rule: String,
    pub severity: String,
    pub duty: String,
    pub department: String,
    pub report_no: Option<String>,
    pub institution_uscc: Option<String>,
    pub sample_id: Option<String>,
    pub parameter: Option<String>,
    pub message: String,
    pub evidence: Value,
    pub created_at: i64,
    pub superseded_by: Option<i64>,
    pub superseded_at: Option<i64>,
}

/// Which findings to list. Empty = every current finding.
#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    pub department: Option<String>,
    pub batch_id: Option<i64>,
    pub report_id: Option<i64>,
    pub institution_uscc: Option<String>,
    pub rule: Option<String>,
    pub severity: Option<String>,
    /// Also list findings superseded by a re-check (history).
    pub include_superseded: bool,
}

impl FindingFilter {
    fn clause(&self) -> (String, Vec<Cell>) {
        let mut conds: Vec<String> = Vec::new();
        let mut binds = Vec::new();
        let mut push = |col: &str, b: Cell| {
            binds.push(b);
            conds.push(format!("{col} = ${}", binds.len()));
        };
        if let Some(d) = &self.department {
            push("department", Cell::Text(d.clone()));
        }
        if let Some(b) = self.batch_id {
            push("batch_id", Cell::Int(b));
        }
        if let Some(r) = self.report_id {
            push("report_id", Cell::Int(r));
        }
        if let Some(u) = &self.institution_uscc {
            push("institution_uscc", Cell::Text(u.clone()));
        }
        if let Some(r) = &self.rule {
            push("rule", Cell::Text(r.clone()));
        }
        if let Some(s) = &self.severity {
            push("severity", Cell::Text(s.clone()));
        }
        if !self.include_superseded {
            conds.push("superseded_by IS NULL".into());
        }
        let sql = if conds.is_empty() { String::new() } else { format!(" WHERE {}", conds.join(" AND ")) };
        (sql, binds)
    }
}

const FINDING_COLUMNS: &str = "id, run_id, batch_id, report_id, rule, severity, duty, department, report_no, \
     institution_uscc, sample_id, parameter, message, evidence_json, created_at, superseded_by, superseded_at";

fn finding_of(r: &AnyRow) -> Result<FindingRow> {
    let evidence: String = r.try_get(13)?;
    Ok(FindingRow {
        id: r.try_get(0)?,
        run_id: r.try_get(1)?,
        batch_id: r.try_get(2)?,
        report_id: r.try_get(3)?,
        rule: r.try_get(4)?,
        severity: r.try_get(5)?,
        duty: r.try_get(6)?,
        department: r.try_get(7)?,
        report_no: r.try_get(8)?,
        institution_uscc: r.try_get(9)?,
        sample_id: r.try_get(10)?,
        parameter: r.try_get(11)?,
        message: r.try_get(12)?,
        evidence: serde_json::from_str(&evidence).unwrap_or(Value::Null),
        created_at: r.try_get(14)?,
        superseded_by: r.try_get(15)?,
        superseded_at: r.try_get(16)?,
    })
}

const BATCH_COLUMNS: &str =
    "b.id, b.uploaded_by, b.uploader_department, b.uploader_role, b.institution_uscc, \
     b.file_name, b.uploaded_at, b.report_count, b.refused_count, b.refused_json, b.current_run, \
     (SELECT r.state FROM check_runs r WHERE r.batch_id = b.id ORDER BY r.id DESC LIMIT 1), \
     (SELECT COUNT(*) FROM findings f WHERE f.batch_id = b.id AND f.superseded_by IS NULL)";

fn batch_of(r: &AnyRow) -> Result<BatchRow> {
    let refused: String = r.try_get(9)?;
    Ok(BatchRow {
        id: r.try_get(0)?,
        uploaded_by: r.try_get(1)?,
        uploader_department: r.try_get(2)?,
        uploader_role: r.try_get(3)?,
        institution_uscc: r.try_get(4)?,
        file_name: r.try_get(5)?,
        uploaded_at: r.try_get(6)?,
        report_count: r.try_get(7)?,
        refused_count: r.try_get(8)?,
        refused: serde_json::from_str(&refused).unwrap_or(Value::Null),
        current_run: r.try_get(10)?,
        latest_state: r.try_get(11)?,
        current_findings: r.try_get(12)?,
    })
}

/// A report row from `id, batch_id, line_no, report_no, institution_uscc, issued_on[, body]`.
fn report_of(r: &AnyRow, with_body: bool) -> Result<ReportRow> {
    Ok(ReportRow {
        id: r.try_get(0)?,
        batch_id: r.try_get(1)?,
        line_no: r.try_get(2)?,
        report_no: r.try_get(3)?,
        institution_uscc: r.try_get(4)?,
        issued_on: r.try_get(5)?,
        body: if with_body { r.try_get(6)? } else { None },
    })
}

impl Store {
    /// Findings matching `filter`, newest run first, then in the engine's order; `limit` ≤ 0 = all.
    pub async fn findings(&self, filter: &FindingFilter, limit: i64, offset: i64) -> Result<Vec<FindingRow>> {
        let (clause, binds) = filter.clause();
        let n = binds.len();
        let page = if limit > 0 { limit_offset(n) } else { String::new() };
        let sql = format!("SELECT {FINDING_COLUMNS} FROM findings{clause} ORDER BY run_id DESC, id{page}");
        let mut q = bind_all(sqlx::query(&sql), &binds);
        if limit > 0 {
            q = q.bind(limit).bind(offset.max(0));
        }
        q.fetch_all(self.pool()).await?.iter().map(finding_of).collect()
    }

    /// How many findings match `filter`.
    pub async fn count_findings(&self, filter: &FindingFilter) -> Result<i64> {
        let (clause, binds) = filter.clause();
        let sql = format!("SELECT COUNT(*) FROM findings{clause}");
        Ok(bind_all(sqlx::query(&sql), &binds).fetch_one(self.pool()).await?.try_get(0)?)
    }

    pub async fn finding(&self, id: i64) -> Result<Option<FindingRow>> {
        let row = sqlx::query(&format!("SELECT {FINDING_COLUMNS} FROM findings WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(finding_of).transpose()
    }

    /// Batches, newest first; only one institution's when `institution` is given.
    pub async fn report_batches(
        &self,
        institution: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<BatchRow>> {
        let (clause, binds) = match institution {
            Some(u) => (" WHERE b.institution_uscc = $1", vec![Cell::Text(u.to_owned())]),
            None => ("", Vec::new()),
        };
        let n = binds.len();
        let sql = format!(
            "SELECT {BATCH_COLUMNS} FROM report_batches b{clause} ORDER BY b.id DESC{}",
            limit_offset(n)
        );
        let rows =
            bind_all(sqlx::query(&sql), &binds).bind(limit).bind(offset).fetch_all(self.pool()).await?;
        rows.iter().map(batch_of).collect()
    }

    pub async fn report_batch(&self, id: i64) -> Result<Option<BatchRow>> {
        let row = sqlx::query(&format!("SELECT {BATCH_COLUMNS} FROM report_batches b WHERE b.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(batch_of).transpose()
    }

    /// The check runs of a batch, newest first.
    pub async fn check_runs(&self, batch_id: i64) -> Result<Vec<RunRow>> {
        let rows = sqlx::query(
            "SELECT r.id, r.batch_id, r.reason, r.requested_by, r.requested_at, r.state, r.started_at, \
             r.finished_at, r.registry_sha256, r.methods_source, r.summary_json, r.error, r.superseded_by, \
             r.superseded_at, (SELECT COUNT(*) FROM findings f WHERE f.run_id = r.id) \
             FROM check_runs r WHERE r.batch_id = $1 ORDER BY r.id DESC",
        )
        .bind(batch_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let summary: Option<String> = r.try_get(10)?;
                Ok(RunRow {
                    id: r.try_get(0)?,
                    batch_id: r.try_get(1)?,
                    reason: r.try_get(2)?,
                    requested_by: r.try_get(3)?,
                    requested_at: r.try_get(4)?,
                    state: r.try_get(5)?,
                    started_at: r.try_get(6)?,
                    finished_at: r.try_get(7)?,
                    registry_sha256: r.try_get(8)?,
                    methods_source: r.try_get(9)?,
                    summary: summary.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or(Value::Null),
                    error: r.try_get(11)?,
                    superseded_by: r.try_get(12)?,
                    superseded_at: r.try_get(13)?,
                    findings: r.try_get(14)?,
                })
            })
            .collect()
    }

    /// The reports of a batch in line order (without their bodies).
    pub async fn batch_reports(&self, batch_id: i64) -> Result<Vec<ReportRow>> {
        let rows = sqlx::query(
            "SELECT id, batch_id, line_no, report_no, institution_uscc, issued_on FROM reports \
             WHERE batch_id = $1 ORDER BY line_no",
        )
        .bind(batch_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| report_of(r, false)).collect()
    }

    /// One stored report with its body.
    pub async fn report(&self, id: i64) -> Result<Option<ReportRow>> {
        let row = sqlx::query(
            "SELECT id, batch_id, line_no, report_no, institution_uscc, issued_on, body FROM reports WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(|r| report_of(r, true)).transpose()
    }
}
