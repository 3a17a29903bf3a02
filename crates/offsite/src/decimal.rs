//! Decimal strings 十进制数字串 as reported: validated, compared and scaled exactly, without floats.
//!
//! A decimal string is `-?[0-9]+(\.[0-9]+)?` — no `+`, no exponent, no leading or trailing point,
//! no spaces. [`Dec`] keeps up to 37 significant digits exactly (digits beyond that are truncated,
//! which no monitoring value reaches); comparisons, ×9, ×10 and ×100 are exact.

use std::cmp::Ordering;

/// Whether `s` is a decimal string.
pub fn is_decimal(s: &str) -> bool {
    let b = s.strip_prefix('-').unwrap_or(s).as_bytes();
    let int = b.iter().take_while(|c| c.is_ascii_digit()).count();
    match b.get(int) {
        None => int > 0,
        Some(b'.') => {
            let frac = b.get(int + 1..).unwrap_or_default();
            int > 0 && !frac.is_empty() && frac.iter().all(u8::is_ascii_digit)
        }
        Some(_) => false,
    }
}

/// Number of significant digits as reported: leading zeros do not count, every digit after the
/// first non-zero one does (trailing zeros included: `"23.0"` has 3, `"0.050"` has 2, `"1200"`
/// has 4, `"0"` has 0).
pub fn significant_digits(s: &str) -> usize {
    let mut seen = false;
    let mut n = 0;
    for c in s.bytes() {
        if c.is_ascii_digit() {
            if c != b'0' {
                seen = true;
            }
            if seen {
                n += 1;
            }
        }
    }
    n
}

/// The first significant digit (1–9), `None` for zero.
pub fn first_digit(s: &str) -> Option<u8> {
    s.bytes().find(|c| (b'1'..=b'9').contains(c)).map(|c| c - b'0')
}

/// The last reported digit.
pub fn last_digit(s: &str) -> Option<u8> {
    s.bytes().rev().find(u8::is_ascii_digit).map(|c| c - b'0')
}

const MAX_DIGITS: u32 = 37;

/// An exact decimal `(-1)^neg × m × 10^e`, `m < 10^38`. Equality is numeric (`23.0 == 23`).
#[derive(Debug, Clone, Copy)]
pub struct Dec {
    neg: bool,
    m: u128,
    e: i32,
}

fn ndigits(m: u128) -> i32 {
    if m == 0 {
        0
    } else if let Ok(x) = u64::try_from(m) {
        x.ilog10() as i32 + 1
    } else {
        m.ilog10() as i32 + 1
    }
}

