//! The off-site engine's configuration as a regulator maintains it: its own method-standard table
//! (CSV, exchange-formats §5) and engine thresholds 规则阈值 (a rules file) — SQL only. Validation
//! and the audit entry belong to the use case (`lianjian_app::reports`), which holds the engine's
//! parsers; this module keeps every version.

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::{Result, Store};

/// The two kinds of configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ConfigKind {
    /// Method-standard table, CSV.
    Methods,
    /// Engine thresholds 规则阈值, TOML or JSON.
    Rules,
}

impl ConfigKind {
    pub fn code(self) -> &'static str {
        match self {
            ConfigKind::Methods => "methods",
            ConfigKind::Rules => "rules",
        }
    }
}

/// One uploaded version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigVersion {
    pub id: i64,
    pub content: String,
    pub note: String,
    pub set_by: String,
    pub created_at: i64,
}

impl Store {
    /// The version in force (the newest), if any was uploaded.
    pub async fn offsite_config(&self, kind: ConfigKind) -> Result<Option<ConfigVersion>> {
        Ok(self.offsite_config_history(kind, 1).await?.into_iter().next())
    }

    /// The newest `limit` versions, newest first.
    pub async fn offsite_config_history(&self, kind: ConfigKind, limit: i64) -> Result<Vec<ConfigVersion>> {
        let rows = sqlx::query(
            "SELECT id, content, note, set_by, created_at FROM offsite_config WHERE kind = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(kind.code())
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ConfigVersion {
                    id: r.try_get(0)?,
                    content: r.try_get(1)?,
                    note: r.try_get(2)?,
                    set_by: r.try_get(3)?,
                    created_at: r.try_get(4)?,
                })
            })
            .collect()
    }
}

/// Store a new (already validated) version set by `by`; returns its id.
pub async fn insert(
    conn: &mut AnyConnection,
    kind: ConfigKind,
    content: &str,
    note: &str,
    by: &str,
    now: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO offsite_config (kind, content, note, set_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(kind.code())
    .bind(content)
    .bind(note)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get(0)?)
}
