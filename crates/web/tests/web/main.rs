//! HTTP-level tests of the web edge, in process, on SQLite or PostgreSQL (`LIANJIAN_TEST_DATABASE_URL`).

mod audit_trail;
mod client;
mod deadlines;
mod hardening;
mod matrix;
mod offsite_config;
mod params;
mod plans;
mod registers;
mod registry;
mod reports;
mod security;
mod uploads;