/// 10^k for k ≤ 38.
const POW10: [u128; 39] = {
    let mut t = [1u128; 39];
    let mut i = 1;
    while i < 39 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

fn pow10(k: i32) -> u128 {
    POW10.get(k as usize).copied().unwrap_or(u128::MAX)
}

impl Dec {
    pub const ZERO: Dec = Dec { neg: false, m: 0, e: 0 };

    /// Parses a decimal string (see [`is_decimal`]); `None` otherwise.
    pub fn parse(s: &str) -> Option<Dec> {
        if !is_decimal(s) {
            return None;
        }
        let neg = s.starts_with('-');
        let mut m: u128 = 0;
        let mut kept = 0u32;
        let mut e: i32 = 0;
        let mut after_point = false;
        for c in s.bytes() {
            match c {
                b'.' => after_point = true,
                b'0'..=b'9' => {
                    if m == 0 && c == b'0' {
                        if after_point {
                            e -= 1;
                        }
                        continue;
                    }
                    if kept < MAX_DIGITS {
                        m = m * 10 + u128::from(c - b'0');
                        kept += 1;
                        if after_point {
                            e -= 1;
                        }
                    } else if !after_point {
                        e += 1;
                    }
                }
                _ => {}
            }
        }
        Some(Dec { neg: neg && m != 0, m, e: if m == 0 { 0 } else { e } })
    }

    /// [`Dec::parse`] of a string known to be a decimal string (the report fields the rules read
    /// are checked when the line is read), in one pass; `None` only if it is not one after all.
    pub fn parse_checked(s: &str) -> Option<Dec> {
        let b = s.as_bytes();
        let (neg, digits) = match b.split_first() {
            Some((b'-', rest)) => (true, rest),
            _ => (false, b),
        };
        // ≤ 19 characters: at most 19 digits, which fit a u64 (and are all kept).
        let plain_ends =
            digits.first().is_some_and(u8::is_ascii_digit) && digits.last().is_some_and(u8::is_ascii_digit);
        if digits.len() > 19 || !plain_ends {
            return Dec::parse(s);
        }
        let (mut m, mut e, mut after_point) = (0u64, 0i32, false);
        for &c in digits {
            match c {
                b'0'..=b'9' => {
                    m = m * 10 + u64::from(c - b'0');
                    if after_point {
                        e -= 1;
                    }
                }
                b'.' if !after_point => after_point = true,
                _ => return Dec::parse(s),
            }
        }
        let d = Dec { neg: neg && m != 0, m: u128::from(m), e: if m == 0 { 0 } else { e } };
        debug_assert!(Dec::parse(s).is_some_and(|x| x.m == d.m && x.e == d.e && x.neg == d.neg));
        Some(d)
    }

    pub fn is_zero(&self) -> bool {
        self.m == 0
    }

    pub fn is_negative(&self) -> bool {
        self.neg
    }

    pub fn abs(self) -> Dec {
        Dec { neg: false, ..self }
    }

    /// × 10^k.
    pub fn shift(self, k: i32) -> Dec {
        if self.m == 0 {
            self
        } else {
            Dec { e: self.e + k, ..self }
        }
    }

    /// × k for k ≤ 9 (exact on parsed values: m < 10^37, so k·m < 10^38).
    pub fn times_small(self, k: u8) -> Dec {
        debug_assert!(k <= 9);
        let k = u128::from(k.min(9));
        if self.m >= pow10(MAX_DIGITS as i32) {
            // only reachable when scaling twice: drop the last digit rather than overflow
            return Dec { m: self.m / 10 * k, e: self.e + 1, ..self };
        }
        Dec { m: self.m * k, neg: self.neg && k != 0, e: self.e }
    }

    fn cmp_abs(&self, o: &Dec) -> Ordering {
        match (self.m == 0, o.m == 0) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
        // Both mantissas below 2^64 and exponents at most 19 apart: scale one to the other's
        // exponent exactly (a 64 × 64-bit product, below 2^128) — the usual case, values and
        // limits as reported.
        if let (Ok(a), Ok(b)) = (u64::try_from(self.m), u64::try_from(o.m)) {
            let d = self.e - o.e;
            if d == 0 {
                return a.cmp(&b);
            }
            // 10^k < 2^64 for k ≤ 19: a 64 × 64-bit product.
            let wide = |x: u64, k: i32| u128::from(x) * u128::from(POW10[k as usize] as u64);
            if (1..=19).contains(&d) {
                return wide(a, d).cmp(&u128::from(b));
            }
            if (-19..0).contains(&d) {
                return u128::from(a).cmp(&wide(b, -d));
            }
        }
        let (l1, l2) = (ndigits(self.m) + self.e, ndigits(o.m) + o.e);
        if l1 != l2 {
            return l1.cmp(&l2);
        }
        // Same leading-digit position: align on the smaller exponent. The scaled mantissa has as
        // many digits as the other one (≤ 38), so it fits.
        let (mut a, mut b) = (self.m, o.m);
        if self.e > o.e {
            a *= pow10(self.e - o.e);
        } else {
            b *= pow10(o.e - self.e);
        }
        a.cmp(&b)
    }

    /// Where this value falls under a positive `limit` for OFF-S01: `Some(true)` for r = v / l in
    /// [0.9, 1), `Some(false)` for [0.8, 0.9), `None` otherwise — exactly `v < l` and `10·v ≥ 9·l`
    /// (or `≥ 8·l`). Both mantissas are brought to one exponent once and the three comparisons
    /// made on integers (the usual case: reported values and limits, a few digits each).
    pub fn limit_band(self, limit: Dec) -> Option<bool> {
        debug_assert!(limit > Dec::ZERO);
        if self.neg || self.m == 0 {
            return None;
        }
        if let (Ok(v), Ok(l)) = (u64::try_from(self.m), u64::try_from(limit.m)) {
            let d = self.e - limit.e;
            if (-18..=18).contains(&d) {
                // 10^18 · 2^64 · 10 < 2^128: every product below fits.
                let scale = |x: u64, k: i32| u128::from(x) * POW10[k.max(0) as usize];
                let (v, l) = (scale(v, d), scale(l, -d));
                return if v >= l {
                    None
                } else if v * 10 >= l * 9 {
                    Some(true)
                } else if v * 10 >= l * 8 {
                    Some(false)
                } else {
                    None
                };
            }
        }
        if self >= limit {
            return None;
        }
        let v10 = self.shift(1);
        if v10 >= limit.times_small(9) {
            Some(true)
        } else if v10 >= limit.times_small(8) {
            Some(false)
        } else {
            None
        }
    }

    /// An f64 approximation, for reporting ratios in evidence only.
    pub fn to_f64(self) -> f64 {
        let v = self.m as f64 * 10f64.powi(self.e);
        if self.neg {
            -v
        } else {
            v
        }
    }
}

impl Ord for Dec {
    fn cmp(&self, o: &Dec) -> Ordering {
        match (self.neg, o.neg) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_abs(o),
            (true, true) => o.cmp_abs(self),
        }
    }
}

