//! Filing a batch 报送, checking one before filing 报送前自查, and asking for a re-check 重新检查.

use lianjian_domain::reports::foreign_findings;
use lianjian_offsite::upload::{check_text, split_upload, NotOwn};
use lianjian_store::audit::{self, Actor, AuditDraft};
use lianjian_store::reports::{write, NewBatch, NewFinding, Refused, ReportLine, Submitted};
use lianjian_store::users::User;
use serde::Serialize;
use serde_json::json;

use super::to_new_finding;
use crate::{App, Error, Line, Result};

/// The pre-submission check runs while the caller waits: small batches only.
pub const MAX_VALIDATE_LINES: usize = 500;
pub const MAX_VALIDATE_BYTES: usize = 4 * 1024 * 1024;

/// What a filed upload created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uploaded {
    pub batch_id: i64,
    /// The check run queued for the batch.
    pub run_id: i64,
    pub job_id: i64,
    /// Report lines stored.
    pub accepted: usize,
    /// Lines refused (blank lines), with their 1-based number and the reason.
    pub refused: Vec<Refused>,
}

/// The result of a pre-submission check.
#[derive(Debug, Clone, Serialize)]
pub struct Validation {
    /// Lines checked.
    pub lines: usize,
    /// Lines refused (blank lines). A batch with another institution's report is refused whole.
    pub refused: Vec<Refused>,
    pub errors: u64,
    pub warnings: u64,
    /// Findings as exchange-formats §3.
    pub findings: Vec<NewFinding>,
}

/// The report lines of an upload body, for a caller who may file `own`'s reports only (or any,
/// `None`). An institution's batch with any line that is, or may be read as, another
/// institution's report is refused as a whole (`lianjian_offsite::upload` decides by the engine's
/// own reading); an upload in which no line is a report is refused too.
fn split_body(bytes: &[u8], own: Option<&str>) -> Result<(Vec<ReportLine>, Vec<Refused>)> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Error::invalid(
            "file",
            "reports_not_utf8",
            format!("文件不是 UTF-8 文本(第 {} 字节起无法解码)", e.valid_up_to() + 1),
        )
    })?;
    let (lines, refused) = split_upload(text, own).map_err(not_own)?;
    if lines.is_empty() {
        return Err(nothing_accepted(&refused));
    }
    Ok((lines, refused))
}

/// An upload refused because of lines that are not the uploader's: every line listed.
fn not_own(e: NotOwn) -> Error {
    tracing::warn!(institution = %e.own, lines = e.lines.len(), "upload refused: lines of another institution");
    Error::Refused {
        code: "reports_not_own",
        field: None,
        message: e.message_zh(),
        lines: e.lines.into_iter().map(|l| Line { line: l.line, reason: l.reason }).collect(),
    }
}

/// An upload in which no line could be accepted.
fn nothing_accepted(refused: &[Refused]) -> Error {
    let message = match refused.first() {
        Some(r) => {
            format!("没有可接受的报告:{} 行全部被拒收(如第 {} 行:{})", refused.len(), r.line, r.reason)
        }
        None => "文件中没有报告(每行一份 JSON 格式的监测报告)".to_owned(),
    };
    Error::invalid("file", "reports_empty", message)
}

impl App {
    /// File a batch of reports (JSON Lines): stored as submitted, its check queued, in one
    /// transaction audited as `reports.upload`. Who may file whose reports:
    /// `lianjian_domain::reports::upload_scope`.
    pub async fn submit_reports(
        &self,
        actor: &Actor,
        user: &User,
        file_name: Option<String>,
        bytes: &[u8],
    ) -> Result<Uploaded> {
        let own = self.upload_scope(user)?;
        let (lines, refused) = split_body(bytes, own.as_deref())?;
        let accepted = lines.len();
        let batch = NewBatch { file_name, institution_uscc: own, lines, refused };
        let store = self.store();
        let now = store.now_ms();
        let mut tx = store.begin().await?;
        let batch_id = write::insert_batch(&mut tx, actor, &batch, now).await?;
        let (run_id, job_id) = write::queue_run(&mut tx, batch_id, "upload", &actor.user, now).await?;
        let draft =
            AuditDraft::new(actor, "reports.upload", "report_batch", batch_id.to_string()).after(json!({
                "batch_id": batch_id,
                "file_name": batch.file_name,
                "institution_uscc": batch.institution_uscc,
                "reports": accepted,
                "refused": batch.refused,
                "run_id": run_id,
            }));
        audit::append(&mut tx, draft, store.now()).await?;
        lianjian_store::commit(tx).await?;
        Ok(Uploaded { batch_id, run_id, job_id, accepted, refused: batch.refused })
    }

