//! Partner-department lists 协作部门机构名单 (R11, exchange-formats §4) in the database: each reporting
//! department — EEB and the five partner departments — sends MSA, per period, the institutions doing
//! its enforcement (行政执法) and government-commissioned (政府委托) monitoring; those institutions enter
//! the random-inspection pool.
//!
//! Every upload is kept as a numbered version with its submission day; the latest version is the
//! list, the first one decides timeliness (`lianjian_domain::partner` holds periods, deadlines, the
//! row checks and how days overdue are counted). The use cases check and audit; this module reads
//! (methods on [`Store`]) and writes a version inside the caller's transaction.

use std::collections::BTreeMap;

use lianjian_domain::org::{Category, Department};
use lianjian_domain::partner::Period;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::Date;

use crate::sql::{code, day, decode, ymd};
use crate::{Result, Store};

pub use lianjian_domain::partner::{reporting_departments, Commission, PartnerListRow};

/// One stored version of a department's list for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubmissionSummary {
    pub id: i64,
    pub department: Department,
    pub period: Period,
    pub version: i64,
    #[serde(with = "lianjian_domain::date::ymd")]
    pub submitted_on: Date,
    pub submitted_by: String,
    pub rows: i64,
    /// Distinct institutions (USCCs) listed.
    pub institutions: i64,
}

/// The list in force for a department and period: the latest version, with its rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartnerList {
    pub summary: SubmissionSummary,
    /// Every version, oldest first (the last is `summary`).
    pub versions: Vec<SubmissionSummary>,
    pub rows: Vec<PartnerListRow>,
}

/// Which lists [`Store::listed_institutions`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListScope {
    /// The latest version of each department's list for this period.
    Period(Period),
    /// As known on this day: for each department, its newest period with a submission on or before
    /// the day, in the latest version submitted by then.
    AsOf(Date),
}

/// An institution some department listed: it does enforcement or government-commissioned
/// monitoring in these categories, so it belongs in the random pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListedInstitution {
    pub uscc: String,
    /// The name as the (first, in department order) listing department wrote it.
    pub name: String,
    pub categories: Vec<Category>,
    pub departments: Vec<Department>,
    pub commissions: Vec<Commission>,
}

/// A version to store, its rows already checked (`lianjian_domain::partner::validate_rows`).
pub struct NewSubmission<'a> {
    pub department: Department,
    pub period: Period,
    pub version: i64,
    pub submitted_on: Date,
    pub submitted_by: &'a str,
    pub rows: &'a [PartnerListRow],
}

fn summary_from_row(row: &AnyRow) -> Result<SubmissionSummary> {
    Ok(SubmissionSummary {
        id: row.try_get("id")?,
        department: code(&row.try_get::<String, _>("department")?)?,
        period: row.try_get::<String, _>("period")?.parse().map_err(|e| decode(format!("{e}")))?,
        version: row.try_get("version")?,
        submitted_on: day(&row.try_get::<String, _>("submitted_on")?)?,
        submitted_by: row.try_get("submitted_by")?,
        rows: row.try_get("row_count")?,
        institutions: row.try_get("institutions")?,
    })
}

fn list_row_from_row(row: &AnyRow) -> Result<PartnerListRow> {
    Ok(PartnerListRow {
        uscc: row.try_get("uscc")?,
        institution_name: row.try_get("institution_name")?,
        category: code(&row.try_get::<String, _>("category")?)?,
        project: row.try_get("project")?,
        commission: code(&row.try_get::<String, _>("commission")?)?,
    })
}

/// Submission versions, by department, period and version; optionally one department's, one
/// period's, or only those submitted on or before a day.
pub async fn summaries(
    conn: &mut AnyConnection,
    department: Option<Department>,
    period: Option<Period>,
    by: Option<Date>,
) -> Result<Vec<SubmissionSummary>> {
    let rows = sqlx::query(
        "SELECT s.id, s.department, s.period, s.version, s.submitted_on, s.submitted_by, s.row_count, \
         (SELECT COUNT(DISTINCT r.uscc) FROM partner_list_rows r WHERE r.submission_id = s.id) AS institutions \
         FROM partner_list_submissions s WHERE ($1 IS NULL OR s.department = $1) \
         AND ($2 IS NULL OR s.period = $2) AND ($3 IS NULL OR s.submitted_on <= $3) \
         ORDER BY s.department, s.period, s.version",
    )
    .bind(department.map(|d| d.code()))
    .bind(period.map(|p| p.code()))
    .bind(by.map(ymd))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(summary_from_row).collect()
}