impl PartialEq for Dec {
    fn eq(&self, o: &Dec) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}

impl Eq for Dec {}

impl PartialOrd for Dec {
    fn partial_cmp(&self, o: &Dec) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Dec {
        Dec::parse(s).unwrap()
    }

    #[test]
    fn decimal_shape() {
        for ok in ["0", "23", "23.0", "-0.5", "0.050", "007"] {
            assert!(is_decimal(ok), "{ok}");
        }
        for bad in ["", "-", ".5", "5.", "+1", "1e3", " 1", "1,0", "ND", "<4", "1.2.3", "--1"] {
            assert!(!is_decimal(bad), "{bad}");
        }
    }

    #[test]
    fn exact_comparisons() {
        assert_eq!(d("23.0"), d("23"));
        assert!(d("0.1") < d("0.10001"));
        assert!(d("-3") < d("2"));
        assert!(d("-3") < d("-2.5"));
        assert_eq!(d("-0"), d("0"));
        assert!(d("999.99") < d("1000"));
        // 10v ≥ 9l at the boundary: v = 27, l = 30 → 270 = 270
        assert_eq!(d("27").shift(1), d("30").times_small(9));
        assert_eq!(d("2.4").shift(1), d("3").times_small(8));
        assert!(d("0.3").shift(2) >= d("30"));
        assert!(d("123456789012345678901234567890123456789") > d("12345678901234567890123456789012345678"));
    }

    #[test]
    fn comparisons_agree_with_f64_on_a_grid() {
        let vals = [
            "0",
            "1",
            "-1",
            "0.5",
            "23",
            "23.0",
            "0.050",
            "1e0",
            "999.99",
            "1000",
            "-0.001",
            "12345678901234567890",
            "0.00000000000000000001",
            "100000000000000000000000",
            "7.25",
            "-7.250",
            "3.9",
            "4",
        ];
        let ds: Vec<(Dec, f64)> =
            vals.iter().filter_map(|v| Some((Dec::parse(v)?, v.parse::<f64>().ok()?))).collect();
        for (a, fa) in &ds {
            for (b, fb) in &ds {
                assert_eq!(a.cmp(b), fa.partial_cmp(fb).unwrap(), "{a:?} {b:?}");
                assert_eq!(a.shift(1).cmp(&b.times_small(9)), (fa * 10.0).partial_cmp(&(fb * 9.0)).unwrap());
            }
        }
    }