    /// Check up to [`MAX_VALIDATE_LINES`] reports against the registry as it is now, without filing
    /// them (the same ownership rule as filing). Nothing is stored but the audit entry
    /// `reports.validate` with the counts.
    pub async fn validate_reports(&self, actor: &Actor, user: &User, bytes: &[u8]) -> Result<Validation> {
        let own = self.upload_scope(user)?;
        if bytes.len() > MAX_VALIDATE_BYTES {
            return Err(Error::invalid(
                "file",
                "validate_too_large",
                format!(
                    "报送前自查只接受 {} MB 以内的文件;更大的批次请直接报送,系统会在后台检查",
                    MAX_VALIDATE_BYTES >> 20
                ),
            ));
        }
        let (lines, refused) = split_body(bytes, own.as_deref())?;
        if lines.len() > MAX_VALIDATE_LINES {
            return Err(Error::invalid(
                "file",
                "validate_too_many_lines",
                format!("报送前自查一次最多 {MAX_VALIDATE_LINES} 份报告,本文件有 {} 份", lines.len()),
            ));
        }
        let text = check_text(lines.iter().map(|l| (l.line_no, l.body.as_str())));
        let checked = self.check_text(text).await?;
        let summary = checked.summary;
        let findings: Vec<NewFinding> = checked.findings.into_iter().map(to_new_finding).collect();
        // The same last gate as a filed batch's (`App::record_check`): an institution is never shown
        // a finding on another institution.
        let institutions = findings.iter().map(|f| f.institution_uscc.as_deref());
        if let Some(message) = own.as_deref().and_then(|own| foreign_findings(own, institutions)) {
            tracing::error!(%message, "pre-submission check: findings name another institution than the caller's");
            return Err(Error::refused("findings_not_own", message));
        }
        let store = self.store();
        let mut tx = store.begin().await?;
        let draft =
            AuditDraft::new(actor, "reports.validate", "report_validation", &actor.user).after(json!({
                "institution_uscc": own,
                "lines": lines.len(),
                "refused": refused.len(),
                "errors": summary.errors(),
                "warnings": summary.warnings(),
            }));
        audit::append(&mut tx, draft, store.now()).await?;
        lianjian_store::commit(tx).await?;
        Ok(Validation {
            lines: lines.len(),
            refused,
            errors: summary.errors(),
            warnings: summary.warnings(),
            findings,
        })
    }

    /// Queue a re-check of a batch against the registry as it is now (after a correction); the
    /// new result supersedes the old one, which is kept as history. Audited as `reports.recheck`
    /// with the note. Who may ask is the edge's permission check (the supervising workspace).
    pub async fn recheck(&self, actor: &Actor, batch_id: i64, note: Option<&str>) -> Result<Submitted> {
        let store = self.store();
        let now = store.now_ms();
        let mut tx = store.begin().await?;
        if !write::batch_exists(&mut tx, batch_id).await? {
            return Err(Error::NotFound(format!("报告批次 {batch_id} 不存在")));
        }
        let (run_id, job_id) = write::queue_run(&mut tx, batch_id, "recheck", &actor.user, now).await?;
        let mut draft = AuditDraft::new(actor, "reports.recheck", "report_batch", batch_id.to_string())
            .after(json!({ "batch_id": batch_id, "run_id": run_id }));
        if let Some(n) = note.map(str::trim).filter(|n| !n.is_empty()) {
            draft = draft.note(n);
        }
        audit::append(&mut tx, draft, store.now()).await?;
        lianjian_store::commit(tx).await?;
        Ok(Submitted { batch_id, run_id, job_id })
    }
}
