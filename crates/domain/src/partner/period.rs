//! Reporting periods 报送期间: `2025` (a year) and `2025H1` (its first half), their due dates, order
//! and codes.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// Years a period may name; anything else is a typing error, not a plan.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2099;

/// Which part of the year a list covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PeriodKind {
    /// The whole year 年度, due 31 January of the next year.
    Year,
    /// The first half-year 上半年, due 30 June of the same year.
    FirstHalf,
}

/// A reporting period 报送期间: `2025` (the year) or `2025H1` (its first half).
///
/// Ordered by due date, so `2024` < `2025H1` < `2025` < `2026H1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    year: i32,
    kind: PeriodKind,
}

/// A period code that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("报送期间“{0}”格式不正确:应为年度如“2025”或上半年如“2025H1”")]
    Malformed(String),
    #[error("报送期间“{0}H2”不存在:下半年不单独报送,次年1月31日前报送的年度名单“{0}”已涵盖下半年")]
    SecondHalf(i32),
    #[error("报送期间的年份 {0} 超出范围(2000–2099)")]
    YearOutOfRange(i32),
}

impl Period {
    pub fn year(year: i32) -> Result<Period, PeriodError> {
        Period::new(year, PeriodKind::Year)
    }

    pub fn first_half(year: i32) -> Result<Period, PeriodError> {
        Period::new(year, PeriodKind::FirstHalf)
    }

    pub fn new(year: i32, kind: PeriodKind) -> Result<Period, PeriodError> {
        if !YEARS.contains(&year) {
            return Err(PeriodError::YearOutOfRange(year));
        }
        Ok(Period { year, kind })
    }

    /// The calendar year the list is about.
    pub fn calendar_year(self) -> i32 {
        self.year
    }

    pub fn kind(self) -> PeriodKind {
        self.kind
    }

    /// The stable code: `2025` or `2025H1`.
    pub fn code(self) -> String {
        self.to_string()
    }

    /// The Chinese label: `2025年度` or `2025年上半年`.
    pub fn zh(self) -> String {
        match self.kind {
            PeriodKind::Year => format!("{}年度", self.year),
            PeriodKind::FirstHalf => format!("{}年上半年", self.year),
        }
    }

    /// First day the list is about.
    pub fn starts(self) -> Date {
        date_of(self.year, Month::January, 1)
    }

    /// Last day the list is about.
    pub fn ends(self) -> Date {
        match self.kind {
            PeriodKind::Year => date_of(self.year, Month::December, 31),
            PeriodKind::FirstHalf => date_of(self.year, Month::June, 30),
        }
    }

    /// The due date as the plan writes it (31 January of the next year; 30 June), before any move
    /// to a working day. See [`deadline`] for the date that counts.
    pub fn due_date(self) -> Date {
        match self.kind {
            PeriodKind::Year => date_of(self.year + 1, Month::January, 31),
            PeriodKind::FirstHalf => date_of(self.year, Month::June, 30),
        }
    }

    /// The period due right before this one.
    pub fn previous(self) -> Period {
        match self.kind {
            PeriodKind::Year => Period { year: self.year, kind: PeriodKind::FirstHalf },
            PeriodKind::FirstHalf => Period { year: self.year - 1, kind: PeriodKind::Year },
        }
    }

    /// The period due right after this one.
    pub fn next(self) -> Period {
        match self.kind {
            PeriodKind::Year => Period { year: self.year + 1, kind: PeriodKind::FirstHalf },
            PeriodKind::FirstHalf => Period { year: self.year, kind: PeriodKind::Year },
        }
    }

    /// The first period whose plan due date is on or after `day` — the one departments are working
    /// towards on that day.
    pub fn upcoming(day: Date) -> Period {
        let y = day.year();
        [PeriodKind::Year, PeriodKind::FirstHalf]
            .into_iter()
            .zip([y - 1, y])
            .map(|(kind, year)| Period { year, kind })
            .find(|p| day <= p.due_date())
            .unwrap_or(Period { year: y, kind: PeriodKind::Year })
    }

    /// The `n` most recent periods as of `day`, newest first: the upcoming one and the `n - 1` due
    /// before it. For the submission board's default columns.
    pub fn recent(day: Date, n: usize) -> Vec<Period> {
        let mut out = Vec::with_capacity(n);
        let mut p = Period::upcoming(day);
        for _ in 0..n {
            out.push(p);
            p = p.previous();
        }
        out
    }
}

fn date_of(year: i32, month: Month, day: u8) -> Date {
    // Years are limited to YEARS and the days exist in every year, so this cannot fail.
    Date::from_calendar_date(year, month, day).expect("fixed day of a year in range")
}

