//! Integration tests of the spreadsheet edges: registry snapshot ⇄ XLSX, partner-department
//! lists from XLSX and CSV, table export, and the templates — every kind of bad row included.

mod limits;
mod partner;
mod registry;
mod registry_prop;
mod support;
mod table;
