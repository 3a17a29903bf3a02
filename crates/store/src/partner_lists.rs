//! Partner-department lists 协作部门机构名单 (R11, exchange-formats §4): each reporting department —
//! EEB and the five partner departments — sends MSA, per period, the institutions doing its
//! enforcement (行政执法) and government-commissioned (政府委托) monitoring; those institutions enter
//! the random-inspection pool.
//!
//! Every upload is kept as a numbered version with its submission day; the latest version is the
//! list, the first one decides timeliness (see [`lianjian_domain::partner`] for periods, deadlines and
//! how days overdue are counted). A submission is refused whole, listing every bad row, when any row
//! is bad: nothing is half-imported.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use lianjian_domain::calendar::{Calendar, CalendarError};
use lianjian_domain::org::{Category, Department, UnknownCode};
use lianjian_domain::partner::{self, Period, SubmissionState};
use lianjian_domain::uscc::Uscc;
use serde::Serialize;
use serde_json::json;
use sqlx::{AnyConnection, Row};
use time::Date;

use crate::audit::{self, Actor, AuditDraft};
use crate::inspectors::{day_text, decode, parse_day, ymd, ymd_opt};
use crate::{Store, StoreError};

pub use lianjian_domain::partner::Commission;

/// One row of a list: an institution, a category it monitors for the department, the project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartnerListRow {
    pub uscc: String,
    pub institution_name: String,
    pub category: Category,
    pub project: String,
    pub commission: Commission,
}

/// What is wrong with one row. `row` is the 1-based position in the submitted rows; an importer
/// whose file has a header adds its own offset before showing it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    pub row: usize,
    pub field: &'static str,
    pub message: String,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "第 {} 行 {}:{}", self.row, field_zh(self.field), self.message)
    }
}

fn field_zh(field: &str) -> &'static str {
    match field {
        "uscc" => "统一社会信用代码",
        "institution_name" => "机构名称",
        "category" => "监测类别",
        "project" => "项目名称",
        "commission" => "委托类型",
        _ => "",
    }
}

/// Why a submission or a board was refused.
#[derive(Debug, thiserror::Error)]
pub enum PartnerListError {
    /// Rows the database cannot take; the whole list was refused.
    #[error("名单有 {} 行错误,未导入:{}", rows_with_problems(.0), join(.0))]
    BadRows(Vec<RowProblem>),
    #[error("{message}")]
    Invalid { field: &'static str, message: String },
    /// The holiday calendar does not know a year the answer needs.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for PartnerListError {
    fn from(e: sqlx::Error) -> Self {
        PartnerListError::Store(StoreError::from(e))
    }
}

fn rows_with_problems(problems: &[RowProblem]) -> usize {
    problems.iter().map(|p| p.row).collect::<BTreeSet<_>>().len()
}

fn join(problems: &[RowProblem]) -> String {
    problems.iter().map(ToString::to_string).collect::<Vec<_>>().join(";")
}

fn invalid(field: &'static str, message: impl Into<String>) -> PartnerListError {
    PartnerListError::Invalid { field, message: message.into() }
}

/// Departments that report lists: EEB and the five partner departments (R11).
pub fn reporting_departments() -> Vec<Department> {
    Department::ALL.iter().copied().filter(|d| *d == Department::Eeb || d.is_partner()).collect()
}

/// One stored version of a department's list for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubmissionSummary {
    pub id: i64,
    pub department: Department,
    pub period: Period,
    pub version: i64,
    #[serde(with = "ymd")]
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

/// One cell of the submission board 报送情况.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BoardRow {
    pub department: Department,
    pub period: Period,
    /// The plan's due date (31 January / 30 June).
    #[serde(with = "ymd")]
    pub due: Date,
    /// The due date moved to a working day; `None` only when no calendar covers that year.
    #[serde(with = "ymd_opt")]
    pub deadline: Option<Date>,
    /// Whether the deadline was found on a provisional year (预估).
    pub deadline_provisional: bool,
    pub state: SubmissionState,
    /// Versions submitted by `today`.
    pub versions: i64,
    /// Rows of the latest version submitted by `today` (0 when none).
    pub rows: i64,
    #[serde(with = "ymd_opt")]
    pub latest_on: Option<Date>,
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

fn validate_rows(rows: &[PartnerListRow]) -> Result<Vec<PartnerListRow>, PartnerListError> {
    let mut problems = Vec::new();
    let mut clean = Vec::with_capacity(rows.len());
    let mut seen: BTreeMap<(String, Category, String, Commission), usize> = BTreeMap::new();
    let mut names: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        let row = i + 1;
        let mut bad = |field, message: String| problems.push(RowProblem { row, field, message });
        let uscc = match Uscc::parse(&r.uscc) {
            Ok(u) => Some(u.as_str().to_owned()),
            Err(e) => {
                bad("uscc", e.to_string());
                None
            }
        };
        let name = r.institution_name.trim().to_owned();
        if name.is_empty() {
            bad("institution_name", "机构名称不能为空".into());
        } else if name.chars().count() > 200 {
            bad("institution_name", "机构名称不能超过 200 个字符".into());
        }
        let project = r.project.trim().to_owned();
        if project.is_empty() {
            bad("project", "项目名称不能为空".into());
        } else if project.chars().count() > 500 {
            bad("project", "项目名称不能超过 500 个字符".into());
        }
        let Some(uscc) = uscc else { continue };
        if !name.is_empty() {
            match names.get(&uscc) {
                Some((first, other)) if *other != name => bad(
                    "institution_name",
                    format!("与第 {first} 行同一统一社会信用代码的机构名称“{other}”不一致"),
                ),
                Some(_) => {}
                None => {
                    names.insert(uscc.clone(), (row, name.clone()));
                }
            }
        }
        if let Some(first) = seen.get(&(uscc.clone(), r.category, project.clone(), r.commission)) {
            bad("project", format!("与第 {first} 行重复"));
        } else {
            seen.insert((uscc.clone(), r.category, project.clone(), r.commission), row);
        }
        clean.push(PartnerListRow {
            uscc,
            institution_name: name,
            category: r.category,
            project,
            commission: r.commission,
        });
    }
    if problems.is_empty() {
        Ok(clean)
    } else {
        Err(PartnerListError::BadRows(problems))
    }
}

