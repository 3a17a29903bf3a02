//! Monitoring-report upload and the off-site check on the platform 报告报送与非现场检查.
//!
//! Institutions upload their reports (JSON Lines, exchange-formats §2) through the page or
//! `POST /api/v1/reports`; officers and the city feed may upload any institution's. Each batch is
//! stored as submitted and checked in the background by the workers of [`worker`] against the
//! registry as it is in the database; findings land on the worklist of the department their duty
//! code routes to (`/eeb/findings`, `/msa/findings`), on the report page and on the institution's
//! page, with their evidence, and export to Excel. A re-check after a registry correction is one
//! click; it supersedes the old result and keeps it as history. An institution can check a small
//! batch before filing it (the pre-submission validator): nothing is stored but an audit entry.
//!
//! Who sees what: worklists are for the supervising departments (an officer's worklist shows its
//! own department's findings; batch, report and institution pages show both departments'). An
//! institution sees its own batches, their check state and the errors found in its own reports —
//! what the validator shows it before filing ([`visible_findings`]); cross-report findings name
//! other institutions' reports and statistical warnings are signals for 联合研判, so neither is
//! shown to it.

pub mod api;
pub mod config;
pub mod pages;
pub mod worker;

use lianjian_domain::org::{Permission, Role};
use lianjian_offsite::{Engine, Finding, Severity, Summary, Thresholds};
use lianjian_store::reports::{
    foreign_findings, split_upload, BatchRow, FindingRow, NewFinding, NotOwn, Refused, ReportLine,
};
use serde::Serialize;

use crate::auth::Caller;
use crate::error::AppError;
use crate::AppState;

pub use worker::spawn_workers;

/// Largest upload accepted by the page and the API (a city feed's daily batch).
pub const MAX_UPLOAD: usize = 64 * 1024 * 1024;
/// The pre-submission validator runs while the caller waits: small batches only.
pub const MAX_VALIDATE_LINES: usize = 500;
pub const MAX_VALIDATE_BYTES: usize = 4 * 1024 * 1024;

pub fn router() -> axum::Router<AppState> {
    pages::router()
}

/// Whose reports the caller may upload: `Ok(Some(uscc))` only its own institution's (an institution
/// account, or a report feed bound to one institution), `Ok(None)` any (officers and leaders of EEB
/// and MSA, and the city feed — a report-feed account bound to no institution). No administrator
/// files reports (三员分立, least privilege).
pub fn upload_scope(caller: &Caller) -> Result<Option<String>, AppError> {
    if !caller.can(Permission::FileReports) {
        return Err(AppError::Forbidden);
    }
    match caller.user.role {
        Role::Institution => caller.user.institution_uscc.clone().map(Some).ok_or(AppError::Forbidden),
        Role::Feed => Ok(caller.user.institution_uscc.clone()),
        _ => Ok(None),
    }
}

/// Whether the caller may see a batch (and its reports): supervisors all, an institution its own.
pub fn may_see_batch(caller: &Caller, batch: &BatchRow) -> bool {
    caller.can(Permission::SupervisorWorkspace)
        || (caller.can(Permission::InstitutionWorkspace)
            && batch.institution_uscc.is_some()
            && batch.institution_uscc == caller.user.institution_uscc)
}

/// Whether the caller may see findings at all: the supervising departments every finding, an
/// institution those of its own reports that [`visible_findings`] lets through.
pub fn may_see_findings(caller: &Caller) -> bool {
    caller.can(Permission::SupervisorWorkspace) || caller.can(Permission::InstitutionWorkspace)
}

/// Keeps what the caller may see of a batch's findings (the batch itself is already one the
/// caller may see, [`may_see_batch`]). An institution sees the errors found in its own reports —
/// what the pre-submission validator shows it before filing — but not the cross-report findings
/// (OFF-T02, OFF-D01 name other institutions' reports) nor the statistical warnings, which are
/// leads for the regulators' joint assessment, not results to argue with.
pub fn visible_findings(caller: &Caller, rows: Vec<FindingRow>) -> Vec<FindingRow> {
    if caller.can(Permission::SupervisorWorkspace) {
        return rows;
    }
    let own = caller.user.institution_uscc.as_deref();
    if !caller.can(Permission::InstitutionWorkspace) || own.is_none() {
        return Vec::new();
    }
    rows.into_iter()
        .filter(|f| {
            f.severity == "error"
                && !matches!(f.rule.as_str(), "OFF-T02" | "OFF-D01")
                && f.institution_uscc.as_deref().is_none_or(|u| Some(u) == own)
        })
        .collect()
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

pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// Split an upload body. For an institution caller (`own`), a batch with any line that is, or may
/// be read as, another institution's report is refused as a whole ([`not_own`]); see
/// [`lianjian_offsite::upload`] for how ownership is decided (by the engine's own reading).
pub fn split_body(bytes: &[u8], own: Option<&str>) -> Result<(Vec<ReportLine>, Vec<Refused>), AppError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        AppError::bad("file", format!("文件不是 UTF-8 文本(第 {} 字节起无法解码)", e.valid_up_to() + 1))
    })?;
    split_upload(text, own).map_err(not_own)
}

