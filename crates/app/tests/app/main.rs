//! The use cases against a real database (SQLite, or PostgreSQL with `LIANJIAN_TEST_DATABASE_URL`):
//! one integration-test binary for the crate.

mod codes;
mod inspectors;
mod institutions;
mod items;
mod partner_lists;
mod reports;

use lianjian_app::{App, Error};
use lianjian_store::testing::{self, TestDb};

/// A fresh database and the use cases over it.
pub async fn fresh() -> (TestDb, App) {
    let db = testing::fresh().await.expect("test database");
    let app = App::new(db.store.clone());
    (db, app)
}

/// The field and stable code of a refusal; its message must be Chinese.
pub fn refusal(e: Error) -> (String, &'static str) {
    assert!(!e.to_string().is_ascii(), "message should be Chinese: {e}");
    (e.field().unwrap_or_default().to_owned(), e.code())
}