    proptest::proptest! {
        /// Comparison is exact: against integers scaled to 10^-9, for values with ≤ 9 integer and
        /// ≤ 9 fraction digits (so both the fast 64-bit paths and exponent gaps are exercised).
        #[test]
        fn comparison_is_exact(a in -999_999_999i64..=999_999_999, af in 0u32..=9, ad in 0u64..1_000_000_000,
                               b in -999_999_999i64..=999_999_999, bf in 0u32..=9, bd in 0u64..1_000_000_000) {
            let text = |i: i64, f: u32, d: u64| {
                let frac = d % 10u64.pow(f);
                let body = if f == 0 { i.unsigned_abs().to_string() } else { format!("{}.{frac:0w$}", i.unsigned_abs(), w = f as usize) };
                (if i < 0 { format!("-{body}") } else { body }, (if i < 0 { -1 } else { 1 }) * (i128::from(i.unsigned_abs()) * 1_000_000_000 + i128::from(frac) * 10i128.pow(9 - f)))
            };
            let ((ta, xa), (tb, xb)) = (text(a, af, ad), text(b, bf, bd));
            let (da, db) = (Dec::parse_checked(&ta).unwrap(), Dec::parse_checked(&tb).unwrap());
            proptest::prop_assert_eq!(da.cmp(&db), xa.cmp(&xb), "{} vs {}", ta, tb);
        }

        /// The OFF-S01 band is the exact ratio test, on the integer fast path and off it (the same
        /// values written with 25 more zero fraction digits, or both scaled by 10^20).
        #[test]
        fn limit_band_is_the_exact_ratio_test(v in -99_999i64..=99_999, vf in 0u32..=4, l in 1i64..=99_999, lf in 0u32..=4,
                                              form in 0u8..3) {
            let text = |i: i64, f: u32| {
                let (a, sign) = (i.unsigned_abs(), if i < 0 { "-" } else { "" });
                match form {
                    0 if f == 0 => format!("{sign}{a}"),
                    0 => format!("{sign}{}.{:0w$}", a / 10u64.pow(f), a % 10u64.pow(f), w = f as usize),
                    1 => format!("{sign}{}.{:0w$}{}", a / 10u64.pow(f), a % 10u64.pow(f), "0".repeat(25), w = f as usize),
                    _ => format!("{sign}{a}{}", "0".repeat(20 - f as usize)),
                }
            };
            let (tv, tl) = (text(v, vf), text(l, lf));
            let (dv, dl) = (Dec::parse(&tv).unwrap(), Dec::parse(&tl).unwrap());
            // exact: v/10^vf against l/10^lf, both scaled to 10^-8
            let x = i128::from(v) * 10i128.pow(8 - vf);
            let y = i128::from(l) * 10i128.pow(8 - lf);
            let expected = if x < y && 10 * x >= 9 * y { Some(true) } else if x < y && 10 * x >= 8 * y { Some(false) } else { None };
            proptest::prop_assert_eq!(dv.limit_band(dl), expected, "{} / {}", tv, tl);
        }
    }

    #[test]
    fn limit_band_boundaries() {
        let band = |v: &str, l: &str| d(v).limit_band(d(l));
        for (v, l, want) in [
            ("9", "10", Some(true)),
            ("0.9", "1", Some(true)),
            ("0.90", "1.000", Some(true)),
            ("0.8999", "1", Some(false)),
            ("8", "10", Some(false)),
            ("0.7999999", "1", None),
            ("10", "10", None),
            ("9.99999", "10", Some(true)),
            ("0", "10", None),
            ("-9", "10", None),
            ("27", "30", Some(true)),
            ("0.000000000000000000000009", "10000000000000000000000", None),
            ("9000000000000000000000", "10000000000000000000000", Some(true)),
        ] {
            assert_eq!(band(v, l), want, "{v} / {l}");
        }
    }

    #[test]
    fn parse_checked_is_parse() {
        for t in [
            "0",
            "23",
            "23.0",
            "-0.5",
            "0.050",
            "007",
            "-0",
            "1234567890123456789",
            "12345678901234567890",
            "0.0000000000000000001",
            "-99.990",
            ".5",
            "5.",
            "1.2.3",
            "-",
            "",
            "1e3",
        ] {
            let (a, b) = (Dec::parse(t), Dec::parse_checked(t));
            assert_eq!(a.map(|d| (d.neg, d.m, d.e)), b.map(|d| (d.neg, d.m, d.e)), "{t}");
        }
    }

    #[test]
    fn digits() {
        assert_eq!(significant_digits("23.0"), 3);
        assert_eq!(significant_digits("0.050"), 2);
        assert_eq!(significant_digits("-0.007"), 1);
        assert_eq!(significant_digits("0"), 0);
        assert_eq!(first_digit("0.0456"), Some(4));
        assert_eq!(first_digit("0.00"), None);
        assert_eq!(last_digit("12.30"), Some(0));
    }
}
