//! The use cases against a real database (SQLite, or PostgreSQL with `LIANJIAN_TEST_DATABASE_URL`):
//! one integration-test binary for the crate.

mod reports;