/// All submission versions, optionally only those submitted on or before a day.
async fn summaries(
    conn: &mut AnyConnection,
    department: Option<Department>,
    period: Option<Period>,
    by: Option<Date>,
) -> Result<Vec<SubmissionSummary>, StoreError> {
    let rows = sqlx::query(
        "SELECT s.id, s.department, s.period, s.version, s.submitted_on, s.submitted_by, s.row_count, \
         (SELECT COUNT(DISTINCT r.uscc) FROM partner_list_rows r WHERE r.submission_id = s.id) AS institutions \
         FROM partner_list_submissions s WHERE ($1 IS NULL OR s.department = $1) \
         AND ($2 IS NULL OR s.period = $2) AND ($3 IS NULL OR s.submitted_on <= $3) \
         ORDER BY s.department, s.period, s.version",
    )
    .bind(department.map(|d| d.code()))
    .bind(period.map(|p| p.code()))
    .bind(by.map(day_text))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(SubmissionSummary {
                id: row.try_get("id")?,
                department: row
                    .try_get::<String, _>("department")?
                    .parse()
                    .map_err(|e: UnknownCode| decode(e.to_string()))?,
                period: row.try_get::<String, _>("period")?.parse().map_err(|e| decode(format!("{e}")))?,
                version: row.try_get("version")?,
                submitted_on: parse_day(&row.try_get::<String, _>("submitted_on")?)?,
                submitted_by: row.try_get("submitted_by")?,
                rows: row.try_get("row_count")?,
                institutions: row.try_get("institutions")?,
            })
        })
        .collect()
}

async fn rows_of(conn: &mut AnyConnection, submission_id: i64) -> Result<Vec<PartnerListRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT uscc, institution_name, category, project, commission FROM partner_list_rows \
         WHERE submission_id = $1 ORDER BY row_no",
    )
    .bind(submission_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            let code_err = |e: UnknownCode| decode(e.to_string());
            Ok(PartnerListRow {
                uscc: row.try_get("uscc")?,
                institution_name: row.try_get("institution_name")?,
                category: row.try_get::<String, _>("category")?.parse().map_err(code_err)?,
                project: row.try_get("project")?,
                commission: row.try_get::<String, _>("commission")?.parse().map_err(code_err)?,
            })
        })
        .collect()
}

