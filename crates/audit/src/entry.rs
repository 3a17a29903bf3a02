//! The entry of the chain and how a new one is sealed.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::format_description::FormatItem;
use time::macros::{format_description, offset};
use time::{OffsetDateTime, UtcOffset};

use crate::hash::{hash_value, CanonicalError, MAX_SAFE_INTEGER};

/// China Standard Time, the offset every `at` carries.
const CST: UtcOffset = offset!(+08:00);

/// `2025-03-01T09:30:00.123+08:00`: RFC 3339, milliseconds, explicit +08:00.
const AT_FORMAT: &[FormatItem<'static>] = format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3][offset_hour sign:mandatory]:[offset_minute]"
);

/// Who acted. `ip` is absent for actions the system takes itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user: String,
    pub department: String,
    pub role: String,
    pub ip: Option<String>,
}

/// What was acted on: `{"type": "institution", "id": "91310113MA1G8XXXXX"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Object {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
}

/// An entry before it has a place in the chain: what the caller knows.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// RFC 3339 with milliseconds and `+08:00`; use [`format_at`].
    pub at: String,
    pub actor: Actor,
    /// Dotted action name, e.g. `institution.update`, `auth.login_failed`.
    pub action: String,
    pub object: Object,
    /// Changed fields before (null for a creation). No floats, no identity numbers, no passwords.
    pub before: Option<Value>,
    /// Changed fields after (null for a deletion).
    pub after: Option<Value>,
    pub note: Option<String>,
}

/// One entry of the chain, as stored and exported (one JSON Lines line). Every member is always
/// present (absent optional values are `null`), so the hashed form is the same everywhere.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: u64,
    pub at: String,
    pub actor: Actor,
    pub action: String,
    pub object: Object,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub note: Option<String>,
    pub prev: String,
    pub hash: String,
}

/// Why an entry cannot be sealed.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// A float in `before`/`after` (at this JSON Pointer); amounts go in fen as integers, measured
    /// values as strings.
    #[error("审计记录中不允许出现浮点数(位置 {0});金额请用以分为单位的整数,测量值请用字符串")]
    Float(String),
    /// An integer beyond ±(2^53 − 1), which canonical JSON would round.
    #[error("审计记录中的整数超出可精确表示的范围(位置 {0});请改用字符串")]
    IntegerOutOfRange(String),
    /// `at` is not RFC 3339 with milliseconds and +08:00.
    #[error("审计记录时间格式错误:{0}(应为 2025-03-01T09:30:00.123+08:00 的形式)")]
    BadTime(String),
    /// `prev` is not 64 lowercase hex digits.
    #[error("审计记录的 prev 不是 64 位小写十六进制:{0}")]
    BadPrev(String),
    /// `seq` is 0 or too large.
    #[error("审计记录序号无效:{0}(应从 1 开始)")]
    BadSeq(u64),
    #[error(transparent)]
    Canonical(#[from] CanonicalError),
    #[error("审计记录无法序列化:{0}")]
    Json(#[from] serde_json::Error),
}

/// `at` for an instant: converted to China Standard Time, milliseconds, `+08:00`.
pub fn format_at(now: OffsetDateTime) -> String {
    let t = now.to_offset(CST);
    // Truncate to milliseconds so that formatting is the only rounding step.
    let t = t.replace_nanosecond(t.millisecond() as u32 * 1_000_000).unwrap_or(t);
    t.format(AT_FORMAT).expect("years 0000-9999 always format")
}

fn check_at(at: &str) -> Result<(), AuditError> {
    match OffsetDateTime::parse(at, AT_FORMAT) {
        Ok(t) if t.offset() == CST => Ok(()),
        _ => Err(AuditError::BadTime(at.to_owned())),
    }
}

fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Refuse floats and unsafe integers anywhere inside `value`; `path` is its JSON Pointer.
fn check_numbers(value: &Value, path: &mut String) -> Result<(), AuditError> {
    match value {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                if i.abs() > MAX_SAFE_INTEGER {
                    return Err(AuditError::IntegerOutOfRange(path.clone()));
                }
            } else if n.is_u64() {
                return Err(AuditError::IntegerOutOfRange(path.clone()));
            } else {
                return Err(AuditError::Float(path.clone()));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("/{i}"));
                check_numbers(item, path)?;
                path.truncate(len);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                let len = path.len();
                path.push('/');
                // RFC 6901 escaping.
                path.push_str(&k.replace('~', "~0").replace('/', "~1"));
                check_numbers(v, path)?;
                path.truncate(len);
            }
        }
        Value::Null | Value::Bool(_) | Value::String(_) => {}
    }
    Ok(())
}