impl Ord for Period {
    fn cmp(&self, other: &Self) -> Ordering {
        self.due_date().cmp(&other.due_date())
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            PeriodKind::Year => write!(f, "{}", self.year),
            PeriodKind::FirstHalf => write!(f, "{}H1", self.year),
        }
    }
}

impl FromStr for Period {
    type Err = PeriodError;

    /// `2025`, `2025H1` (also `2025h1`), and the Chinese labels `2025年度`, `2025年上半年`.
    fn from_str(s: &str) -> Result<Period, PeriodError> {
        let t = s.trim();
        let malformed = || PeriodError::Malformed(s.to_owned());
        let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
        if digits != 4 {
            return Err(malformed());
        }
        let year: i32 = t[..4].parse().map_err(|_| malformed())?;
        let kind = match &t[4..] {
            "" | "年" | "年度" => PeriodKind::Year,
            "H1" | "h1" | "年上半年" | "上半年" => PeriodKind::FirstHalf,
            "H2" | "h2" | "年下半年" | "下半年" => return Err(PeriodError::SecondHalf(year)),
            _ => return Err(malformed()),
        };
        Period::new(year, kind)
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Period, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn p(s: &str) -> Period {
        s.parse().unwrap()
    }

    #[test]
    fn codes_round_trip_and_chinese_labels_parse() {
        for code in ["2024", "2025H1", "2099", "2000H1"] {
            assert_eq!(p(code).to_string(), code);
        }
        assert_eq!(p(" 2025h1 "), p("2025H1"));
        assert_eq!(p("2025年度"), p("2025"));
        assert_eq!(p("2025年上半年"), p("2025H1"));
        assert_eq!(p("2025H1").zh(), "2025年上半年");
        assert_eq!(p("2025").zh(), "2025年度");
    }

    #[test]
    fn second_half_is_refused_with_a_reason() {
        let err = "2025H2".parse::<Period>().unwrap_err();
        assert_eq!(err, PeriodError::SecondHalf(2025));
        assert!(err.to_string().contains("年度名单“2025”"), "{err}");
    }

    #[test]
    fn malformed_codes_are_refused() {
        for bad in ["", "25", "20251", "2025H3", "2025-H1", "H12025", "２０２５", "2025Q1"] {
            assert!(matches!(bad.parse::<Period>(), Err(PeriodError::Malformed(_))), "{bad:?}");
        }
        assert_eq!("1999".parse::<Period>(), Err(PeriodError::YearOutOfRange(1999)));
    }

    #[test]
    fn due_dates_follow_the_plan() {
        assert_eq!(p("2025").due_date(), date!(2026 - 01 - 31));
        assert_eq!(p("2025H1").due_date(), date!(2025 - 06 - 30));
        assert_eq!(p("2025H1").ends(), date!(2025 - 06 - 30));
        assert_eq!(p("2025").starts(), date!(2025 - 01 - 01));
    }

    #[test]
    fn periods_order_by_due_date_and_step() {
        let mut v = vec![p("2026H1"), p("2025"), p("2024"), p("2025H1")];
        v.sort();
        assert_eq!(v, vec![p("2024"), p("2025H1"), p("2025"), p("2026H1")]);
        assert_eq!(p("2025H1").previous(), p("2024"));
        assert_eq!(p("2025").previous(), p("2025H1"));
        assert_eq!(p("2024").next(), p("2025H1"));
    }

    #[test]
    fn upcoming_and_recent() {
        assert_eq!(Period::upcoming(date!(2025 - 06 - 30)), p("2025H1"));
        assert_eq!(Period::upcoming(date!(2025 - 07 - 01)), p("2025"));
        // 2026-01-15: the 2025 yearly list (due 2026-01-31) is the one being worked on.
        assert_eq!(Period::upcoming(date!(2026 - 01 - 15)), p("2025"));
        assert_eq!(Period::upcoming(date!(2026 - 01 - 31)), p("2025"));
        assert_eq!(Period::upcoming(date!(2026 - 02 - 01)), p("2026H1"));
        assert_eq!(Period::upcoming(date!(2025 - 12 - 31)), p("2025"));
        assert_eq!(Period::recent(date!(2025 - 09 - 01), 3), vec![p("2025"), p("2025H1"), p("2024")]);
    }

    #[test]
    fn serde_uses_the_code() {
        assert_eq!(serde_json::to_string(&p("2025H1")).unwrap(), "\"2025H1\"");
        assert_eq!(serde_json::from_str::<Period>("\"2024\"").unwrap(), p("2024"));
        assert!(serde_json::from_str::<Period>("\"2024H2\"").is_err());
    }
}
