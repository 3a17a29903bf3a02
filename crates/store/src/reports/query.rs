//! Reading batches, runs, reports and findings for the worklists, the batch and report pages, the
//! institution page and the API; and a run's input for the worker.

use sqlx::Row;

use super::rows::{batch_of, finding_of, report_of, run_of, BATCH_COLUMNS, FINDING_COLUMNS, RUN_COLUMNS};
use super::{BatchRow, CheckInput, FindingFilter, FindingRow, ReportRow, RunRow};
use crate::sql::{bind_all, limit_offset, Cell};
use crate::{Result, Store};

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
        let sql = format!("SELECT {RUN_COLUMNS} FROM check_runs r WHERE r.batch_id = $1 ORDER BY r.id DESC");
        let rows = sqlx::query(&sql).bind(batch_id).fetch_all(self.pool()).await?;
        rows.iter().map(run_of).collect()
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
}
