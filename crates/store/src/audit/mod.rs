//! The audit chain `lianjian-audit-v1` in the database.
//!
//! Entries are appended inside the caller's transaction, so a change and its audit entry commit or
//! roll back together. The next `seq` is reserved by an UPDATE of the one-row `audit_head` table,
//! which serialises appenders across server processes on PostgreSQL (a row lock) and on SQLite (the
//! write lock). Verification rebuilds each entry from its columns, so editing any column breaks it.

use serde::Serialize;
use serde_json::{json, Value};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;

use crate::{Result, Store, StoreError};

mod batch;

pub use batch::append_all;

/// Who did it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Actor {
    pub user: String,
    pub department: String,
    pub role: String,
    pub ip: Option<String>,
}

impl Actor {
    /// The platform itself (demo seeding, background jobs, CLI without a signed-in user).
    pub fn system(what: &str) -> Actor {
        Actor { user: what.to_owned(), department: "OPS".into(), role: "system".into(), ip: None }
    }
}

/// An audit entry before it is sealed into the chain.
#[derive(Debug, Clone)]
pub struct AuditDraft {
    pub actor: Actor,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub note: Option<String>,
}

/// The longest text an untrusted caller may put into an identifying column of the append-only chain
/// (an object id, a username, an address); longer input is cut and marked by [`cap`].
pub const MAX_UNTRUSTED_CHARS: usize = 128;

/// `text` as the chain may keep it: at most [`MAX_UNTRUSTED_CHARS`] characters, and when cut, marked
/// with the original length so an auditor sees that it was (`…[截断:原 102400 字符]`).
pub fn cap(text: &str) -> String {
    let n = text.chars().count();
    if n <= MAX_UNTRUSTED_CHARS {
        return text.to_owned();
    }
    let kept: String = text.chars().take(MAX_UNTRUSTED_CHARS).collect();
    format!("{kept}…[截断:原 {n} 字符]")
}

impl AuditDraft {
    /// A draft entry. The actor's user and address and the object id are capped ([`cap`]): they may
    /// come from untrusted input (a sign-in attempt names any username it likes).
    pub fn new(actor: &Actor, action: &str, object_type: &str, object_id: impl Into<String>) -> Self {
        let mut actor = actor.clone();
        actor.user = cap(&actor.user);
        actor.ip = actor.ip.as_deref().map(cap);
        AuditDraft {
            actor,
            action: action.to_owned(),
            object_type: object_type.to_owned(),
            object_id: cap(&object_id.into()),
            before: None,
            after: None,
            note: None,
        }
    }

    pub fn before(mut self, v: Value) -> Self {
        self.before = Some(v);
        self
    }

    pub fn after(mut self, v: Value) -> Self {
        self.after = Some(v);
        self
    }

    pub fn note(mut self, n: impl Into<String>) -> Self {
        self.note = Some(n.into());
        self
    }
}

/// Search filters for the audit admin's page.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub user: Option<String>,
    pub action: Option<String>,
    pub object_id: Option<String>,
    pub from_seq: Option<i64>,
}

const COLUMNS: &str = "seq, at, actor_user, actor_department, actor_role, actor_ip, action, object_type, \
     object_id, before_json, after_json, note, prev, hash";

/// An entry as exported, without its `hash`: the one layout both [`append`] and batched appends seal.
pub(crate) fn unsealed_entry(seq: i64, at: &str, draft: &AuditDraft, prev: &str) -> Value {
    json!({
        "seq": seq,
        "at": at,
        "actor": {
            "user": draft.actor.user,
            "department": draft.actor.department,
            "role": draft.actor.role,
            "ip": draft.actor.ip,
        },
        "action": draft.action,
        "object": {"type": draft.object_type, "id": draft.object_id},
        "before": draft.before,
        "after": draft.after,
        "note": draft.note,
        "prev": prev,
    })
}

/// Append one entry inside the caller's transaction; returns the sealed entry as exported.
pub async fn append(conn: &mut AnyConnection, draft: AuditDraft, at: OffsetDateTime) -> Result<Value> {
    let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut *conn)
        .await?;
    let seq: i64 = head.try_get(0)?;
    let prev: String = head.try_get(1)?;
    let mut entry = unsealed_entry(seq, &lianjian_audit::format_at(at), &draft, &prev);
    let hash = lianjian_audit::entry_hash(&entry);
    let text = |v: &Value| if v.is_null() { None } else { Some(v.to_string()) };
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor_user, actor_department, actor_role, actor_ip, action, \
         object_type, object_id, before_json, after_json, note, prev, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(seq)
    .bind(entry["at"].as_str())
    .bind(entry["actor"]["user"].as_str())
    .bind(entry["actor"]["department"].as_str())
    .bind(entry["actor"]["role"].as_str())
    .bind(entry["actor"]["ip"].as_str())
    .bind(entry["action"].as_str())
    .bind(entry["object"]["type"].as_str())
    .bind(entry["object"]["id"].as_str())
    .bind(text(&entry["before"]))
    .bind(text(&entry["after"]))
    .bind(entry["note"].as_str())
    .bind(&prev)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&hash).execute(&mut *conn).await?;
    entry["hash"] = Value::String(hash);
    Ok(entry)
}

