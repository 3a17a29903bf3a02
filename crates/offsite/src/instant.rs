//! RFC 3339 instants and the China Standard Time day of an instant (exchange-formats: "the day of
//! an instant is its calendar date in UTC+08:00, whatever offset it was written with").

/// An instant as UTC seconds since 1970-01-01 plus nanoseconds; ordered by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    pub secs: i64,
    pub nanos: u32,
}

const CST: i64 = 8 * 3600;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn month_len(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn num(b: &[u8]) -> Option<i64> {
    let mut v = 0i64;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(v)
}

/// Days since 1970-01-01 of a strict `YYYY-MM-DD` date.
pub fn parse_day(s: &str) -> Option<i32> {
    parse_day_bytes(s.as_bytes())
}

fn parse_day_bytes(b: &[u8]) -> Option<i32> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (num(&b[0..4])?, num(&b[5..7])?, num(&b[8..10])?);
    if !(1..=12).contains(&m) || d < 1 || d > month_len(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d) as i32)
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (`T`/`t`, `Z`/`z`; seconds 00–59, a leap
/// second `60` is refused; fractions to nanoseconds, further digits ignored).
pub fn parse_instant(s: &str) -> Option<Instant> {
    parse_instant_general(s, &mut DayCache::default())
}

/// The last date parts parsed (instants of one report mostly fall on a few days: sampling,
/// receipt, analysis), keyed by the ten bytes of `YYYY-MM-DD` packed into two integers (one
/// comparison each instead of a slice comparison per slot).
#[derive(Default)]
pub(crate) struct DayCache {
    slots: [(u64, u16, Option<i32>); 4],
    next: usize,
}

impl DayCache {
    fn day(&mut self, date: &[u8]) -> Option<i32> {
        let &[a0, a1, a2, a3, a4, a5, a6, a7, b0, b1] = <&[u8; 10]>::try_from(date).ok()?;
        let key = (u64::from_le_bytes([a0, a1, a2, a3, a4, a5, a6, a7]), u16::from_le_bytes([b0, b1]));
        // An empty slot's key (0, 0) stands for ten NUL bytes, which are no date (None either way).
        for &(a, b, day) in &self.slots {
            if (a, b) == key {
                return day;
            }
        }
        let day = parse_day_bytes(date);
        self.slots[self.next % 4] = (key.0, key.1, day);
        self.next = self.next.wrapping_add(1);
        day
    }
}

fn d2(a: u8, b: u8) -> Option<i64> {
    if a.is_ascii_digit() && b.is_ascii_digit() {
        Some(i64::from(a - b'0') * 10 + i64::from(b - b'0'))
    } else {
        None
    }
}

/// [`parse_instant`], with the date part's day looked up in `cache` first.
pub(crate) fn parse_instant_cached(s: &str, cache: &mut DayCache) -> Option<Instant> {
    // The usual shape `YYYY-MM-DDTHH:MM:SS±HH:MM`, read directly (same checks as the general path).
    if let Ok(b) = <&[u8; 25]>::try_from(s.as_bytes()) {
        if let Some(t) = usual_shape(b, cache) {
            return Some(t);
        }
    }
    parse_instant_general(s, cache)
}

/// `HH:MM:SS` read eight bytes at once: `None` unless every digit is a digit and both colons are
/// colons (then the values, unchecked against 23/59).
#[inline(always)]
fn clock(w: u64) -> Option<(i64, i64, i64)> {
    const ZEROS: u64 = u64::from_le_bytes(*b"00:00:00");
    // Added to each byte's difference from ZEROS: sets its high bit unless a digit's is ≤ 9 and
    // a colon's is 0. A byte below ZEROS's borrows and has its high bit set already.
    const LIMITS: u64 = u64::from_le_bytes([0x76, 0x76, 0x7f, 0x76, 0x76, 0x7f, 0x76, 0x76]);
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let v = w.wrapping_sub(ZEROS);
    if (v | v.wrapping_add(LIMITS)) & HIGHS != 0 {
        return None;
    }
    let d = |k: u32| ((v >> (8 * k)) & 0xff) as i64;
    Some((d(0) * 10 + d(1), d(3) * 10 + d(4), d(6) * 10 + d(7)))
}

#[inline(always)]
fn usual_shape(b: &[u8; 25], cache: &mut DayCache) -> Option<Instant> {
    let &[_, _, _, _, _, _, _, _, _, _, t, t0, t1, t2, t3, t4, t5, t6, t7, sign, o1, o2, colon, p1, p2] = b;
    if !matches!(t, b'T' | b't') {
        return None;
    }
    let (hh, mi, ss) = clock(u64::from_le_bytes([t0, t1, t2, t3, t4, t5, t6, t7]))?;
    let offset = if [sign, o1, o2, colon, p1, p2] == *b"+08:00" {
        8 * 3600
    } else {
        if !matches!(sign, b'+' | b'-') || colon != b':' {
            return None;
        }
        let (oh, om) = (d2(o1, o2)?, d2(p1, p2)?);
        if oh > 23 || om > 59 {
            return None;
        }
        let o = oh * 3600 + om * 60;
        if sign == b'-' {
            -o
        } else {
            o
        }
    };
    if hh > 23 || mi > 59 || ss > 59 {
        return None;
    }
    let day = i64::from(cache.day(&b[..10])?);
    Some(Instant { secs: day * 86_400 + hh * 3600 + mi * 60 + ss - offset, nanos: 0 })
}

fn parse_instant_general(s: &str, cache: &mut DayCache) -> Option<Instant> {
    let b = s.as_bytes();
    if b.len() < 20 || !matches!(b[10], b'T' | b't') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let day = i64::from(cache.day(&b[..10])?);
    let (hh, mi, ss) = (num(&b[11..13])?, num(&b[14..16])?, num(&b[17..19])?);
    if hh > 23 || mi > 59 || ss > 59 {
        return None;
    }
    let mut i = 19;
    let mut nanos = 0u32;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 9 {
                nanos = nanos * 10 + u32::from(b[i] - b'0');
            }
            i += 1;
        }
        let n = i - start;
        if n == 0 {
            return None;
        }
        for _ in n..9 {
            nanos *= 10;
        }
    }
    let offset = match b.get(i..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (oh, om) = (num(&[*h1, *h2])?, num(&[*m1, *m2])?);
            if oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 3600 + om * 60;
            if *sign == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return None,
    };
    Some(Instant { secs: day * 86_400 + hh * 3600 + mi * 60 + ss - offset, nanos })
}

