//! Unified social credit code 统一社会信用代码 (GB 32100-2015).
//!
//! Every enterprise, monitoring institution and public body in the registries is keyed by this
//! 18-character code, so a typo must be caught at the edge, with a message that says what is
//! wrong. The check character (position 18) is a mod-31 checksum over the first 17 characters;
//! because 31 is prime and every weight is non-zero mod 31, any single substituted character is
//! always detected.
//!
//! Input is normalised before checking, following the shared test vectors
//! (`shared/data/uscc-vectors.json`, after python-stdnum's `compact()`): whitespace is removed
//! (ASCII spaces as in the vectors, and — our extension — any other Unicode whitespace such as
//! the full-width space U+3000 that Chinese input methods produce) and ASCII letters are upper-cased.
//! Nothing else is rewritten: hyphens, full-width digits or letters are reported as bad characters.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The 31 characters allowed in a code, in value order (I, O, S, V, Z are excluded).
pub const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of positions 1–17: `3^(i-1) mod 31`.
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// Length of a complete code.
pub const LEN: usize = 18;

/// Why a string is not a unified social credit code. Display is the Chinese sentence shown to users.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    /// Wrong number of characters (after whitespace was removed).
    #[error("统一社会信用代码应为 {expected} 位,实为 {found} 位")]
    WrongLength { expected: usize, found: usize },
    /// A character outside [`CHARSET`]; `position` is 1-based in the normalised code.
    #[error("统一社会信用代码第 {position} 位字符“{found}”无效:只能是数字或除 I、O、S、V、Z 以外的大写字母")]
    BadChar { position: usize, found: char },
    /// All characters are allowed but the check character (position 18) does not match.
    #[error("统一社会信用代码校验位错误:应为 {expected},实为 {found}")]
    WrongCheck { expected: char, found: char },
}

/// A validated unified social credit code 统一社会信用代码, stored normalised (upper case, no spaces).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Uscc(String);

fn value_of(c: char) -> Option<u32> {
    CHARSET.find(c).map(|i| i as u32)
}

fn char_of(v: u32) -> char {
    CHARSET.as_bytes()[v as usize] as char
}

/// Normalise user input: drop whitespace, upper-case ASCII letters.
fn normalise(input: &str) -> String {
    input.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect()
}

/// Check that every character is in [`CHARSET`]; returns the values.
fn values(s: &str) -> Result<Vec<u32>, UsccError> {
    s.chars()
        .enumerate()
        .map(|(i, c)| value_of(c).ok_or(UsccError::BadChar { position: i + 1, found: c }))
        .collect()
}

/// The check character for the first 17 characters of a code (already normalised: upper case,
/// no spaces). Errors if `first17` is not exactly 17 characters from [`CHARSET`].
pub fn check_char(first17: &str) -> Result<char, UsccError> {
    let found = first17.chars().count();
    if found != LEN - 1 {
        return Err(UsccError::WrongLength { expected: LEN - 1, found });
    }
    let vals = values(first17)?;
    let sum: u32 = vals.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    Ok(char_of((31 - sum % 31) % 31))
}

impl Uscc {
    /// Normalise and validate a code (length, character set, check character).
    pub fn parse(input: &str) -> Result<Uscc, UsccError> {
        Uscc::check(normalise(input))
    }

    /// Validate a code exactly as written, without normalising: what an exchange file (a registry
    /// snapshot) must carry is the canonical form, so a lower-case letter or a space is a bad
    /// character there, not something to tidy away.
    pub fn parse_exact(input: &str) -> Result<Uscc, UsccError> {
        Uscc::check(input.to_owned())
    }

    fn check(s: String) -> Result<Uscc, UsccError> {
        let found = s.chars().count();
        if found != LEN {
            return Err(UsccError::WrongLength { expected: LEN, found });
        }
        // Report a bad character anywhere (including position 18) before a checksum problem.
        values(&s)?;
        let expected = check_char(&s[..LEN - 1])?;
        let found = s.as_bytes()[LEN - 1] as char;
        if expected != found {
            return Err(UsccError::WrongCheck { expected, found });
        }
        Ok(Uscc(s))
    }

    /// The normalised code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Position 1: registration-authority code 登记管理部门代码 (e.g. `9` = 工商/市场监管).
    pub fn registration_authority(&self) -> char {
        self.0.as_bytes()[0] as char
    }

    /// Position 2: entity-type code 机构类别代码.
    pub fn entity_type(&self) -> char {
        self.0.as_bytes()[1] as char
    }

    /// Positions 3–8: administrative-division code 行政区划码 of the registering authority.
    pub fn division_code(&self) -> &str {
        &self.0[2..8]
    }

    /// Positions 9–17: subject identifier 主体标识码 (the GB 11714 organisation code).
    pub fn organisation_code(&self) -> &str {
        &self.0[8..17]
    }

    /// Whether positions 9–17 pass the GB 11714 organisation-code check. A failure is a
    /// *warning* only (the shared vectors say so until the business owner decides otherwise):
    /// the code still parses.
    pub fn organisation_code_consistent(&self) -> bool {
        const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
        let b = self.organisation_code().as_bytes();
        let mut sum = 0;
        for (c, w) in b[..8].iter().zip(W) {
            let v = match c {
                b'0'..=b'9' => u32::from(c - b'0'),
                b'A'..=b'Z' => u32::from(c - b'A') + 10,
                _ => return false,
            };
            sum += v * w;
        }
        let expected = match 11 - sum % 11 {
            10 => b'X',
            11 => b'0',
            r => b'0' + r as u8,
        };
        b[8] == expected
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Uscc {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for Uscc {
    type Err = UsccError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uscc::parse(s)
    }
}

impl TryFrom<&str> for Uscc {
    type Error = UsccError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Uscc::parse(s)
    }
}

impl From<Uscc> for String {
    fn from(u: Uscc) -> String {
        u.0
    }
}

impl Serialize for Uscc {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Uscc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Uscc::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_powers_of_three_mod_31() {
        let mut w = 1;
        for expected in WEIGHTS {
            assert_eq!(w, expected);
            w = w * 3 % 31;
        }
    }

    #[test]
    fn check_char_of_stdnum_doctest_code() {
        assert_eq!(check_char("91110000600037341"), Ok('L'));
    }

    #[test]
    fn bad_char_reports_first_position() {
        assert_eq!(Uscc::parse("9111000060003IOZSV"), Err(UsccError::BadChar { position: 14, found: 'I' }));
    }

    #[test]
    fn wrong_check_message_is_chinese() {
        let e = Uscc::parse("91110000600037341N").unwrap_err();
        assert_eq!(e.to_string(), "统一社会信用代码校验位错误:应为 L,实为 N");
    }

    #[test]
    fn exact_parse_refuses_what_parse_would_tidy() {
        assert!(Uscc::parse("91110000600037341l").is_ok());
        assert_eq!(
            Uscc::parse_exact("91110000600037341l"),
            Err(UsccError::BadChar { position: 18, found: 'l' })
        );
        assert_eq!(
            Uscc::parse_exact(" 91110000600037341L"),
            Err(UsccError::WrongLength { expected: 18, found: 19 })
        );
        assert_eq!(Uscc::parse_exact("91110000600037341L").unwrap().as_str(), "91110000600037341L");
    }

    #[test]
    fn parts() {
        let u = Uscc::parse("91310115MA1K3BTP2B").unwrap();
        assert_eq!(u.registration_authority(), '9');
        assert_eq!(u.entity_type(), '1');
        assert_eq!(u.division_code(), "310115");
        assert_eq!(u.organisation_code(), "MA1K3BTP2");
    }
}
