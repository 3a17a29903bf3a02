//! Domain types and rules of Lianjian 联监, with no I/O: departments, roles and permissions, the
//! official working-day calendar, the unified social credit code, `YYYY-MM-DD` dates, effective-dated
//! legal parameters, the inspector register and the item list's rules, plans and their draws, who
//! files and who sees monitoring reports and their findings.

pub mod calendar;
pub mod clock;
pub mod date;
pub mod deadlines;
pub mod inspectors;
pub mod invalid;
pub mod items;
pub mod org;
pub mod params;
pub mod partner;
pub mod plans;
pub mod reports;
pub mod security;
pub mod uscc;
