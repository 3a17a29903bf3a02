//! Verifiable 双随机 random inspection draw, protocol `lianjian-draw-v1`.
//!
//! A draw is trusted only if nobody — operator, department or vendor — can steer it, and anyone
//! can check afterwards that the published result is the one the rules give. This crate is the
//! pure engine: given the frozen inputs and the revealed entropy it computes the record
//! ([`run`]), checks a published record ([`verify`]), extends it with a post-draw recusal 回避
//! ([`recuse`]), and offers RFC 3797 selection ([`rfc3797`]). No I/O, no clock, no global state:
//! the same inputs give the same bytes on every machine, which is the whole point.
//!
//! The contract is `shared/spec/draw-protocol.md`; the recusal extension is
//! `docs/draw-recusal.md`; `tools/draw_verify.py` is an independent re-implementation that the
//! integration tests hold this crate to.

mod engine;
mod error;
mod fenwick;
pub mod gen;
mod inputs;
mod random;
mod record;
mod recusal;
pub mod rfc3797;
pub mod splitmix;
mod verify;

pub use error::{DrawError, VerifyError};
pub use inputs::{
    inputs_digest, Candidate, DepartmentMin, EntropyKind, EntropySource, Inputs, Inspector, Stratum, Team,
    MAX_SAFE_INTEGER,
};
pub use random::{check_reveal, commitment, pick, r, seed};
pub use record::{run, run_inputs, Record, Recusal, TargetEntry, TeamAssignment, PROTOCOL};
pub use recusal::recuse;
pub use verify::{verify, verify_record};
