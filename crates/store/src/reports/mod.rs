//! Monitoring reports 监测报告 uploaded for the off-site check 非现场检查, the check runs over each
//! batch and their findings 问题线索 — SQL only.
//!
//! A batch is stored as submitted (each line verbatim, with its line number, the uploader and the
//! time) and checked in the background: the upload queues a check run and a job ([`crate::jobs`]) in
//! the same transaction ([`write::insert_batch`], [`write::queue_run`]). A worker reads the run's
//! input ([`Store::check_input`]) and records the findings with [`write::record_run`], each routed
//! to the department of its duty code (EEB-* → EEB, MSA-* → MSA). A re-check after a registry
//! correction is a new run of the same batch; when it finishes, the findings of the older runs are
//! marked superseded — never deleted — so the history stays visible.
//!
//! Writes take the caller's transaction and neither validate nor audit: the use cases
//! (`lianjian_app::reports`) decide, and append the audit entry in the same transaction.
//!
//! - [`rows`]: the row types, how each is read from a row, and the findings filter.
//! - [`query`]: the reads (methods on [`Store`]).
//! - [`write`]: the writes.

mod query;
mod rows;
pub mod write;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use lianjian_domain::reports::department_of;
pub use rows::{BatchRow, FindingFilter, FindingRow, ReportRow, RunRow};

#[cfg(doc)]
use crate::Store;

/// The job kind of a batch check; payload `{"run_id": N}`.
pub const CHECK_JOB: &str = "offsite.check";

/// Check-run states.
pub const RUN_QUEUED: &str = "queued";
pub const RUN_DONE: &str = "done";
pub const RUN_FAILED: &str = "failed";

// The upload's lines and its split live with the engine whose reading decides whose reports they
// are (`lianjian_offsite::upload`); re-exported here, where batches are stored.
pub use lianjian_offsite::upload::{split_upload, NotOwn, Refused, ReportLine};

/// An upload to store.
#[derive(Debug, Clone)]
pub struct NewBatch {
    pub file_name: Option<String>,
    /// The uploading institution (institution accounts only).
    pub institution_uscc: Option<String>,
    pub lines: Vec<ReportLine>,
    pub refused: Vec<Refused>,
}

/// What an upload (or a re-check) created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Submitted {
    pub batch_id: i64,
    pub run_id: i64,
    pub job_id: i64,
}

/// What a worker needs to check a run: the batch's lines, blank where a line was refused or empty,
/// so the engine's line numbers are the upload's.
#[derive(Debug, Clone)]
pub struct CheckInput {
    pub run_id: i64,
    pub batch_id: i64,
    pub state: String,
    pub text: String,
}

/// One finding as recorded (exchange-formats §3 plus its storage).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewFinding {
    pub rule: String,
    pub severity: String,
    pub duty: String,
    pub institution_uscc: Option<String>,
    pub report_no: Option<String>,
    pub sample_id: Option<String>,
    pub parameter: Option<String>,
    pub message: String,
    pub evidence: Value,
}

/// A finished check run, as the engine left it: what [`write::record_run`] stores.
#[derive(Debug, Clone, PartialEq)]
pub struct FinishedRun {
    pub run_id: i64,
    pub findings: Vec<NewFinding>,
    /// The engine's summary (counts per rule, lines, bytes).
    pub summary: Value,
    /// SHA-256 of the canonical registry snapshot the run checked against.
    pub registry_sha256: String,
    /// `embedded`, or `methods#N` / `rules#N` of the regulator's uploaded versions.
    pub methods_source: String,
    pub started_at: i64,
}

/// The batch of a run: its id and the institution that uploaded it, if an institution did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunBatch {
    pub run_id: i64,
    pub batch_id: i64,
    pub uploader: Option<String>,
}

/// How [`write::record_run`] stored a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// A newer run of the batch that had already finished: this run went straight into history.
    pub superseded_by: Option<i64>,
    /// Findings stored per department code, sorted by code.
    pub by_department: Vec<(&'static str, i64)>,
}
