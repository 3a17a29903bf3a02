//! Check character of the unified social credit code 统一社会信用代码 (GB 32100-2015).
//!
//! `lianjian-domain` is meant to own the USCC newtype; until it lands this small check keeps the
//! registry able to flag a bad code in a snapshot. Same algorithm, same vectors
//! (`shared/data/uscc-vectors.json`).

const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

fn value(c: u8) -> Option<u32> {
    CHARSET.iter().position(|&x| x == c).map(|p| p as u32)
}

/// Why a code is not a well-formed USCC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsccFault {
    /// Not 18 characters.
    Length(usize),
    /// A character outside the GB 32100 set (I, O, S, V, Z and lower case are excluded).
    Character { position: usize, found: char },
    /// The 18th character is not the computed check character.
    CheckCharacter { expected: char, found: char },
}

impl UsccFault {
    /// The reason in Chinese, for an officer.
    pub fn reason_zh(&self) -> String {
        match self {
            UsccFault::Length(n) => format!("统一社会信用代码应为 18 位,实际 {n} 位"),
            UsccFault::Character { position, found } => {
                format!("统一社会信用代码第 {position} 位字符“{found}”不在 GB 32100 字符集内")
            }
            UsccFault::CheckCharacter { expected, found } => {
                format!("统一社会信用代码校验位错误:应为“{expected}”,实为“{found}”")
            }
        }
    }
}

/// The check character for the first 17 characters, or `None` if one is outside the set.
pub fn check_character(body: &str) -> Option<char> {
    let b = body.as_bytes();
    if b.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (i, &c) in b.iter().enumerate() {
        sum += value(c)? * WEIGHTS[i];
    }
    Some(CHARSET[((31 - sum % 31) % 31) as usize] as char)
}

/// Checks length, character set and check character (no normalisation: a snapshot must carry
/// the canonical upper-case code).
pub fn check(code: &str) -> Result<(), UsccFault> {
    let chars: Vec<char> = code.chars().collect();
    if chars.len() != 18 {
        return Err(UsccFault::Length(chars.len()));
    }
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii() || value(c as u8).is_none() {
            return Err(UsccFault::Character { position: i + 1, found: c });
        }
    }
    let expected = check_character(&code[..17]).unwrap_or('?');
    if expected != chars[17] {
        return Err(UsccFault::CheckCharacter { expected, found: chars[17] });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes() {
        assert_eq!(check("91110000600037341L"), Ok(()));
        assert_eq!(check("N2330100MA2ABCDEX0"), Ok(()));
        assert!(matches!(check("91110000600037341N"), Err(UsccFault::CheckCharacter { expected: 'L', .. })));
        assert!(matches!(check("9111000060003IOZSV"), Err(UsccFault::Character { position: 14, .. })));
        assert!(matches!(check("9111"), Err(UsccFault::Length(4))));
    }
}
