//! Everything that differs between SQLite and PostgreSQL, and nothing else.

use std::path::PathBuf;

use sqlx::migrate::Migrator;
use sqlx::{AnyConnection, AnyPool, Executor};

use crate::{redact, Result, StoreError};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Refuse unknown schemes instead of guessing.
    pub fn from_url(url: &str) -> Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedScheme(redact(url)))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }

    /// SQLite: create the file's directory and ask for the file to be created on first run.
    pub(crate) async fn prepare(self, url: &str) -> Result<String> {
        match self {
            Backend::Postgres => Ok(url.to_owned()),
            Backend::Sqlite => {
                let path = sqlite_path(url)?;
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    tokio::fs::create_dir_all(dir).await.map_err(|e| StoreError::BadUrl {
                        url: url.to_owned(),
                        reason: format!("无法创建目录 {}:{e}", dir.display()),
                    })?;
                }
                let url = if url.contains("mode=") {
                    url.to_owned()
                } else if url.contains('?') {
                    format!("{url}&mode=rwc")
                } else {
                    format!("{url}?mode=rwc")
                };
                set_wal(&url).await?;
                Ok(url)
            }
        }
    }

    pub(crate) async fn on_connect(self, conn: &mut AnyConnection) -> std::result::Result<(), sqlx::Error> {
        if self == Backend::Sqlite {
            // WAL is a property of the file, set once in `prepare`: switching needs an exclusive lock
            // that the busy handler does not wait for, so pool connections must not each try it.
            conn.execute("PRAGMA busy_timeout = 10000").await?;
            conn.execute("PRAGMA foreign_keys = ON").await?;
            conn.execute("PRAGMA synchronous = NORMAL").await?;
        }
        Ok(())
    }

    pub(crate) fn max_connections(self) -> u32 {
        match self {
            Backend::Sqlite => 4,
            Backend::Postgres => 16,
        }
    }

    pub(crate) fn begin_statement(self) -> &'static str {
        match self {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        }
    }

    pub(crate) async fn migrate(self, pool: &AnyPool) -> Result<()> {
        self.migrator().run(pool).await?;
        Ok(())
    }

    pub fn migrator(self) -> &'static Migrator {
        match self {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }
}

/// Put the SQLite file in WAL mode, on one connection, before any pool opens it (read-only files are
/// left as they are).
async fn set_wal(url: &str) -> Result<()> {
    use sqlx::{ConnectOptions, Connection};
    use std::str::FromStr;
    let bad = |e: sqlx::Error| StoreError::Unreachable { url: redact(url), reason: e.to_string() };
    if url.contains("mode=ro") {
        return Ok(());
    }
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)
        .map_err(bad)?
        .busy_timeout(std::time::Duration::from_secs(10))
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
    let conn = options.connect().await.map_err(bad)?;
    conn.close().await.map_err(bad)?;
    Ok(())
}

/// The file path inside a `sqlite://PATH[?query]` URL.
pub fn sqlite_path(url: &str) -> Result<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| StoreError::UnsupportedScheme(url.to_owned()))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Err(StoreError::BadUrl { url: url.to_owned(), reason: "需要数据库文件路径".into() });
    }
    Ok(PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_have_the_same_migration_versions() {
        let versions = |m: &Migrator| m.iter().map(|m| m.version).collect::<Vec<_>>();
        assert!(SQLITE_MIGRATIONS.iter().next().is_some());
        assert_eq!(versions(&SQLITE_MIGRATIONS), versions(&POSTGRES_MIGRATIONS));
    }

    #[test]
    fn unknown_schemes_are_refused() {
        assert!(matches!(Backend::from_url("mysql://x"), Err(StoreError::UnsupportedScheme(_))));
        assert!(matches!(Backend::from_url("lianjian.db"), Err(StoreError::UnsupportedScheme(_))));
        assert_eq!(Backend::from_url("postgresql://h/db").unwrap(), Backend::Postgres);
    }

    #[test]
    fn sqlite_path_is_taken_from_the_url() {
        assert_eq!(sqlite_path("sqlite://./d/x.db?mode=rwc").unwrap(), PathBuf::from("./d/x.db"));
        assert_eq!(sqlite_path("sqlite:///abs/x.db").unwrap(), PathBuf::from("/abs/x.db"));
        assert!(sqlite_path("sqlite://").is_err());
    }
}
