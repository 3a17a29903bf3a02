//! Checking a chain: the first broken `seq` and why.
//!
//! Verification works on the JSON *as given* (each entry object minus its `hash` member), never on
//! a struct re-serialised from it, so an export with extra or edited members is checked faithfully,
//! and the order of members or the whitespace of a line do not matter (the hash is over the
//! canonical form).

use std::fmt;
use std::io::BufRead;

use serde_json::Value;

use crate::hash::{hash_value, GENESIS_PREV};

/// A chain that verified: how many entries, and the head (hash of the newest entry; [`GENESIS_PREV`]
/// for an empty chain — i.e. always the `prev` the next entry must carry). Publish the head: a
/// truncated chain still verifies, only a different (older) head shows that entries were removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifySummary {
    pub count: u64,
    pub head: String,
}

/// Why the chain breaks at an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreakReason {
    /// The recorded `hash` is not the SM3 of the entry's canonical JSON: the entry (or its hash)
    /// was edited.
    HashMismatch { recorded: String, computed: String },
    /// `prev` is not the hash of the entry before: an entry before this one was replaced or
    /// re-sealed, or entries were inserted.
    WrongPrev { expected: String, found: String },
    /// `seq` is not the next number: `found > expected` means entries `expected..found` are missing
    /// (deleted, or moved later); `found < expected` means a repeated or moved entry. A chain not
    /// starting at 1 is reported with `expected = 1`.
    Gap { expected: u64, found: u64 },
    /// Not an entry at all: bad JSON, not an object, or `seq`/`prev`/`hash` missing or mistyped.
    Malformed { detail: String },
}

/// Where and why verification stopped. `position` is the 1-based place of the entry in the input
/// (its line number in a JSON Lines file); `seq` is the sequence number at which the chain breaks
/// (the expected one for a gap or a malformed entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenAt {
    pub position: u64,
    pub seq: u64,
    pub reason: BreakReason,
}

impl BrokenAt {
    /// Chinese message, e.g. `第 17 条(seq 17)哈希不符`.
    pub fn zh(&self) -> String {
        let what = match &self.reason {
            BreakReason::HashMismatch { .. } => "哈希不符".to_owned(),
            BreakReason::WrongPrev { .. } => "prev 与上一条的哈希不符".to_owned(),
            BreakReason::Gap { expected, found } if found > expected => {
                if *found == expected + 1 {
                    format!("缺少 seq {expected}(此处为 seq {found})")
                } else {
                    format!("缺少 seq {expected} 至 {}(此处为 seq {found})", found - 1)
                }
            }
            BreakReason::Gap { expected, found } => {
                format!("seq {found} 重复或顺序错误,应为 seq {expected}")
            }
            BreakReason::Malformed { detail } => format!("格式错误:{detail}"),
        };
        format!("第 {} 条(seq {}){what}", self.position, self.seq)
    }

    /// English message, e.g. `entry 17 (seq 17): hash mismatch`.
    pub fn en(&self) -> String {
        let what = match &self.reason {
            BreakReason::HashMismatch { .. } => "hash mismatch".to_owned(),
            BreakReason::WrongPrev { .. } => "wrong prev (not the hash of the previous entry)".to_owned(),
            BreakReason::Gap { expected, found } if found > expected => {
                if *found == expected + 1 {
                    format!("gap: seq {expected} missing (found seq {found})")
                } else {
                    format!("gap: seq {expected} to {} missing (found seq {found})", found - 1)
                }
            }
            BreakReason::Gap { expected, found } => {
                format!("gap: seq {found} repeated or out of order, expected seq {expected}")
            }
            BreakReason::Malformed { detail } => format!("malformed entry: {detail}"),
        };
        format!("entry {} (seq {}): {what}", self.position, self.seq)
    }
}

/// Both languages: `第 17 条(seq 17)哈希不符 / entry 17 (seq 17): hash mismatch`.
impl fmt::Display for BrokenAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.zh(), self.en())
    }
}

impl std::error::Error for BrokenAt {}

