//! What a use case answers when it does not do what was asked. The web edge maps each kind once to
//! an HTTP status and RFC 9457 problem JSON (with `code` and `field`), and once to a Chinese page;
//! the CLI prints the message. `docs/errors.md` lists every code. Storage failures keep their cause
//! for the log and never reach a user.

use lianjian_domain::invalid::{Invalid, Refusal};
use lianjian_store::StoreError;
use serde::Serialize;

/// One offending line of an upload refused as a whole (1-based), with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub line: i64,
    pub reason: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: a field is missing, malformed or out of range (400).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// Understood and refused as a whole by a rule (422), with every offending line of an upload.
    #[error("{message}")]
    Refused { code: &'static str, field: Option<String>, message: String, lines: Vec<Line> },
    /// The step is not allowed in the object's present state (409).
    #[error("{message}")]
    State { code: &'static str, message: String },
    /// A uniqueness rule: the value is taken (409), with the field it concerns.
    #[error("{}", .0.message)]
    Conflict(Invalid),
    #[error("{0}")]
    NotFound(String),
    /// The caller may not do this here; the message says which rule forbids it (403).
    #[error("{0}")]
    Forbidden(String),
    /// A sign-in refused (401): one answer for every reason a guesser could learn from.
    #[error("{0}")]
    SignInRefused(String),
    /// Too many failed attempts from one address (429).
    #[error("{0}")]
    Throttled(String),
    /// A storage or internal failure: logged with its cause, shown as a generic sentence.
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}

impl Error {
    /// A 400 on one field.
    pub fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> Error {
        Error::Invalid(Invalid::field(field, code, message))
    }

    /// A 422 refusal of the request as a whole.
    pub fn refused(code: &'static str, message: impl Into<String>) -> Error {
        Error::Refused { code, field: None, message: message.into(), lines: Vec::new() }
    }

    /// A 409 for a step taken in the wrong state.
    pub fn state(code: &'static str, message: impl Into<String>) -> Error {
        Error::State { code, message: message.into() }
    }

    /// The stable machine code of this answer.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid(i) | Error::Conflict(i) => i.code,
            Error::Refused { code, .. } | Error::State { code, .. } => code,
            Error::NotFound(_) => "not_found",
            Error::Forbidden(_) => "forbidden",
            Error::SignInRefused(_) => "sign_in_refused",
            Error::Throttled(_) => "too_many_attempts",
            Error::Store(StoreError::NotFound(_)) => "not_found",
            Error::Store(StoreError::Conflict(_)) => "conflict",
            Error::Store(StoreError::MissingReference(_)) => "missing_reference",
            Error::Store(_) | Error::Internal(_) => "internal",
        }
    }

    /// The field concerned, if one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Invalid(i) | Error::Conflict(i) => i.field.as_deref(),
            Error::Refused { field, .. } => field.as_deref(),
            _ => None,
        }
    }
}

impl From<Refusal> for Error {
    fn from(r: Refusal) -> Error {
        match r {
            Refusal::Invalid(i) => Error::Invalid(i),
            Refusal::State { code, message } => Error::State { code, message },
            Refusal::Forbidden(why) => Error::Forbidden(why),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
