//! Institution registry 检验检测机构名录 as a pure model: the registry snapshot of
//! exchange-formats §1, the as-of queries every other layer asks of it ("is this certificate in
//! force on day D?", "is this person an authorised signatory for water on day D?"), snapshot
//! validation that lists every problem at once, and the method-standard table of §5.
//!
//! No I/O: callers hand in strings or `Read` handles. The store, the web platform, the CLI and
//! the off-site engine (`lianjian-offsite`) all share these types so that "in force" means one
//! thing everywhere.
//!
//! # Canonical order
//! [`Snapshot::to_canonical_json`] sorts before writing so that export → import → export is
//! byte-identical:
//! institutions by `uscc`; certificates by `no`; scope entries by (category, parameter, method,
//! from, to); signatories and staff by (person id, from, to), with each entry's categories / roles
//! sorted; instruments by `id`; restrictions by (from, to). `status_history` is **not** sorted:
//! its order carries meaning ("the last entry with from ≤ D"), and [`validate`] reports a history
//! that is out of date order instead. Output is pretty-printed JSON (two-space indent) with a final
//! newline; absent optional fields are written as `null`.

pub mod embedded;
pub mod flags;
pub mod methods;
mod model;
mod query;
mod validate;

/// `YYYY-MM-DD` dates: the platform's one date module, re-exported for the pure engines that
/// depend on the registry alone.
pub use lianjian_domain::date;
/// The unified social credit code: the platform's one implementation, re-exported likewise.
pub use lianjian_domain::uscc;

pub use methods::{normalize_code, MergedRow, MethodCheck, MethodStandard, MethodTable, MethodTableError};
pub use model::{
    Category, Certificate, Institution, Instrument, Person, Restriction, ScopeEntry, Signatory, Snapshot,
    SnapshotError, Staff, Status, StatusEntry,
};
pub use query::{CertificateStanding, CertificateState, Standing};
pub use validate::{validate, Problem};
