//! Monitoring-report upload and the off-site check on the platform 报告报送与非现场检查.
//!
//! Institutions upload their reports (JSON Lines, exchange-formats §2); officers and the city feed
//! may upload any institution's ([`App::submit_reports`]). Each batch is stored as submitted and
//! checked in the background by the workers ([`crate::worker`], [`check`]) against the registry as
//! it is in the database; findings land on the worklist of the department their duty code routes
//! to, with their evidence. A re-check after a registry correction supersedes the old result and
//! keeps it as history ([`App::recheck`]). An institution can check a small batch before filing it
//! ([`App::validate_reports`]): nothing is stored but an audit entry. The regulator tunes the
//! engine — its own method table and thresholds — without a release ([`config`]).
//!
//! A batch's way through: the edge → [`App::submit_reports`] (who may file whose reports,
//! `lianjian_domain::reports`; the split by the engine's own reading, `lianjian_offsite::upload`;
//! batch, run and job written with the audit entry in one transaction, `lianjian_store::reports`)
//! → a worker claims the job (`lianjian_store::jobs`) → [`App::run_check`] reads the run's input
//! and the registry (store) → the engine (`lianjian_offsite`, on a blocking thread) →
//! [`App::record_check`] (the last ownership gate, the job's lease, the findings and the audit
//! entry in one transaction).
//!
//! Who sees what is decided by `lianjian_domain::reports` and applied here, in every read: the
//! supervising departments see every batch and finding; an institution its own batches and the
//! errors found in its own reports.

pub mod check;
pub mod config;
mod submit;

use lianjian_domain::reports::{finding_visible, may_see_batch, may_see_findings, upload_scope, Reader};
use lianjian_offsite::{Finding, Severity};
use lianjian_store::reports::{BatchRow, FindingFilter, FindingRow, NewFinding, ReportRow, RunRow};
use lianjian_store::users::User;

pub use check::{Checked, Recorded};
pub use config::{EngineConfig, METHODS_EMBEDDED};
pub use lianjian_domain::reports::department_of;
pub use lianjian_store::reports::{FinishedRun, Refused, Submitted, CHECK_JOB};
pub use submit::{Uploaded, Validation, MAX_VALIDATE_BYTES, MAX_VALIDATE_LINES};

use crate::{App, Error, Result};

/// The caller as the reports rules see it.
fn reader(user: &User) -> Reader<'_> {
    Reader { role: user.role, department: user.department, institution: user.institution_uscc.as_deref() }
}

/// A batch with its check runs, newest first.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BatchView {
    pub batch: BatchRow,
    pub runs: Vec<RunRow>,
}

/// A stored report with its batch and, when the caller may see findings, those it may see.
#[derive(Debug, Clone)]
pub struct ReportView {
    pub report: ReportRow,
    pub batch: BatchRow,
    pub findings: Option<Vec<FindingRow>>,
}

/// The filters of a worklist or an institution's findings, as typed on a page or in a query.
/// Blank values filter nothing; an institution's code is compared in upper case.
#[derive(Debug, Clone, Default)]
pub struct FindingQuery {
    pub rule: Option<String>,
    pub institution: Option<String>,
    pub severity: Option<String>,
    /// Also the findings superseded by a re-check.
    pub history: bool,
}

impl FindingQuery {
    fn filter(&self) -> FindingFilter {
        let given =
            |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        FindingFilter {
            rule: given(&self.rule),
            institution_uscc: given(&self.institution).map(|u| u.to_uppercase()),
            severity: given(&self.severity),
            include_superseded: self.history,
            ..FindingFilter::default()
        }
    }
}

/// One page of findings and how many match in all.
#[derive(Debug, Clone)]
pub struct FindingPage {
    pub rows: Vec<FindingRow>,
    pub total: i64,
}

