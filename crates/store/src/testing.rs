//! Isolated databases for tests, on whichever backend the run asks for.
//!
//! `LIANJIAN_TEST_DATABASE_URL` unset or `sqlite` → a fresh SQLite file in the temp directory per test.
//! A `postgres://…` URL → a fresh schema per test in that database (selected through the connection's
//! `search_path`), so tests run in parallel without seeing each other. CI runs the suite once each way.
//!
//! `LIANJIAN_TEST_TODAY=YYYY-MM-DD` starts every test store's clock on that day ([`clock`]): CI runs
//! the date-sensitive tests again at the end of December of a year with and without a notice for the
//! next, so that no test depends on the day it runs. Only test code reads this variable; `serve`
//! always runs on the system clock.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use lianjian_domain::clock::Clock;
use lianjian_domain::inspectors::NewInspector;
use lianjian_domain::org::{Category, Department};
use lianjian_domain::partner::{Commission, PartnerListRow};
use time::Date;

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

/// The day tests run on: `LIANJIAN_TEST_TODAY` when set (a bad value is a test-setup error and
/// panics with the variable's name), else `None` — the system's today.
pub fn test_day() -> Option<Date> {
    let text = std::env::var("LIANJIAN_TEST_TODAY").ok().filter(|t| !t.trim().is_empty())?;
    let day = lianjian_registry::date::parse(text.trim());
    Some(day.unwrap_or_else(|| panic!("LIANJIAN_TEST_TODAY={text:?} is not YYYY-MM-DD")))
}

/// The clock tests run on (see the module comment).
pub fn clock() -> Clock {
    test_day().map_or(Clock::system(), Clock::starting_on)
}

/// A fresh, migrated database whose store runs on the test [`clock`].
pub async fn fresh() -> Result<TestDb> {
    let (url, file) = fresh_url().await?;
    let store = Store::open(&url).await?.with_clock(clock());
    Ok(TestDb { url, store, file })
}

// ---- fixtures shared by the story tests of the store and the use-case tests of the app ----

/// A valid unified social credit code for test number `n` (`91310113` + nine digits + check).
pub fn uscc(n: u32) -> String {
    let body = format!("91310113{n:09}");
    let check = lianjian_domain::uscc::check_char(&body).unwrap_or('0');
    format!("{body}{check}")
}

/// An inspector `code` of `department` with these specialties, up to 3 tasks a plan.
pub fn new_inspector(code: &str, department: Department, specialties: &[Category]) -> NewInspector {
    NewInspector {
        code: code.into(),
        department,
        name: format!("检查员{code}"),
        enforcement_cert_no: format!("沪执{code}"),
        specialties: specialties.to_vec(),
        max_tasks_per_plan: 3,
    }
}

/// A partner-list row naming institution [`uscc`]`(n)` for a project in `category`.
pub fn list_row(n: u32, category: Category, commission: Commission) -> PartnerListRow {
    PartnerListRow {
        uscc: uscc(n),
        institution_name: format!("上海第{n}检测技术有限公司"),
        category,
        project: format!("{}监测项目", category.zh()),
        commission,
    }
}