/// Incremental verifier, for callers that stream entries themselves (e.g. from the database).
#[derive(Debug, Clone)]
pub struct Verifier {
    count: u64,
    head: String,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier::new()
    }
}

impl Verifier {
    /// Verify from the start of the chain (seq 1, prev = [`GENESIS_PREV`]).
    pub fn new() -> Verifier {
        Verifier { count: 0, head: GENESIS_PREV.to_owned() }
    }

    /// Continue from a trusted checkpoint: `count` entries already verified, the last with hash
    /// `head` (e.g. a published head), so only newer entries need checking.
    pub fn resume(count: u64, head: &str) -> Verifier {
        Verifier { count, head: head.to_owned() }
    }

    /// The summary so far.
    pub fn summary(&self) -> VerifySummary {
        VerifySummary { count: self.count, head: self.head.clone() }
    }

    fn broken(&self, position: u64, seq: u64, reason: BreakReason) -> BrokenAt {
        BrokenAt { position, seq, reason }
    }

    /// Mark the entry at `position` as unreadable.
    pub fn malformed(&self, position: u64, detail: impl Into<String>) -> BrokenAt {
        self.broken(position, self.count + 1, BreakReason::Malformed { detail: detail.into() })
    }

    /// Check the next entry, given as parsed JSON. On success it becomes the new head.
    pub fn push(&mut self, entry: Value, position: u64) -> Result<(), BrokenAt> {
        let Value::Object(mut map) = entry else {
            return Err(self.malformed(position, "不是 JSON 对象 / not a JSON object"));
        };
        let Some(seq) = map.get("seq").and_then(Value::as_u64) else {
            return Err(self.malformed(position, "缺少非负整数 seq / missing non-negative integer seq"));
        };
        let Some(Value::String(recorded)) = map.remove("hash") else {
            return Err(self.malformed(position, "缺少字符串 hash / missing string hash"));
        };
        let Some(prev) = map.get("prev").and_then(Value::as_str) else {
            return Err(self.malformed(position, "缺少字符串 prev / missing string prev"));
        };
        let expected = self.count + 1;
        if seq != expected {
            return Err(self.broken(position, expected, BreakReason::Gap { expected, found: seq }));
        }
        if prev != self.head {
            let reason = BreakReason::WrongPrev { expected: self.head.clone(), found: prev.to_owned() };
            return Err(self.broken(position, seq, reason));
        }
        let computed =
            hash_value(&Value::Object(map)).map_err(|e| self.malformed(position, e.to_string()))?;
        if computed != recorded {
            return Err(self.broken(position, seq, BreakReason::HashMismatch { recorded, computed }));
        }
        self.count = seq;
        self.head = recorded;
        Ok(())
    }
}

/// Verify a whole chain given as parsed entries in `seq` order. An `Err` item (e.g. a JSON parse
/// error) is reported as a malformed entry at its 1-based position. Stops at the first break.
pub fn verify_entries<I, E>(entries: I) -> Result<VerifySummary, BrokenAt>
where
    I: Iterator<Item = Result<Value, E>>,
    E: fmt::Display,
{
    let mut verifier = Verifier::new();
    for (i, item) in entries.enumerate() {
        let position = i as u64 + 1;
        match item {
            Ok(value) => verifier.push(value, position)?,
            Err(e) => return Err(verifier.malformed(position, e.to_string())),
        }
    }
    Ok(verifier.summary())
}

/// Verify a JSON Lines export (one entry per line, in `seq` order). Blank lines are skipped;
/// `position` in a [`BrokenAt`] is the line number in the file. A read error is reported as a
/// malformed entry at the line where it happened.
pub fn verify_jsonl<R: BufRead>(reader: R) -> Result<VerifySummary, BrokenAt> {
    let mut verifier = Verifier::new();
    for (i, line) in reader.lines().enumerate() {
        let position = i as u64 + 1;
        let line = line.map_err(|e| verifier.malformed(position, format!("读取失败 / read error: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(&line)
            .map_err(|e| verifier.malformed(position, format!("不是有效 JSON / invalid JSON: {e}")))?;
        verifier.push(value, position)?;
    }
    Ok(verifier.summary())
}
