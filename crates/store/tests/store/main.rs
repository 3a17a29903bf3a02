//! Storage story tests, run against SQLite by default and against PostgreSQL when
//! `LIANJIAN_TEST_DATABASE_URL=postgres://…` (CI runs both).

mod audit;
mod backup;
mod draws;
mod inspectors;
mod institutions;
mod institutions_prop;
mod items;
mod jobs;
mod partner_lists;
mod plans;
mod reports;
mod users;