fn entry_from_row(row: &AnyRow) -> Result<Value> {
    let parse = |col: &str| -> Result<Value> {
        let raw: Option<String> = row.try_get(col)?;
        match raw {
            None => Ok(Value::Null),
            Some(s) => {
                serde_json::from_str(&s).map_err(|e| StoreError::Audit(format!("{col} 不是合法的 JSON:{e}")))
            }
        }
    };
    Ok(json!({
        "seq": row.try_get::<i64, _>("seq")?,
        "at": row.try_get::<String, _>("at")?,
        "actor": {
            "user": row.try_get::<String, _>("actor_user")?,
            "department": row.try_get::<String, _>("actor_department")?,
            "role": row.try_get::<String, _>("actor_role")?,
            "ip": row.try_get::<Option<String>, _>("actor_ip")?,
        },
        "action": row.try_get::<String, _>("action")?,
        "object": {
            "type": row.try_get::<String, _>("object_type")?,
            "id": row.try_get::<String, _>("object_id")?,
        },
        "before": parse("before_json")?,
        "after": parse("after_json")?,
        "note": row.try_get::<Option<String>, _>("note")?,
        "prev": row.try_get::<String, _>("prev")?,
        "hash": row.try_get::<String, _>("hash")?,
    }))
}

impl Store {
    /// Newest entries first, filtered; for the audit admin's page.
    pub async fn audit_search(&self, f: &AuditFilter, limit: i64, offset: i64) -> Result<Vec<Value>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM audit_log WHERE ($1 IS NULL OR actor_user = $1) \
             AND ($2 IS NULL OR action LIKE $2) AND ($3 IS NULL OR object_id = $3) \
             AND ($4 IS NULL OR seq >= $4) ORDER BY seq DESC LIMIT $5 OFFSET $6"
        );
        let rows = sqlx::query(&sql)
            .bind(&f.user)
            .bind(f.action.as_ref().map(|a| format!("{a}%")))
            .bind(&f.object_id)
            .bind(f.from_seq)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(entry_from_row).collect()
    }

    /// Entries with `seq > after`, oldest first, at most `limit`: the export pages through with this.
    pub async fn audit_page(&self, after: i64, limit: i64) -> Result<Vec<Value>> {
        let sql = format!("SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2");
        let rows = sqlx::query(&sql).bind(after).bind(limit).fetch_all(&self.pool).await?;
        rows.iter().map(entry_from_row).collect()
    }

    /// The newest `(seq, hash)`; seq 0 and 64 zeros for an empty log.
    pub async fn audit_head(&self) -> Result<(i64, String)> {
        let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&self.pool).await?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }

    /// Every entry in seq order, page by page, handed to `sink`; stops at the sink's first error.
    pub async fn audit_for_each<E>(
        &self,
        mut sink: impl FnMut(Value) -> std::result::Result<(), E>,
    ) -> Result<std::result::Result<(), E>> {
        let mut after = 0;
        loop {
            let page = self.audit_page(after, 2000).await?;
            if page.is_empty() {
                return Ok(Ok(()));
            }
            for entry in page {
                after = entry["seq"].as_i64().unwrap_or(after);
                if let Err(e) = sink(entry) {
                    return Ok(Err(e));
                }
            }
        }
    }

    /// Verify the live chain page by page, and also that its newest entry is the recorded head: a
    /// deletion of the newest rows leaves a valid but shorter chain, which only the head reveals.
    pub async fn audit_verify(
        &self,
    ) -> Result<std::result::Result<lianjian_audit::VerifySummary, lianjian_audit::BrokenAt>> {
        use lianjian_audit::{BreakReason, BrokenAt, Verifier};
        let (head_seq, head_hash) = self.audit_head().await?;
        let mut verifier = Verifier::new();
        let mut position = 0u64;
        let walked = self
            .audit_for_each(|entry| {
                position += 1;
                verifier.push(entry, position)
            })
            .await?;
        if let Err(broken) = walked {
            return Ok(Err(broken));
        }
        let summary = verifier.summary();
        let head_seq = u64::try_from(head_seq).unwrap_or(0);
        if summary.count < head_seq {
            let reason = BreakReason::Gap { expected: summary.count + 1, found: head_seq + 1 };
            return Ok(Err(BrokenAt { position: summary.count + 1, seq: summary.count + 1, reason }));
        }
        if summary.head != head_hash {
            let reason = BreakReason::HashMismatch { recorded: head_hash, computed: summary.head.clone() };
            return Ok(Err(BrokenAt { position: summary.count, seq: summary.count, reason }));
        }
        Ok(Ok(summary))
    }
}