impl Store {
    /// Store a department's list for a period as a new version, submitted on `submitted_on`
    /// (not before the period starts, not after today, not before the previous version). An empty
    /// list is a valid answer ("no such institutions this period"). Audited as
    /// `partner_list.submit` with the rows.
    pub async fn submit_partner_list(
        &self,
        actor: &Actor,
        department: Department,
        period: Period,
        rows: Vec<PartnerListRow>,
        submitted_on: Date,
    ) -> Result<SubmissionSummary, PartnerListError> {
        if !(department == Department::Eeb || department.is_partner()) {
            return Err(invalid(
                "department",
                format!("“{}”不是报送名单的部门:报送部门为区生态环境局和五个协作部门", department.zh()),
            ));
        }
        if submitted_on < period.starts() {
            return Err(invalid(
                "submitted_on",
                format!(
                    "报送日期 {} 早于{}的开始日期 {}",
                    day_text(submitted_on),
                    period.zh(),
                    day_text(period.starts())
                ),
            ));
        }
        let today = self.today();
        if submitted_on > today {
            return Err(invalid("submitted_on", format!("报送日期 {} 晚于今天", day_text(submitted_on))));
        }
        let rows = validate_rows(&rows)?;

        let mut tx = self.begin().await?;
        let previous = summaries(&mut tx, Some(department), Some(period), None).await?;
        if let Some(last) = previous.last().filter(|l| submitted_on < l.submitted_on) {
            return Err(invalid(
                "submitted_on",
                format!(
                    "报送日期 {} 早于上一版本(第 {} 版)的报送日期 {}",
                    day_text(submitted_on),
                    last.version,
                    day_text(last.submitted_on)
                ),
            ));
        }
        let version = previous.last().map_or(1, |l| l.version + 1);
        let id: i64 = sqlx::query(
            "INSERT INTO partner_list_submissions (department, period, version, submitted_on, submitted_at, \
             submitted_by, row_count) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(department.code())
        .bind(period.code())
        .bind(version)
        .bind(day_text(submitted_on))
        .bind(self.now_ms())
        .bind(&actor.user)
        .bind(rows.len() as i64)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        for (i, r) in rows.iter().enumerate() {
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
            .execute(&mut *tx)
            .await?;
        }
        let institutions = rows.iter().map(|r| r.uscc.as_str()).collect::<BTreeSet<_>>().len() as i64;
        let summary = SubmissionSummary {
            id,
            department,
            period,
            version,
            submitted_on,
            submitted_by: actor.user.clone(),
            rows: rows.len() as i64,
            institutions,
        };
        let after = json!({
            "department": department, "period": period, "version": version,
            "submitted_on": day_text(submitted_on), "replaces_version": previous.last().map(|l| l.version),
            "rows": rows,
        });
        let object = format!("{}/{}", department.code(), period.code());
        audit::append(
            &mut tx,
            AuditDraft::new(actor, "partner_list.submit", "partner_list", object).after(after),
            self.now(),
        )
        .await?;
        crate::commit(tx).await?;
        Ok(summary)
    }

    /// The list in force for a department and period (latest version) with its version history.
    pub async fn partner_list(
        &self,
        department: Department,
        period: Period,
    ) -> Result<Option<PartnerList>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let versions = summaries(&mut conn, Some(department), Some(period), None).await?;
        let Some(summary) = versions.last().cloned() else { return Ok(None) };
        let rows = rows_of(&mut conn, summary.id).await?;
        Ok(Some(PartnerList { summary, versions, rows }))
    }

    /// The submission board as of `today`: for every reporting department (EEB, then the partner
    /// departments) and every period asked, submitted / late / missing. Submissions dated after
    /// `today` are ignored, so the board of a past day can be reproduced.
    pub async fn partner_submission_board(
        &self,
        cal: &Calendar,
        periods: &[Period],
        today: Date,
    ) -> Result<Vec<BoardRow>, PartnerListError> {
        let mut conn = self.pool().acquire().await?;
        let all = summaries(&mut conn, None, None, Some(today)).await?;
        let mut out = Vec::new();
        for department in reporting_departments() {
            for &period in periods {
                let versions: Vec<&SubmissionSummary> =
                    all.iter().filter(|s| s.department == department && s.period == period).collect();
                let first = versions.first().map(|s| s.submitted_on);
                let latest = versions.last();
                let state = partner::submission_state(cal, period, first, today)?;
                // Show the moved deadline when a calendar covers it; its absence is not an error here.
                let deadline = partner::deadline(cal, period).ok();
                out.push(BoardRow {
                    department,
                    period,
                    due: period.due_date(),
                    deadline: deadline.map(|d| d.value),
                    deadline_provisional: deadline.is_some_and(|d| d.provisional),
                    state,
                    versions: versions.len() as i64,
                    rows: latest.map_or(0, |s| s.rows),
                    latest_on: latest.map(|s| s.submitted_on),
                });
            }
        }
        Ok(out)
    }

    /// Institutions listed by any department in `scope`, by USCC: they do enforcement or
    /// government-commissioned monitoring in the given categories and belong in the random pool.
    pub async fn listed_institutions(&self, scope: ListScope) -> Result<Vec<ListedInstitution>, StoreError> {
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
