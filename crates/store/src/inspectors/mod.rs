//! The inspector register 检查人员名录库 in the database: inspectors, their duty periods and their
//! declared conflicts. The types and every rule are `lianjian_domain::inspectors` (re-exported here);
//! the use cases (`lianjian-app`) check a change and audit it, this module only reads ([`query`],
//! methods on [`crate::Store`]) and writes inside the caller's transaction ([`write`]).
//!
//! The database refuses to delete an inspector, a period or a conflict (triggers): leaving the pool
//! closes a period, ending a conflict closes its date range.

mod query;
pub mod write;

pub use lianjian_domain::inspectors::{
    ActivePeriod, Conflict, ConflictReason, InspectorChanges, InspectorFilter, InspectorView, NewInspector,
    Particulars,
};
pub use query::load_one;
