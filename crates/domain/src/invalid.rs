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

/// A refusal a rule gives to a change: bad input (400) or a step that does not apply to the object
/// as it stands (409), each with its stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("{message}")]
    State { code: &'static str, message: String },
}

impl Refusal {
    /// A refusal of a step in the object's present state.
    pub fn state(code: &'static str, message: impl Into<String>) -> Refusal {
        Refusal::State { code, message: message.into() }
    }
}
