//! The rows of batches, runs, reports and findings as the reads return them, each mapped from its
//! columns in one place, and the findings filter of the worklists and pages.

use serde::Serialize;
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::sql::Cell;
use crate::Result;

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
    /// The line as submitted (only filled by `Store::report`).
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
    pub(super) fn clause(&self) -> (String, Vec<Cell>) {
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

pub(super) const FINDING_COLUMNS: &str = "id, run_id, batch_id, report_id, rule, severity, duty, department, report_no, \
     institution_uscc, sample_id, parameter, message, evidence_json, created_at, superseded_by, superseded_at";

pub(super) fn finding_of(r: &AnyRow) -> Result<FindingRow> {
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

pub(super) const BATCH_COLUMNS: &str =
    "b.id, b.uploaded_by, b.uploader_department, b.uploader_role, b.institution_uscc, \
     b.file_name, b.uploaded_at, b.report_count, b.refused_count, b.refused_json, b.current_run, \
     (SELECT r.state FROM check_runs r WHERE r.batch_id = b.id ORDER BY r.id DESC LIMIT 1), \
     (SELECT COUNT(*) FROM findings f WHERE f.batch_id = b.id AND f.superseded_by IS NULL)";

pub(super) fn batch_of(r: &AnyRow) -> Result<BatchRow> {
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
pub(super) fn report_of(r: &AnyRow, with_body: bool) -> Result<ReportRow> {
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

pub(super) const RUN_COLUMNS: &str =
    "r.id, r.batch_id, r.reason, r.requested_by, r.requested_at, r.state, r.started_at, \
     r.finished_at, r.registry_sha256, r.methods_source, r.summary_json, r.error, r.superseded_by, \
     r.superseded_at, (SELECT COUNT(*) FROM findings f WHERE f.run_id = r.id)";

pub(super) fn run_of(r: &AnyRow) -> Result<RunRow> {
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
}
