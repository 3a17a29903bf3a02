//! Canonical JSON (RFC 8785) and SM3: the two primitives the chain is built on.

use serde_json::Value;
use sm3::{Digest, Sm3};

/// `prev` of entry 1: 64 zeros.
pub const GENESIS_PREV: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The largest integer RFC 8785 (which writes numbers as IEEE 754 doubles) represents exactly:
/// 2^53 − 1. Larger integers are refused when sealing, because canonicalisation would round them.
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// JSON that RFC 8785 cannot canonicalise (in practice unreachable for a `serde_json::Value`,
/// which cannot hold NaN or infinities).
#[derive(Debug, thiserror::Error)]
#[error("无法生成规范化 JSON(RFC 8785):{0}")]
pub struct CanonicalError(#[from] serde_json::Error);

/// RFC 8785 (JCS) canonical JSON text of `value`: members sorted by UTF-16 code units, no
/// whitespace, numbers in ECMAScript form, strings minimally escaped. Other crates (e.g. the draw
/// protocol) use this too, so that every hash in the platform is over the same canonical form.
pub fn canonical_json(value: &Value) -> Result<String, CanonicalError> {
    Ok(serde_json_canonicalizer::to_string(value)?)
}

/// Lowercase hex SM3 digest of `bytes`.
pub fn sm3_hex(bytes: &[u8]) -> String {
    hex::encode(Sm3::digest(bytes))
}

/// `hash` of an entry: lowercase hex SM3 of the UTF-8 bytes of the canonical JSON of the entry
/// object without its `hash` member. A `hash` member present in `entry_without_hash` is ignored,
/// every other member (including unknown ones) is hashed as given.
///
/// # Panics
/// Only if `value` cannot be canonicalised, which needs a number outside the range of an `f64`; a
/// `serde_json::Value` cannot hold one unless serde_json's `arbitrary_precision` feature is on.
/// Verification uses the non-panicking path and reports such an entry as malformed.
pub fn entry_hash(entry_without_hash: &Value) -> String {
    try_entry_hash(entry_without_hash).expect("a serde_json::Value canonicalises")
}

/// [`entry_hash`] without the panic.
pub(crate) fn try_entry_hash(entry: &Value) -> Result<String, CanonicalError> {
    match entry {
        Value::Object(map) if map.contains_key("hash") => {
            let mut map = map.clone();
            map.remove("hash");
            hash_value(&Value::Object(map))
        }
        other => hash_value(other),
    }
}

/// SM3 of the canonical JSON of `value` as is.
pub(crate) fn hash_value(value: &Value) -> Result<String, CanonicalError> {
    Ok(sm3_hex(canonical_json(value)?.as_bytes()))
}