/// An upload refused because of lines that are not the uploader's: 422, every line listed.
pub fn not_own(e: NotOwn) -> AppError {
    tracing::warn!(institution = %e.own, lines = e.lines.len(), "upload refused: lines of another institution");
    AppError::Unprocessable { code: "reports_not_own", field: None, message: e.message_zh(), lines: e.lines }
}

/// The result of a pre-submission check.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Validation {
    /// Lines checked.
    pub lines: usize,
    /// Lines refused (blank lines). A batch with another institution's report is refused whole (422).
    #[schema(value_type = Vec<Object>)]
    pub refused: Vec<Refused>,
    pub errors: u64,
    pub warnings: u64,
    /// Findings as exchange-formats §3.
    #[schema(value_type = Vec<Object>)]
    pub findings: Vec<NewFinding>,
}

/// Check lines synchronously against the registry as it is now (the validator). Audited as
/// `reports.validate`; nothing else is stored.
pub async fn validate(state: &AppState, caller: &Caller, bytes: &[u8]) -> Result<Validation, AppError> {
    let own = upload_scope(caller)?;
    if bytes.len() > MAX_VALIDATE_BYTES {
        return Err(AppError::bad(
            "file",
            format!(
                "报送前自查只接受 {} MB 以内的文件;更大的批次请直接报送,系统会在后台检查",
                MAX_VALIDATE_BYTES >> 20
            ),
        ));
    }
    let (lines, refused) = split_body(bytes, own.as_deref())?;
    if lines.len() > MAX_VALIDATE_LINES {
        return Err(AppError::bad(
            "file",
            format!("报送前自查一次最多 {MAX_VALIDATE_LINES} 份报告,本文件有 {} 份", lines.len()),
        ));
    }
    if lines.is_empty() {
        return Err(nothing_accepted(&refused));
    }
    let text = lianjian_offsite::upload::check_text(lines.iter().map(|l| (l.line_no, l.body.as_str())));
    let checked = worker::check_text(&state.store, text).await.map_err(AppError::Internal)?;
    let summary = checked.summary;
    let findings: Vec<NewFinding> = checked.findings.into_iter().map(to_new_finding).collect();
    // The same last gate as a stored check's (`Store::record_check`): an institution is never shown
    // a finding on another institution.
    if let Some(message) = own.as_deref().and_then(|own| foreign_findings(own, &findings)) {
        tracing::error!(%message, "pre-submission check: findings name another institution than the caller's");
        return Err(AppError::Unprocessable {
            code: "findings_not_own",
            field: None,
            message,
            lines: Vec::new(),
        });
    }
    state
        .store
        .audit_validation(
            &caller.actor(),
            serde_json::json!({
                "institution_uscc": own,
                "lines": lines.len(),
                "refused": refused.len(),
                "errors": summary.errors(),
                "warnings": summary.warnings(),
            }),
        )
        .await?;
    Ok(Validation {
        lines: lines.len(),
        refused,
        errors: summary.errors(),
        warnings: summary.warnings(),
        findings,
    })
}

/// An upload in which no line could be accepted.
pub fn nothing_accepted(refused: &[Refused]) -> AppError {
    match refused.first() {
        Some(r) => AppError::bad(
            "file",
            format!("没有可接受的报告:{} 行全部被拒收(如第 {} 行:{})", refused.len(), r.line, r.reason),
        ),
        None => AppError::bad("file", "文件中没有报告(每行一份 JSON 格式的监测报告)"),
    }
}

/// Runs the engine (used by the worker and the validator).
pub(crate) fn run_engine(
    snapshot: &lianjian_registry::Snapshot,
    methods: &lianjian_registry::MethodTable,
    params: Thresholds,
    text: &str,
) -> (Vec<Finding>, Summary) {
    // Blank lines were listed as refused at upload; the stored text keeps blank lines only as
    // placeholders for refused lines (so that line numbers stay the file's).
    Engine::new(snapshot, methods, params).with_threads(1).with_blank_line_findings(false).check_str(text)
}
