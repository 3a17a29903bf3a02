//! Isolated databases for tests, on whichever backend the run asks for.
//!
//! `LIANJIAN_TEST_DATABASE_URL` unset or `sqlite` → a fresh SQLite file in the temp directory per test.
//! A `postgres://…` URL → a fresh schema per test in that database (selected through the connection's
//! `search_path`), so tests run in parallel without seeing each other. CI runs the suite once each way.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Result, Store};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A test database; the SQLite file is removed when it is dropped (PostgreSQL schemas are dropped by
/// the CI script after the run, since dropping needs an async connection).
pub struct TestDb {
    pub url: String,
    pub store: Store,
    file: Option<PathBuf>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(f) = &self.file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", f.display()));
            }
        }
    }
}

fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{prefix}_{}_{}_{n}", std::process::id(), nanos % 1_000_000_000)
}

/// The backend this test run is for, as named in `LIANJIAN_TEST_DATABASE_URL`.
pub fn base_url() -> Option<String> {
    std::env::var("LIANJIAN_TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres"))
}

/// A fresh database URL (not yet opened).
pub async fn fresh_url() -> Result<(String, Option<PathBuf>)> {
    match base_url() {
        Some(base) => {
            use sqlx::Connection;
            let schema = unique("lj_test");
            let mut conn = sqlx::PgConnection::connect(&base).await?;
            sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&mut conn).await?;
            conn.close().await?;
            let sep = if base.contains('?') { '&' } else { '?' };
            Ok((format!("{base}{sep}options=-c%20search_path%3D{schema}"), None))
        }
        None => {
            let path = std::env::temp_dir().join(format!("{}.db", unique("lianjian_test")));
            Ok((format!("sqlite://{}", path.display()), Some(path)))
        }
    }
}

/// A fresh, migrated database.
pub async fn fresh() -> Result<TestDb> {
    let (url, file) = fresh_url().await?;
    let store = Store::open(&url).await?;
    Ok(TestDb { url, store, file })
}
