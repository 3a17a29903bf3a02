//! The one shape of a refusal a user can act on 校验错误: the field it concerns, a stable machine
//! code that other systems and the UI key on, and a Chinese sentence saying what to do. Every use
//! case returns its refusals in this shape; the web edge maps it once to RFC 9457 problem JSON
//! (`code`, `field`) and once to the page. `docs/errors.md` lists every code.

use serde::Serialize;

/// A refused input: `field` (as the form or JSON names it; `None` for the request as a whole),
/// `code` (stable, `snake_case`), `message` (Chinese, for the user).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    pub field: Option<String>,
    pub code: &'static str,
    pub message: String,
}

impl Invalid {
    /// A refusal of one field.
    pub fn field(field: &str, code: &'static str, message: impl Into<String>) -> Invalid {
        Invalid { field: Some(field.to_owned()), code, message: message.into() }
    }

    /// A refusal of the request as a whole.
    pub fn whole(code: &'static str, message: impl Into<String>) -> Invalid {
        Invalid { field: None, code, message: message.into() }
    }
}

/// Why a rule refuses a change: bad input (400), a step the object's present state does not allow
/// (409), or a caller the rule does not let act (403, finer than the role). Each carries a stable
/// code. Every capability's rules answer in this shape; `lianjian_app::Error` maps it once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("{message}")]
    State { code: &'static str, message: String },
    #[error("{0}")]
    Forbidden(String),
}

impl Refusal {
    /// A refusal of one field.
    pub fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> Refusal {
        Refusal::Invalid(Invalid::field(field, code, message))
    }

    /// A refusal of a step in the object's present state.
    pub fn state(code: &'static str, message: impl Into<String>) -> Refusal {
        Refusal::State { code, message: message.into() }
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Invalid(i) => i.code,
            Refusal::State { code, .. } => code,
            Refusal::Forbidden(_) => "forbidden",
        }
    }
}
