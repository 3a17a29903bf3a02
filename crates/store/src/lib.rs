//! Storage for Lianjian: every SQL statement of the platform lives in this crate.
//!
//! One SQL dialect — the common subset of SQLite and PostgreSQL, with `$n` placeholders, BIGINT
//! integers, Unix-millisecond instants and `YYYY-MM-DD` text dates — runs on both backends through
//! sqlx's `Any` driver. What genuinely differs between the backends (the DDL of the migrations, how a
//! writing transaction starts, how a backup is taken) is confined to [`backend`]; business code
//! above never branches on the backend. A district runs the embedded SQLite file; a city points
//! several stateless server processes at one PostgreSQL.

pub mod audit;
pub mod backend;
pub mod backup;
pub mod calendar;
pub mod deadlines;
mod error;
pub mod inspectors;
pub mod institutions;
pub mod items;
pub mod jobs;
pub mod offsite_config;
pub mod params;
pub mod partner_lists;
pub mod plans;
pub mod reports;
pub mod sessions;
mod sql;
pub mod testing;
pub mod uploads;
pub mod users;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions};

pub use backend::Backend;
pub use error::StoreError;
pub use lianjian_domain::clock::Clock;
pub use sqlx::AnyConnection as Conn;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
/// A writing transaction; commit it or the change is rolled back when it is dropped.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// The default embedded database, relative to the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://./lianjian-data/lianjian.db";

/// A handle to the platform's database. Cheap to clone; holds a connection pool.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    url: String,
    clock: Clock,
}

impl Store {
    /// Open (creating the SQLite file and its directory if needed) and bring the schema up to date.
    pub async fn open(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = backend.prepare(url).await?;
        let options = AnyConnectOptions::from_str(&url)
            .map_err(|e| StoreError::BadUrl { url: redact(&url), reason: e.to_string() })?
            .log_statements(tracing::log::LevelFilter::Trace)
            .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_secs(2));
        let pool = AnyPoolOptions::new()
            .max_connections(backend.max_connections())
            .acquire_timeout(Duration::from_secs(15))
            .after_connect(move |conn, _| Box::pin(async move { backend.on_connect(conn).await }))
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Unreachable { url: redact(&url), reason: e.to_string() })?;
        backend.migrate(&pool).await?;
        Ok(Store { pool, backend, url, clock: Clock::system() })
    }

    /// The same store reading time from `clock` (tests and the demo; `serve` keeps the system clock).
    pub fn with_clock(mut self, clock: Clock) -> Store {
        self.clock = clock;
        self
    }

    /// The platform's clock: every instant stored and every "today" comes from it.
    pub fn clock(&self) -> Clock {
        self.clock
    }

    pub fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }

    /// Milliseconds since the Unix epoch on the platform's clock, the storage form of every instant.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Today in China Standard Time on the platform's clock.
    pub fn today(&self) -> time::Date {
        self.clock.today()
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A connection for a use case's reads that must see one another (no transaction, no lock).
    pub async fn connection(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// Start a writing transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`) so
    /// that a read-then-write transaction cannot fail half-way when another writer got there first.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(self.pool.begin_with(self.backend.begin_statement()).await?)
    }

    /// A quick liveness probe for `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Commit a transaction.
pub async fn commit(tx: Tx) -> Result<()> {
    tx.commit().await?;
    Ok(())
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}