/// An engine finding as the store records it.
pub fn to_new_finding(f: Finding) -> NewFinding {
    NewFinding {
        rule: f.rule.id().to_owned(),
        severity: severity(f.severity).to_owned(),
        duty: f.duty,
        institution_uscc: f.institution_uscc,
        report_no: f.report_no,
        sample_id: f.sample_id,
        parameter: f.parameter,
        message: f.message,
        evidence: serde_json::Value::Object(f.evidence),
    }
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

impl App {
    /// Whose reports `user` may file: `Some(uscc)` only that institution's, `None` any; refused
    /// (403) for whoever may file none.
    pub fn upload_scope(&self, user: &User) -> Result<Option<String>> {
        upload_scope(&reader(user))
            .map(|own| own.map(str::to_owned))
            .map_err(|why| Error::Forbidden(why.into()))
    }

    /// Whether `user` sees findings at all (the supervising departments, institutions).
    pub fn may_see_findings(&self, user: &User) -> bool {
        may_see_findings(&reader(user))
    }

    /// The batches `user` files, newest first: an institution's own, everyone's for the others.
    pub async fn report_batches(&self, user: &User, limit: i64, offset: i64) -> Result<Vec<BatchRow>> {
        let own = self.upload_scope(user)?;
        Ok(self.store().report_batches(own.as_deref(), limit, offset).await?)
    }

    /// A batch `user` may see, with its runs; "not found" for one it may not (its existence is not
    /// told).
    pub async fn report_batch(&self, user: &User, id: i64) -> Result<BatchView> {
        let batch = self.visible_batch(user, id).await?;
        Ok(BatchView { runs: self.store().check_runs(id).await?, batch })
    }

    async fn visible_batch(&self, user: &User, id: i64) -> Result<BatchRow> {
        self.store()
            .report_batch(id)
            .await?
            .filter(|b| may_see_batch(&reader(user), b.institution_uscc.as_deref()))
            .ok_or_else(|| Error::NotFound(format!("报告批次 {id} 不存在或无权查看")))
    }

    /// The reports of a batch `user` may see, in line order (without their bodies).
    pub async fn batch_reports(&self, user: &User, id: i64) -> Result<Vec<ReportRow>> {
        self.visible_batch(user, id).await?;
        Ok(self.store().batch_reports(id).await?)
    }

    /// The findings of a batch that `user` may see: the current result, with `history` also the
    /// superseded ones.
    pub async fn batch_findings(&self, user: &User, id: i64, history: bool) -> Result<Vec<FindingRow>> {
        if !self.may_see_findings(user) {
            return Err(Error::Forbidden("您的角色不能查看问题线索".into()));
        }
        self.visible_batch(user, id).await?;
        let f = FindingFilter { batch_id: Some(id), include_superseded: history, ..Default::default() };
        Ok(self.visible(user, self.store().findings(&f, 0, 0).await?))
    }

    /// A stored report (with its body) of a batch `user` may see, and the findings on it that
    /// `user` may see (history included).
    pub async fn report(&self, user: &User, id: i64) -> Result<ReportView> {
        let not_found = || Error::NotFound(format!("报告 {id} 不存在或无权查看"));
        let report = self.store().report(id).await?.ok_or_else(not_found)?;
        let batch = self.visible_batch(user, report.batch_id).await.map_err(|_| not_found())?;
        let findings = if self.may_see_findings(user) {
            let f = FindingFilter { report_id: Some(id), include_superseded: true, ..Default::default() };
            Some(self.visible(user, self.store().findings(&f, 0, 0).await?))
        } else {
            None
        };
        Ok(ReportView { report, batch, findings })
    }

    fn visible(&self, user: &User, rows: Vec<FindingRow>) -> Vec<FindingRow> {
        let who = reader(user);
        rows.into_iter()
            .filter(|f| finding_visible(&who, &f.severity, &f.rule, f.institution_uscc.as_deref()))
            .collect()
    }

    /// A department's worklist 问题线索: the findings routed to it by duty code, newest run first;
    /// `limit` ≤ 0 = every one. Whether the caller works in that department is the edge's
    /// permission check.
    pub async fn worklist(
        &self,
        department: lianjian_domain::org::Department,
        q: &FindingQuery,
        limit: i64,
        offset: i64,
    ) -> Result<FindingPage> {
        let filter = FindingFilter { department: Some(department.code().to_owned()), ..q.filter() };
        self.finding_page(&filter, limit, offset).await
    }

    /// Every department's findings on one institution (the supervisors' institution page).
    pub async fn institution_findings(
        &self,
        uscc: &str,
        q: &FindingQuery,
        limit: i64,
        offset: i64,
    ) -> Result<FindingPage> {
        let filter = FindingFilter { institution_uscc: Some(uscc.trim().to_uppercase()), ..q.filter() };
        self.finding_page(&filter, limit, offset).await
    }

    async fn finding_page(&self, filter: &FindingFilter, limit: i64, offset: i64) -> Result<FindingPage> {
        let store = self.store();
        let rows = store.findings(filter, limit, offset).await?;
        let total = if limit > 0 { store.count_findings(filter).await? } else { rows.len() as i64 };
        Ok(FindingPage { rows, total })
    }

    /// How many current findings of `severity` are routed to `department` (the workspace cards).
    pub async fn count_findings(
        &self,
        department: lianjian_domain::org::Department,
        severity: &str,
    ) -> Result<i64> {
        let filter = FindingFilter {
            department: Some(department.code().to_owned()),
            severity: Some(severity.to_owned()),
            ..FindingFilter::default()
        };
        Ok(self.store().count_findings(&filter).await?)
    }
}
