//! Operator-set values of the legal parameters 法定参数: every legal number is effective-dated
//! (several rules changed on 2026-01-01), and a regulator must be able to follow a rule change
//! without a release. The catalogue and the defaults live in `lianjian_domain::params`.

use lianjian_domain::params::{ParamKey, ParamSet};
use serde::Serialize;
use sqlx::Row;
use time::Date;

use crate::audit::Actor;
use crate::{Store, StoreError};

/// One operator entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParamEntry {
    pub key: ParamKey,
    pub effective_from: String,
    pub value: i64,
    pub note: String,
    pub set_by: String,
    pub created_at: i64,
}

impl Store {
    /// Operator entries, oldest first.
    pub async fn param_entries(&self) -> Result<Vec<ParamEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT key, effective_from, value, note, set_by, created_at FROM param_overrides ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let key: String = r.try_get(0)?;
            // A key the catalogue no longer has is kept in the table but has no effect.
            let Some(key) = ParamKey::from_code(&key) else { continue };
            out.push(ParamEntry {
                key,
                effective_from: r.try_get(1)?,
                value: r.try_get(2)?,
                note: r.try_get(3)?,
                set_by: r.try_get(4)?,
                created_at: r.try_get(5)?,
            });
        }
        Ok(out)
    }

    /// The parameters in force: catalogue defaults plus the operator entries.
    pub async fn param_set(&self) -> Result<ParamSet, StoreError> {
        let mut set = ParamSet::defaults();
        for e in self.param_entries().await? {
            if let Some(d) = lianjian_registry::date::parse(&e.effective_from) {
                // Entries were validated when set; a later stricter rule does not hide history.
                let _ = set.set(e.key, d, e.value);
            }
        }
        Ok(set)
    }
}

/// Store an operator entry (validated by the use case), in the caller's transaction.
pub async fn insert_entry(
    conn: &mut sqlx::AnyConnection,
    key: ParamKey,
    effective_from: Date,
    value: i64,
    note: &str,
    actor: &Actor,
    now_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO param_overrides (key, effective_from, value, note, set_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(key.code())
    .bind(lianjian_registry::date::format(effective_from))
    .bind(value)
    .bind(note)
    .bind(&actor.user)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
