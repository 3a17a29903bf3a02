//! HTTP-level tests of the web edge, in process, on SQLite or PostgreSQL (`LIANJIAN_TEST_DATABASE_URL`).

mod audit_trail;
mod client;
mod deadlines;
mod hardening;
mod inspectors;
mod institutions;
mod items;
mod matrix;
mod offsite_config;
mod params;
mod partner_lists;
mod plans;
mod reports;
mod security;
mod uploads;