impl Instant {
    /// The CST calendar day, as days since 1970-01-01.
    pub fn cst_day(self) -> i32 {
        (self.secs + CST).div_euclid(86_400) as i32
    }

    /// The instant written in CST, `YYYY-MM-DDTHH:MM:SS+08:00`, for messages.
    pub fn to_cst_string(self) -> String {
        let local = self.secs + CST;
        let day = local.div_euclid(86_400);
        let sod = local.rem_euclid(86_400);
        format!("{}T{:02}:{:02}:{:02}+08:00", day_string(day as i32), sod / 3600, sod / 60 % 60, sod % 60)
    }

    /// Seconds between two instants (self − other), rounded down.
    pub fn secs_since(self, other: Instant) -> i64 {
        self.secs - other.secs
    }
}

/// `YYYY-MM-DD` of days since 1970-01-01.
pub fn day_string(days: i32) -> String {
    let z = i64::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The `time::Date` of days since 1970-01-01 (for registry queries).
pub fn to_date(days: i32) -> time::Date {
    time::Date::from_julian_day(days + 2_440_588).unwrap_or(time::Date::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cst_day_of_instants_written_with_other_offsets() {
        let a = parse_instant("2025-03-01T09:30:00+08:00").unwrap();
        assert_eq!(day_string(a.cst_day()), "2025-03-01");
        let b = parse_instant("2025-02-28T16:30:00Z").unwrap();
        assert_eq!(day_string(b.cst_day()), "2025-03-01");
        let c = parse_instant("2025-02-28T15:59:59.999Z").unwrap();
        assert_eq!(day_string(c.cst_day()), "2025-02-28");
        assert!(parse_instant("2025-02-28T15:59:59.5-05:00").unwrap() > c);
        assert_eq!(a.to_cst_string(), "2025-03-01T09:30:00+08:00");
    }

    #[test]
    fn cached_parse_is_parse() {
        let mut cache = DayCache::default();
        for t in [
            "2025-03-01T09:30:00+08:00",
            "2025-03-01t09:30:00-05:30",
            "2025-03-01T23:59:59+23:59",
            "2025-03-01T24:00:00+08:00",
            "2025-03-01T09:60:00+08:00",
            "2025-03-01T09:30:60+08:00",
            "2025-03-01T09:30:00+24:00",
            "2025-03-01T09:30:00+08:60",
            "2025-02-30T09:30:00+08:00",
            "2025-03-01T09:30:00 08:00",
            "2025-03-01T0a:30:00+08:00",
            "2025-03-01T09:30:00.5+08:00",
            "2025-03-01T09:30:00Z",
            "2025-03-01X09:30:00+08:00",
        ] {
            let fresh = parse_instant_cached(t, &mut DayCache::default());
            assert_eq!(parse_instant_cached(t, &mut cache), fresh, "{t}");
            assert_eq!(fresh, parse_instant(t), "{t}");
        }
    }

    /// Bytes next to the digits and separators, where a check could let one slip through.
    const NEAR: &[u8] = b"/09:;@A+-. TtZz\x00\x7f";

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]
        /// The eight-byte clock check and the `+08:00` shortcut accept exactly what the general
        /// parser accepts, with the same instant: bytes of a usual instant replaced by bytes near
        /// the digits and separators, or by any byte.
        #[test]
        fn the_usual_shape_path_is_the_general_parser(
            edits in proptest::collection::vec((0usize..25, proptest::prop_oneof![
                3 => proptest::sample::select(NEAR),
                1 => proptest::num::u8::ANY,
            ]), 0..3),
            secs in 0i64..4_000_000_000,
            offset_minutes in -1439i64..1440,
        ) {
            let t = Instant { secs, nanos: 0 };
            let local = t.secs + offset_minutes * 60;
            let (days, rem) = (local.div_euclid(86_400), local.rem_euclid(86_400));
            let (sign, o) = if offset_minutes < 0 { ('-', -offset_minutes) } else { ('+', offset_minutes) };
            let mut text = format!(
                "{}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
                day_string(days as i32), rem / 3600, rem / 60 % 60, rem % 60, o / 60, o % 60
            ).into_bytes();
            for (i, byte) in edits {
                text[i] = byte;
            }
            if let Ok(text) = std::str::from_utf8(&text) {
                let general = parse_instant_general(text, &mut DayCache::default());
                proptest::prop_assert_eq!(parse_instant_cached(text, &mut DayCache::default()), general, "{}", text);
            }
        }
    }

    #[test]
    fn malformed_instants() {
        for bad in [
            "2025-03-01",
            "2025-03-01T09:30:00",
            "2025-03-01 09:30:00+08:00",
            "2025-02-30T09:30:00+08:00",
            "2025-03-01T24:00:00+08:00",
            "2025-03-01T09:30:00+0800",
            "2025-03-01T09:30:00.+08:00",
            "2025-03-01T09:30:00+08:00x",
        ] {
            assert!(parse_instant(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn day_roundtrip() {
        for s in ["1970-01-01", "2024-02-29", "2000-12-31", "1969-12-31"] {
            assert_eq!(day_string(parse_day(s).unwrap()), s);
            assert_eq!(lianjian_registry::date::format(to_date(parse_day(s).unwrap())), s);
        }
    }
}
