//! Institution registry 机构名录库 in the database: the snapshot of exchange-formats §1 stored in
//! tables, imported and exported whole, and queried as of any day.
//!
//! The model and its rules — what "in force on D" means, validation, canonical order — belong to
//! `lianjian-registry` (re-exported here as [`model`]); this module only stores and loads it, so the
//! database, the web pages and the off-site engine cannot disagree. Imports are all-or-nothing and
//! audited ([`Store::import_registry`]); an export imported back is byte-identical.
//!
//! Tables (migration `20261129000002_registry`): `institutions` (by USCC), `certificates` (by
//! number), `certificate_status` (history in array order), `certificate_scope`,
//! `institution_signatories`, `institution_staff`, `institution_instruments`,
//! `institution_restrictions`.

mod chain;
mod flags;
pub mod gen;
mod import;
mod load;
mod query;

use lianjian_registry::{Category, CertificateState, Problem, Status};
use serde::{Deserialize, Serialize};
use time::Date;

pub use flags::{add_months, Flag, EXPIRY_WARNING_MONTHS};
pub use lianjian_registry as model;
pub use query::certificate_filters;

/// What an import did, or why it did nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ImportOutcome {
    /// Committed, with one audit entry per changed institution and one summary entry.
    Applied(ImportSummary),
    /// Nothing written: every problem found, each with its USCC, JSON path and Chinese reason.
    Refused(Vec<Problem>),
}

/// Counts of an applied import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// Institutions in the file.
    pub institutions: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Institutions on file but not in the snapshot: left as they were.
    pub untouched: usize,
    /// Certificate and scope rows (re)written for created and updated institutions.
    pub certificates_written: usize,
    pub scope_rows_written: usize,
    /// Seq of the `registry.import` summary entry in the audit chain.
    pub audit_seq: i64,
}

/// Whether an institution of a file is new, changed or the same as on file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Created,
    Updated,
    Unchanged,
}

/// One institution of an upload preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreviewItem {
    pub uscc: String,
    pub name: String,
    pub change: Change,
    /// Changed top-level fields (`name`, `district`, …, `certificates`, `staff`, …) when updated.
    pub fields: Vec<String>,
}

/// What an import would do: the problems that would refuse it (empty = it would be applied) and
/// each institution's change, in canonical (USCC) order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportPreview {
    pub problems: Vec<Problem>,
    pub items: Vec<PreviewItem>,
}

/// Which certificates a directory filter asks for on its day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateFilter {
    /// In force: inside [issued_on, expires_on] and status `valid` (§1).
    InForce,
    /// Inside [issued_on, expires_on] with this status on the day.
    Status(Status),
    /// Past `expires_on`.
    Expired,
}

/// Directory filters; all that are set must hold. `Default` = everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirectoryFilter {
    /// Part of the name (LIKE, pattern characters escaped).
    pub name_contains: Option<String>,
    pub uscc_prefix: Option<String>,
    /// Some scope entry of some certificate is in this category.
    pub category: Option<Category>,
    /// Some certificate matches on the day.
    pub certificate_status_on: Option<(CertificateFilter, Date)>,
    /// (parameter, method, day): some certificate in force on the day covers it on the day.
    pub can_test: Option<(String, String, Date)>,
    /// The "today" of the rows' standing and flags; `None` = today in China Standard Time.
    pub today: Option<Date>,
}

/// One line of the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirectoryRow {
    pub uscc: String,
    pub name: String,
    pub district: Option<String>,
    pub certificate_in_force_today: bool,
    /// (number, state today), by number.
    pub certificates: Vec<(String, CertificateState)>,
    /// Categories of the scope entries of all certificates, sorted.
    pub categories: Vec<String>,
    pub restricted_today: bool,
    pub flags: Vec<Flag>,
}
