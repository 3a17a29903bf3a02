//! RFC 3797 publicly verifiable random selection (the IETF NomCom algorithm), offered beside
//! `lianjian-draw-v1` for plans that must follow the RFC (spec §7).
//!
//! Sources are given as text, one source per string, the way they are announced ("9 18 26 34
//! 41 45", "2025-03-05"). The numbers are the maximal runs of ASCII digits, optionally with a
//! fractional part (`<digits>.<digits>`); every other character separates numbers. Each value is
//! written in decimal without leading zeros (a fraction with its trailing zeros removed, dropped
//! entirely if nothing is left), ended with `.`; a source's values are sorted ascending and the
//! source ends with `/`. Then for i = 0, 1, …: V_i = MD5(u16be(i) ‖ key ‖ u16be(i)) as a
//! 128-bit big-endian integer, and the (V_i mod remaining + 1)-th remaining candidate, in
//! published order, is selected.

use std::cmp::Ordering;

use md5::{Digest, Md5};
use thiserror::Error;

use crate::fenwick::Fenwick;
use crate::random::mod_be;

/// Largest pool the 2-byte counter allows.
pub const MAX_POOL: u64 = 65_535;

/// Why an RFC 3797 selection was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Rfc3797Error {
    /// Pool is 0 or above 65535.
    #[error("候选池大小无效: pool must be 1..=65535, got {0}")]
    Pool(u64),
    /// More selections asked than the pool holds.
    #[error("抽取数超过候选池: select {select} > pool {pool}")]
    TooMany {
        /// Requested count.
        select: usize,
        /// Pool size.
        pool: u64,
    },
    /// No sources at all.
    #[error("缺少随机源: at least one source is required")]
    NoSources,
    /// A source text holds no number.
    #[error("随机源无数字: sources[{index}] {text:?} contains no number")]
    EmptySource {
        /// 0-based source index.
        index: usize,
        /// The source text.
        text: String,
    },
}

/// One canonicalised numeric value: integer digits without leading zeros, fraction digits
/// without trailing zeros.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Number {
    int: String,
    frac: String,
}

impl Number {
    fn new(int: &str, frac: &str) -> Number {
        let int = int.trim_start_matches('0');
        let int = if int.is_empty() { "0" } else { int };
        Number { int: int.to_owned(), frac: frac.trim_end_matches('0').to_owned() }
    }

    /// The key-string form: `8.`, `3.14.`.
    pub fn render(&self) -> String {
        if self.frac.is_empty() {
            format!("{}.", self.int)
        } else {
            format!("{}.{}.", self.int, self.frac)
        }
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Self) -> Ordering {
        // Without leading zeros, a longer integer part is larger; fractions without trailing
        // zeros compare digit-wise.
        (self.int.len(), &self.int, &self.frac).cmp(&(other.int.len(), &other.int, &other.frac))
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Extracts the numbers of one source text, in the order written.
pub fn parse_source(text: &str) -> Vec<Number> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let int = &text[start..i];
        let mut frac = "";
        if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
            let fs = i + 1;
            i = fs;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            frac = &text[fs..i];
        }
        out.push(Number::new(int, frac));
    }
    out
}

/// Key string from integer sources, e.g. `[[9319], [2, 5, 12, 8, 10]]` → `9319./2.5.8.10.12./`.
pub fn key_string_from_values(sources: &[Vec<u64>]) -> String {
    let mut key = String::new();
    for s in sources {
        let mut v = s.clone();
        v.sort_unstable();
        for x in v {
            key.push_str(&format!("{x}."));
        }
        key.push('/');
    }
    key
}

/// Key string from source texts (see the module doc for how numbers are read).
pub fn key_string(sources: &[String]) -> Result<String, Rfc3797Error> {
    if sources.is_empty() {
        return Err(Rfc3797Error::NoSources);
    }
    let mut key = String::new();
    for (index, text) in sources.iter().enumerate() {
        let mut nums = parse_source(text);
        if nums.is_empty() {
            return Err(Rfc3797Error::EmptySource { index, text: text.clone() });
        }
        nums.sort();
        for n in &nums {
            key.push_str(&n.render());
        }
        key.push('/');
    }
    Ok(key)
}

/// MD5(u16be(i) ‖ key ‖ u16be(i)) for iteration `i` (0-based).
pub fn digest(key: &str, i: u16) -> [u8; 16] {
    let c = i.to_be_bytes();
    let mut h = Md5::new();
    h.update(c);
    h.update(key.as_bytes());
    h.update(c);
    h.finalize().into()
}

/// Selects `k` of a pool of `pool` from a prepared key string; 1-based positions in order.
/// Asking for more than the announced number yields the RFC's ordered alternates.
pub fn select_with_key(pool: u64, k: usize, key: &str) -> Result<Vec<u64>, Rfc3797Error> {
    if pool == 0 || pool > MAX_POOL {
        return Err(Rfc3797Error::Pool(pool));
    }
    if k as u64 > pool {
        return Err(Rfc3797Error::TooMany { select: k, pool });
    }
    let mut left = Fenwick::from_flags((0..pool).map(|_| true));
    let mut out = Vec::with_capacity(k);
    for i in 0..k {
        let remaining = pool - i as u64;
        let r = mod_be(&digest(key, i as u16), remaining);
        let pos = left.kth(r as u32);
        left.remove(pos);
        out.push(pos as u64 + 1);
    }
    Ok(out)
}

/// Selects `k` of a pool of `pool` from source texts; 1-based positions in selection order.
pub fn select(pool: u64, k: usize, sources: &[String]) -> Result<Vec<u64>, Rfc3797Error> {
    select_with_key(pool, k, &key_string(sources)?)
}

/// Bits of entropy needed to choose `k` of `pool`: log2(C(pool, k)) (RFC 3797 §3.3).
pub fn entropy_bits(pool: u64, k: u64) -> f64 {
    if k == 0 || k >= pool {
        return 0.0;
    }
    let mut bits = 0.0;
    for i in 0..k {
        bits += ((pool - i) as f64).log2() - ((i + 1) as f64).log2();
    }
    bits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_render_without_leading_or_trailing_zeros() {
        let key = key_string(&["0012 3.1400 7.000 0.5".to_owned()]).unwrap();
        assert_eq!(key, "0.5.3.14.7.12./");
    }

    #[test]
    fn dates_read_as_their_numbers() {
        assert_eq!(key_string(&["2025-03-05".to_owned()]).unwrap(), "3.5.2025./");
        assert_eq!(key_string(&["福彩3D 第2025061期: 4 0 7".to_owned()]).unwrap(), "0.3.4.7.2025061./");
    }

    #[test]
    fn refuses_empty_source_and_bad_pool() {
        assert!(matches!(
            select(10, 1, &["abc".to_owned()]),
            Err(Rfc3797Error::EmptySource { index: 0, .. })
        ));
        assert_eq!(select(0, 0, &["1".to_owned()]), Err(Rfc3797Error::Pool(0)));
        assert_eq!(select(65_536, 1, &["1".to_owned()]), Err(Rfc3797Error::Pool(65_536)));
        assert!(matches!(select(3, 4, &["1".to_owned()]), Err(Rfc3797Error::TooMany { .. })));
    }

    #[test]
    fn entropy_table_matches_rfc() {
        assert_eq!(entropy_bits(25, 10).round(), 22.0);
        assert_eq!(entropy_bits(100, 10).round(), 44.0);
    }
}
