//! Typed errors for the draw engine and the verifier.
//!
//! Every message names the offending field by its JSON path (`inputs.candidates[3].stratum`,
//! `teams[2].members[1]`) because the reader of an error is usually a person holding the
//! published record: the path tells them where to look without reading code.

use thiserror::Error;

/// Why a draw (or a recusal) could not be made. Nothing is ever drawn partially: any error means
/// no record.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DrawError {
    /// The inputs break a rule of spec §2 (or a validation rule this crate documents).
    #[error("输入无效: {field}: {reason}")]
    Invalid {
        /// JSON path of the first offending field, e.g. `inputs.strata[1].key`.
        field: String,
        /// What is wrong with it (English).
        reason: String,
    },
    /// The entropy values do not fit the declared sources (count, or a secret that does not
    /// match its commitment).
    #[error("熵值无效: {field}: {reason}")]
    Entropy {
        /// `entropy` or `entropy[i]`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No inspector can fill a slot (spec §5): the plan must be fixed and re-frozen.
    #[error("无法组队: target {target:?} slot {slot}{}: no eligible inspector",
        department.as_ref().map(|d| format!(" (department {d:?})")).unwrap_or_default())]
    Unstaffable {
        /// Candidate id of the target.
        target: String,
        /// 0-based slot index within the team.
        slot: usize,
        /// The slot's department, if it has one.
        department: Option<String>,
    },
    /// A recusal request does not fit the record (unknown target, inspector not on the team).
    #[error("回避无效: {field}: {reason}")]
    Recusal {
        /// What the request referred to, e.g. `target` or `inspector`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A recusal was asked on a record that does not verify; we never extend a bad record.
    #[error("记录未通过验证, 不能回避: {0}")]
    NotVerified(Box<VerifyError>),
}

impl DrawError {
    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        DrawError::Invalid { field: field.into(), reason: reason.into() }
    }

    pub(crate) fn entropy(field: impl Into<String>, reason: impl Into<String>) -> Self {
        DrawError::Entropy { field: field.into(), reason: reason.into() }
    }
}

/// Why a published record does not verify. The first difference found, in the order
/// protocol, inputs, inputs_digest, entropy, seed, targets, recusals, teams.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VerifyError {
    /// The record is not shaped like a record (missing member, wrong JSON type).
    #[error("记录格式错误: {field}: {reason}")]
    Malformed {
        /// JSON path in the record.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// A published value differs from the re-computed one.
    #[error("记录不符: {field}: expected {expected}, found {found}")]
    Mismatch {
        /// JSON path in the record, e.g. `teams[3].members[1]`.
        field: String,
        /// The re-computed value, as canonical JSON.
        expected: String,
        /// The published value, as canonical JSON (or `(missing)`).
        found: String,
    },
    /// Re-running the draw from the record's inputs and entropy failed.
    #[error("重算失败: {0}")]
    Draw(DrawError),
}

impl VerifyError {
    /// JSON path of the first difference, for callers that show it apart from the message.
    pub fn field(&self) -> &str {
        match self {
            VerifyError::Malformed { field, .. } | VerifyError::Mismatch { field, .. } => field,
            VerifyError::Draw(DrawError::Invalid { field, .. } | DrawError::Entropy { field, .. }) => field,
            VerifyError::Draw(_) => "teams",
        }
    }
}