async fn rows_of(conn: &mut AnyConnection, submission_id: i64) -> Result<Vec<PartnerListRow>> {
    let rows = sqlx::query(
        "SELECT uscc, institution_name, category, project, commission FROM partner_list_rows \
         WHERE submission_id = $1 ORDER BY row_no",
    )
    .bind(submission_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(list_row_from_row).collect()
}

/// Store a version with its rows; returns its id.
pub async fn insert(conn: &mut AnyConnection, s: &NewSubmission<'_>, now_ms: i64) -> Result<i64> {
    let id: i64 = sqlx::query(
        "INSERT INTO partner_list_submissions (department, period, version, submitted_on, submitted_at, \
         submitted_by, row_count) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(s.department.code())
    .bind(s.period.code())
    .bind(s.version)
    .bind(ymd(s.submitted_on))
    .bind(now_ms)
    .bind(s.submitted_by)
    .bind(s.rows.len() as i64)
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?;
    for (i, r) in s.rows.iter().enumerate() {
        sqlx::query(
            "INSERT INTO partner_list_rows (submission_id, row_no, uscc, institution_name, category, project, \
             commission) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(i as i64 + 1)
        .bind(&r.uscc)
        .bind(&r.institution_name)
        .bind(r.category.code())
        .bind(&r.project)
        .bind(r.commission.code())
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

impl Store {
    /// The list in force for a department and period (latest version) with its version history.
    pub async fn partner_list(&self, department: Department, period: Period) -> Result<Option<PartnerList>> {
        let mut conn = self.pool().acquire().await?;
        let versions = summaries(&mut conn, Some(department), Some(period), None).await?;
        let Some(summary) = versions.last().cloned() else { return Ok(None) };
        let rows = rows_of(&mut conn, summary.id).await?;
        Ok(Some(PartnerList { summary, versions, rows }))
    }

    /// Every version submitted on or before `day` (the submission board of that day).
    pub async fn partner_submissions(&self, by: Date) -> Result<Vec<SubmissionSummary>> {
        let mut conn = self.pool().acquire().await?;
        summaries(&mut conn, None, None, Some(by)).await
    }

    /// Institutions listed by any department in `scope`, by USCC: they do enforcement or
    /// government-commissioned monitoring in the given categories and belong in the random pool.
    pub async fn listed_institutions(&self, scope: ListScope) -> Result<Vec<ListedInstitution>> {
        let mut conn = self.pool().acquire().await?;
        let (period, by) = match scope {
            ListScope::Period(p) => (Some(p), None),
            ListScope::AsOf(d) => (None, Some(d)),
        };
        let all = summaries(&mut conn, None, period, by).await?;
        // Per department: the newest period (by due date), then its latest version.
        let mut chosen: BTreeMap<Department, &SubmissionSummary> = BTreeMap::new();
        for s in &all {
            match chosen.get(&s.department) {
                Some(c) if (c.period, c.version) >= (s.period, s.version) => {}
                _ => {
                    chosen.insert(s.department, s);
                }
            }
        }
        let mut by_uscc: BTreeMap<String, ListedInstitution> = BTreeMap::new();
        for (department, s) in chosen {
            for r in rows_of(&mut conn, s.id).await? {
                let e = by_uscc.entry(r.uscc.clone()).or_insert_with(|| ListedInstitution {
                    uscc: r.uscc.clone(),
                    name: r.institution_name.clone(),
                    categories: Vec::new(),
                    departments: Vec::new(),
                    commissions: Vec::new(),
                });
                if !e.categories.contains(&r.category) {
                    e.categories.push(r.category);
                }
                if !e.departments.contains(&department) {
                    e.departments.push(department);
                }
                if !e.commissions.contains(&r.commission) {
                    e.commissions.push(r.commission);
                }
            }
        }
        Ok(by_uscc
            .into_values()
            .map(|mut e| {
                e.categories.sort();
                e.departments.sort();
                e.commissions.sort();
                e
            })
            .collect())
    }
}
