//! Partner-department lists 协作部门机构名单 (R11) as departments send them and MSA watches them: a
//! list submitted for a period (a new version, every bad row listed and the whole list refused when
//! any is bad; audited as `partner_list.submit`), an uploaded file's list, and the submission board
//! (on time, late by so many working days, missing) of any day.

use lianjian_domain::org::Department;
use lianjian_domain::partner::{
    self, reporting_departments, rows_with_problems, single_period, validate_rows, PartnerListRow, Period,
    SubmissionState, UploadedRow,
};
use lianjian_store::audit::{Actor, AuditDraft};
use lianjian_store::partner_lists::{
    self as lists, ListScope, ListedInstitution, NewSubmission, PartnerList, SubmissionSummary,
};
use serde::Serialize;
use serde_json::json;
use time::Date;

use crate::{App, Error, Line, Result};

/// One cell of the submission board 报送情况: a department's list for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BoardRow {
    pub department: Department,
    pub period: Period,
    /// The plan's due date (31 January / 30 June).
    #[serde(with = "lianjian_domain::date::ymd")]
    pub due: Date,
    /// The due date moved to a working day; `None` only when no calendar covers that year.
    #[serde(with = "lianjian_domain::date::ymd_opt")]
    pub deadline: Option<Date>,
    /// Whether the deadline was found on a provisional year (预估).
    pub deadline_provisional: bool,
    pub state: SubmissionState,
    /// Versions submitted by the board's day.
    pub versions: i64,
    /// Rows of the latest version submitted by the board's day (0 when none).
    pub rows: i64,
    #[serde(with = "lianjian_domain::date::ymd_opt")]
    pub latest_on: Option<Date>,
}

fn day(d: Date) -> String {
    lianjian_domain::date::format(d)
}

impl App {
    /// Store a department's list for a period as a new version, submitted on `submitted_on` (not
    /// before the period starts, not after today, not before the previous version). An empty list is
    /// a valid answer ("no such institutions this period"). Audited as `partner_list.submit` with the
    /// rows.
    pub async fn submit_partner_list(
        &self,
        actor: &Actor,
        department: Department,
        period: Period,
        rows: Vec<PartnerListRow>,
        submitted_on: Date,
    ) -> Result<SubmissionSummary> {
        if !reporting_departments().contains(&department) {
            return Err(Error::invalid(
                "department",
                "department_not_reporting",
                format!("“{}”不是报送名单的部门:报送部门为区生态环境局和五个协作部门", department.zh()),
            ));
        }
        if submitted_on < period.starts() {
            return Err(Error::invalid(
                "submitted_on",
                "submitted_before_period",
                format!(
                    "报送日期 {} 早于{}的开始日期 {}",
                    day(submitted_on),
                    period.zh(),
                    day(period.starts())
                ),
            ));
        }
        let store = self.store();
        if submitted_on > store.today() {
            return Err(Error::invalid(
                "submitted_on",
                "submitted_in_future",
                format!("报送日期 {} 晚于今天", day(submitted_on)),
            ));
        }
        let rows = validate_rows(&rows).map_err(|problems| Error::Refused {
            code: "partner_list_bad_rows",
            field: Some("file".into()),
            message: format!(
                "名单有 {} 行错误,未导入:{}",
                rows_with_problems(&problems),
                problems.iter().map(ToString::to_string).collect::<Vec<_>>().join(";")
            ),
            lines: problems.iter().map(|p| Line { line: p.row as i64, reason: p.to_string() }).collect(),
        })?;
        let mut tx = store.begin().await?;
        let previous = lists::summaries(&mut tx, Some(department), Some(period), None).await?;
        if let Some(last) = previous.last().filter(|l| submitted_on < l.submitted_on) {
            return Err(Error::invalid(
                "submitted_on",
                "submitted_before_previous",
                format!(
                    "报送日期 {} 早于上一版本(第 {} 版)的报送日期 {}",
                    day(submitted_on),
                    last.version,
                    day(last.submitted_on)
                ),
            ));
        }
        let version = previous.last().map_or(1, |l| l.version + 1);
        let new = NewSubmission {
            department,
            period,
            version,
            submitted_on,
            submitted_by: &actor.user,
            rows: &rows,
        };
        let id = lists::insert(&mut tx, &new, store.now_ms()).await?;
        let institutions =
            rows.iter().map(|r| r.uscc.as_str()).collect::<std::collections::BTreeSet<_>>().len();
        let summary = SubmissionSummary {
            id,
            department,
            period,
            version,
            submitted_on,
            submitted_by: actor.user.clone(),
            rows: rows.len() as i64,
            institutions: institutions as i64,
        };
        let after = json!({
            "department": department, "period": period, "version": version,
            "submitted_on": day(submitted_on), "replaces_version": previous.last().map(|l| l.version),
            "rows": rows,
        });
        let object = format!("{}/{}", department.code(), period.code());
        let draft = AuditDraft::new(actor, "partner_list.submit", "partner_list", object).after(after);
        self.commit_audited(tx, draft).await?;
        Ok(summary)
    }

    /// A list uploaded by a department's liaison, submitted today: the file must hold one period and
    /// the uploader's department only (`partner_list_upload_refused`, every offending line listed).
    pub async fn submit_partner_list_upload(
        &self,
        actor: &Actor,
        department: Department,
        rows: Vec<UploadedRow>,
    ) -> Result<SubmissionSummary> {
        let (period, rows) = single_period(department, rows).map_err(|problems| Error::Refused {
            code: "partner_list_upload_refused",
            field: Some("file".into()),
            message: problems.iter().map(|p| p.message.as_str()).collect::<Vec<_>>().join(";"),
            lines: problems.into_iter().map(|p| Line { line: p.line as i64, reason: p.message }).collect(),
        })?;
        self.submit_partner_list(actor, department, period, rows, self.store().today()).await
    }

    /// The list in force for a department and period (latest version) with its version history.
    pub async fn partner_list(&self, department: Department, period: Period) -> Result<Option<PartnerList>> {
        Ok(self.store().partner_list(department, period).await?)
    }

    /// Institutions listed by any department in `scope` (they belong in the random pool).
    pub async fn listed_institutions(&self, scope: ListScope) -> Result<Vec<ListedInstitution>> {
        Ok(self.store().listed_institutions(scope).await?)
    }

    /// The submission board as of `today`: for every reporting department (EEB, then the partner
    /// departments) and every period asked, submitted / late / missing, on the official calendar
    /// (provisional years marked). Submissions dated after `today` are ignored, so the board of a past
    /// day can be reproduced. With `only`, that department's rows alone (a liaison's own).
    pub async fn partner_board(
        &self,
        periods: &[Period],
        today: Date,
        only: Option<Department>,
    ) -> Result<Vec<BoardRow>> {
        let store = self.store();
        let cal = store.calendar().await?;
        let all = store.partner_submissions(today).await?;
        let mut out = Vec::new();
        for department in reporting_departments().into_iter().filter(|d| only.is_none_or(|o| o == *d)) {
            for &period in periods {
                let versions: Vec<&SubmissionSummary> =
                    all.iter().filter(|s| s.department == department && s.period == period).collect();
                let first = versions.first().map(|s| s.submitted_on);
                let latest = versions.last();
                let state = partner::submission_state(&cal, period, first, today)
                    .map_err(|e| Error::invalid("period", "calendar_out_of_range", e.to_string()))?;
                // Show the moved deadline when a calendar covers it; its absence is not an error here.
                let deadline = partner::deadline(&cal, period).ok();
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
}
