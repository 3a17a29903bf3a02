//! Files staged between an upload's preview and its confirmation. Stateless servers cannot keep the
//! file in memory between two requests that a load balancer may send to different processes.

use sqlx::Row;

use crate::{Result, Store};

/// A staged file is kept at most this long.
pub const STAGED_TTL_MS: i64 = 24 * 3600 * 1000;

#[derive(Debug, Clone)]
pub struct Staged {
    pub kind: String,
    pub file_name: String,
    pub payload: String,
}

impl Store {
    /// Stage `payload` for `user_id` under the secret `token`.
    pub async fn stage_upload(
        &self,
        token: &str,
        user_id: i64,
        kind: &str,
        file_name: &str,
        payload: &str,
    ) -> Result<()> {
        sqlx::query("DELETE FROM staged_uploads WHERE created_at < $1")
            .bind(self.now_ms() - STAGED_TTL_MS)
            .execute(self.pool())
            .await?;
        sqlx::query(
            "INSERT INTO staged_uploads (token, user_id, kind, file_name, payload, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token)
        .bind(user_id)
        .bind(kind)
        .bind(file_name)
        .bind(payload)
        .bind(self.now_ms())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The staged file, only for the user who staged it and only while fresh.
    pub async fn staged_upload(&self, token: &str, user_id: i64) -> Result<Option<Staged>> {
        let row = sqlx::query(
            "SELECT kind, file_name, payload FROM staged_uploads WHERE token = $1 AND user_id = $2 AND created_at >= $3",
        )
        .bind(token)
        .bind(user_id)
        .bind(self.now_ms() - STAGED_TTL_MS)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| Ok(Staged { kind: r.try_get(0)?, file_name: r.try_get(1)?, payload: r.try_get(2)? }))
            .transpose()
    }

    pub async fn drop_staged_upload(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM staged_uploads WHERE token = $1").bind(token).execute(self.pool()).await?;
        Ok(())
    }
}
