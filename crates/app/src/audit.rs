//! The audit chain 审计链 as the audit administrator uses it: search, verify, the head to publish,
//! and the export — which is itself audited (`audit.export`).

use lianjian_store::audit::{self, Actor, AuditDraft, AuditFilter};
use serde_json::Value;

use crate::{App, Result};

/// Whether the chain in the database verifies, in the administrator's words.
pub struct Verification {
    pub ok: bool,
    pub message: String,
}

impl App {
    /// Entries matching `filter`, newest first.
    pub async fn audit_search(&self, filter: &AuditFilter, limit: i64, offset: i64) -> Result<Vec<Value>> {
        Ok(self.store().audit_search(filter, limit, offset).await?)
    }

    /// The newest entry's sequence number and hash (publish it so that truncation is detectable).
    pub async fn audit_head(&self) -> Result<(i64, String)> {
        Ok(self.store().audit_head().await?)
    }

    /// Rebuild every entry from its columns and check the chain and its head.
    pub async fn audit_verify(&self) -> Result<Verification> {
        Ok(match self.store().audit_verify().await? {
            Ok(s) => Verification {
                ok: true,
                message: format!("审计链校验通过:共 {} 条,链头与数据库记录一致", s.count),
            },
            Err(b) => Verification { ok: false, message: format!("审计链校验失败:{b}") },
        })
    }

    /// The whole chain as JSON Lines (the spec's entry form); the export is then audited as
    /// `audit.export` (the next export shows it).
    pub async fn audit_export(&self, actor: &Actor) -> Result<Vec<u8>> {
        let store = self.store();
        let mut out = Vec::new();
        store
            .audit_for_each(|e| {
                out.extend_from_slice(e.to_string().as_bytes());
                out.push(b'\n');
                Ok::<(), ()>(())
            })
            .await?
            .ok();
        let mut tx = store.begin().await?;
        audit::append(&mut tx, AuditDraft::new(actor, "audit.export", "audit_log", "all"), store.now())
            .await?;
        lianjian_store::commit(tx).await?;
        Ok(out)
    }
}
