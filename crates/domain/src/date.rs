//! The one `YYYY-MM-DD` date form of the platform (exchange-formats: "Dates are `YYYY-MM-DD`"; the
//! database stores dates as this text, which sorts and compares correctly): a strict,
//! allocation-free parser, the formatter, and the serde helpers [`ymd`] and [`ymd_opt`]. Every
//! crate reads and writes dates through this module (the registry and the off-site engine through
//! `lianjian_registry::date`, which is this module).

use time::{Date, Month};

/// Parses exactly `YYYY-MM-DD` (four-digit year, zero-padded month and day, a real calendar day).
pub fn parse(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let mut v = 0u32;
        for &c in &b[r] {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
        }
        Some(v)
    };
    let y = num(0..4)? as i32;
    let m = Month::try_from(num(5..7)? as u8).ok()?;
    let d = num(8..10)? as u8;
    Date::from_calendar_date(y, m, d).ok()
}

/// Formats as `YYYY-MM-DD`.
pub fn format(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// `#[serde(with = "lianjian_domain::date::ymd")]` for a `Date` field.
pub mod ymd {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format(*d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        super::parse(&s).ok_or_else(|| D::Error::custom(format!("日期“{s}”不是有效的 YYYY-MM-DD 日期")))
    }
}

/// `#[serde(with = "lianjian_domain::date::ymd_opt")]` for an `Option<Date>` field (null = open).
pub mod ymd_opt {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&super::format(*d)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        match <Option<std::borrow::Cow<'de, str>>>::deserialize(d)? {
            None => Ok(None),
            Some(s) => super::parse(&s)
                .map(Some)
                .ok_or_else(|| D::Error::custom(format!("日期“{s}”不是有效的 YYYY-MM-DD 日期"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_dates() {
        assert_eq!(format(parse("2025-03-01").unwrap()), "2025-03-01");
        assert!(parse("2025-02-29").is_none());
        assert!(parse("2024-02-29").is_some());
        assert!(parse("2025-3-01").is_none());
        assert!(parse("2025-03-01T00").is_none());
        assert!(parse("２０２５-03-01").is_none());
    }
}
