//! The audit chain `lianjian-audit-v1` (`shared/spec/audit-chain.md`): a log an auditor can check
//! without trusting us.
//!
//! Every state-changing action and every sign-in appends one [`Entry`]. Each entry carries the
//! hash of the one before it (`prev`) and its own `hash` = lowercase hex SM3 (GB/T 32905-2016) of the
//! RFC 8785 canonical JSON of the entry without `hash`. Editing, deleting, inserting or reordering
//! entries therefore breaks the chain at that point, and [`verify_jsonl`] / [`verify_entries`] name
//! the first broken `seq` and why.
//!
//! What the chain alone cannot show: removal of the *newest* entries (truncation). A truncated log is
//! still a valid chain, just shorter. That is why verification returns the head (newest hash) in
//! [`VerifySummary`]: publishing the head regularly (bulletin, partner department) and comparing a
//! later verification against it is what makes truncation detectable.
//!
//! Pure crate: no I/O beyond the `BufRead` the caller hands to [`verify_jsonl`].

mod entry;
mod hash;
mod verify;

pub use entry::{format_at, seal, Actor, AuditError, Draft, Entry, Object};
pub use hash::{canonical_json, entry_hash, sm3_hex, CanonicalError, GENESIS_PREV, MAX_SAFE_INTEGER};
pub use verify::{verify_entries, verify_jsonl, BreakReason, BrokenAt, Verifier, VerifySummary};

/// Name of the format and hashing scheme implemented here.
pub const FORMAT: &str = "lianjian-audit-v1";
