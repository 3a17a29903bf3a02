//! The institution registry 机构名录库 in the database: the snapshot of exchange-formats §1 stored in
//! tables, written whole per institution and queried as of any day.
//!
//! The model and its rules — what "in force on D" means, validation, canonical order, flags — belong
//! to `lianjian-registry` (re-exported here as [`model`]); this module only stores and loads it, so the
//! database, the web pages and the off-site engine cannot disagree. The SQL form of "status on D"
//! ([`query`]'s `status_on`) is held to the Rust one by a property test over generated registries
//! (`tests/store/institutions_prop.rs`). The import use case (`lianjian-app`) validates, compares
//! and audits; [`write`] writes inside its transaction; an export imported back is byte-identical.
//!
//! Tables (migration `20261129000002_registry`): `institutions` (by USCC), `certificates` (by
//! number), `certificate_status` (history in array order), `certificate_scope`,
//! `institution_signatories`, `institution_staff`, `institution_instruments`,
//! `institution_restrictions`.

mod flags;
pub mod gen;
mod load;
mod query;
pub mod write;

use lianjian_registry::{Category, CertificateState, Status};
use serde::{Deserialize, Serialize};
use time::Date;

pub use lianjian_registry as model;
pub use lianjian_registry::flags::{add_months, Flag, EXPIRY_WARNING_MONTHS};
pub use load::{certificate_owners, count, digests, load};
pub use query::certificate_filters;

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