/// Give `draft` its place in the chain: number `seq`, after the entry whose hash is `prev`
/// ([`crate::GENESIS_PREV`] for `seq` 1), and compute its `hash`.
///
/// Refuses floats or integers beyond ±(2^53 − 1) in `before`/`after`, an `at` that is not
/// RFC 3339 with milliseconds and `+08:00`, a malformed `prev` and `seq` 0.
pub fn seal(draft: Draft, seq: u64, prev: &str) -> Result<Entry, AuditError> {
    if seq == 0 || seq > MAX_SAFE_INTEGER as u64 {
        return Err(AuditError::BadSeq(seq));
    }
    if !is_hash(prev) {
        return Err(AuditError::BadPrev(prev.to_owned()));
    }
    check_at(&draft.at)?;
    for (name, side) in [("before", &draft.before), ("after", &draft.after)] {
        if let Some(v) = side {
            check_numbers(v, &mut format!("/{name}"))?;
        }
    }
    let Draft { at, actor, action, object, before, after, note } = draft;
    let mut entry = Entry {
        seq,
        at,
        actor,
        action,
        object,
        before,
        after,
        note,
        prev: prev.to_owned(),
        hash: String::new(),
    };
    entry.hash = entry.compute_hash()?;
    Ok(entry)
}

impl Entry {
    /// The entry as a JSON object without `hash`: exactly what is hashed.
    pub fn to_value_without_hash(&self) -> Result<Value, AuditError> {
        let mut v = serde_json::to_value(self)?;
        if let Value::Object(map) = &mut v {
            map.remove("hash");
        }
        Ok(v)
    }

    /// Recompute the hash from the other fields.
    pub fn compute_hash(&self) -> Result<String, AuditError> {
        Ok(hash_value(&self.to_value_without_hash()?)?)
    }

    /// The export line: canonical JSON of the whole entry (with `hash`), no trailing newline.
    pub fn to_json_line(&self) -> Result<String, AuditError> {
        Ok(crate::canonical_json(&serde_json::to_value(self)?)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn format_at_converts_to_cst_with_milliseconds() {
        assert_eq!(format_at(datetime!(2025-03-01 01:30:00.123456 UTC)), "2025-03-01T09:30:00.123+08:00");
        assert_eq!(format_at(datetime!(2025-12-31 16:00:00 UTC)), "2026-01-01T00:00:00.000+08:00");
    }

    #[test]
    fn check_at_accepts_only_cst_with_milliseconds() {
        assert!(check_at("2025-03-01T09:30:00.123+08:00").is_ok());
        for bad in [
            "2025-03-01T09:30:00+08:00",
            "2025-03-01T01:30:00.123Z",
            "2025-03-01T09:30:00.123+00:00",
            "2025-03-01 09:30:00.123+08:00",
            "2025-03-01T09:30:00.1234+08:00",
        ] {
            assert!(check_at(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn float_path_is_a_json_pointer() {
        let v = serde_json::json!({"a/b": [1, {"x": 1.5}]});
        let err = check_numbers(&v, &mut "/after".to_owned()).unwrap_err();
        assert!(matches!(&err, AuditError::Float(p) if p == "/after/a~1b/1/x"), "{err:?}");
    }
}
