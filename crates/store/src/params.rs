//! Operator-set values of the legal parameters 法定参数: every legal number is effective-dated
//! (several rules changed on 2026-01-01), and a regulator must be able to follow a rule change
//! without a release. The catalogue and the defaults live in `lianjian_domain::params`.

use lianjian_domain::params::{ParamError, ParamKey, ParamSet};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use time::Date;

use crate::audit::{self, Actor, AuditDraft};
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

#[derive(Debug, thiserror::Error)]
pub enum ParamStoreError {
    #[error("{0}")]
    Invalid(#[from] ParamError),
    #[error("请说明调整依据(如文件文号)")]
    NoteRequired,
    #[error("参数值 {0} 超出合理范围(0 至 1,000,000,000)")]
    OutOfRange(i64),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ParamStoreError {
    fn from(e: sqlx::Error) -> Self {
        ParamStoreError::Store(e.into())
    }
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

    /// Set `key` to `value` from `effective_from` on; audited as `param.set` with the value before.
    pub async fn set_param(
        &self,
        actor: &Actor,
        key: ParamKey,
        effective_from: Date,
        value: i64,
        note: &str,
    ) -> Result<(), ParamStoreError> {
        let note = note.trim();
        if note.is_empty() {
            return Err(ParamStoreError::NoteRequired);
        }
        // Legal numbers are small; a huge one is a typing error (and would not survive RFC 8785's doubles).
        if !(0..=1_000_000_000).contains(&value) {
            return Err(ParamStoreError::OutOfRange(value));
        }
        let current = self.param_set().await?;
        ParamSet::defaults().set(key, effective_from, value)?;
        let day = lianjian_registry::date::format(effective_from);
        let before = current.value_on(key, effective_from);
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO param_overrides (key, effective_from, value, note, set_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(key.code())
        .bind(&day)
        .bind(value)
        .bind(note)
        .bind(&actor.user)
        .bind(self.now_ms())
        .execute(&mut *tx)
        .await?;
        let draft = AuditDraft::new(actor, "param.set", "param", key.code())
            .before(json!({"value_on_that_day": before}))
            .after(json!({"effective_from": day, "value": value}))
            .note(note);
        audit::append(&mut tx, draft, self.now()).await?;
        crate::commit(tx).await?;
        Ok(())
    }
}
