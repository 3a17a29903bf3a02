//! The official working-day calendar 工作日 with 调休, for statutory deadlines.
//!
//! Most deadlines in the platform are counted in working days (penalty publicity within 7, results
//! publicity within 20, …). Chinese working days are not simply Monday–Friday: the State Council
//! (国务院办公厅) moves days every year (调休), turning some weekends into working days
//! (补班) and some weekdays into holidays. The notices are compiled into this crate from
//! NateScarlet/holiday-cn (MIT; see `data/holidays/README.md`).
//!
//! Rules (from the data's README):
//! 1. a date listed with `isOffDay: false` is a working day (even a Saturday or Sunday);
//! 2. a date listed with `isOffDay: true` is not;
//! 3. any other date is a working day if it is Monday–Friday;
//! 4. a year without data (no file, or an empty `days` list such as `2027.json` before the
//!    notice is out) is **provisional** 预估: it is counted as weekends plus the statutory holidays
//!    of the 放假办法 in force that year ([`statutory`]), with no 调休 or 补假 (the notice decides
//!    those). Every answer that rests on a provisional day says so ([`Reckoned::provisional`]), so
//!    that the date can be shown as 预估 and confirmed when the notice is loaded.
//!
//! A file's `year` is the year of the notice; its days may spill into the neighbouring years, so all
//! listed days of all files are merged. A date is *known* when a non-empty file for its own year is
//! loaded. Caveat: the notice for year Y+1 may (rarely — it last happened for 元旦 2018 and 2012)
//! move days in the last days of December of year Y; until Y+1's notice is loaded, those late-December
//! dates are computed from year Y's data and rule 3.
//!
//! All dates are calendar dates in China Standard Time; "today" comes from the platform's one clock
//! ([`crate::clock::Clock`]).

pub mod statutory;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use time::macros::offset;
use time::{Date, OffsetDateTime, UtcOffset, Weekday};

/// China Standard Time, UTC+08:00 (no daylight saving).
pub const CST: UtcOffset = offset!(+08:00);

/// The calendar date in China Standard Time at instant `now`.
pub fn cst_today(now: OffsetDateTime) -> Date {
    now.to_offset(CST).date()
}

/// The holiday files compiled into the crate: (year of the notice, file text, byte for byte).
const EMBEDDED: [(i32, &str); 4] = [
    (2024, include_str!("../../data/holidays/2024.json")),
    (2025, include_str!("../../data/holidays/2025.json")),
    (2026, include_str!("../../data/holidays/2026.json")),
    (2027, include_str!("../../data/holidays/2027.json")),
];

/// The embedded holiday files, `(year, JSON text)`, exactly as compiled in (for checks and display).
pub fn embedded_sources() -> &'static [(i32, &'static str)] {
    &EMBEDDED
}

/// Why a working-day question cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// Neither a notice nor the provisional rule covers this year (before 2008 or after 2099).
    #[error("{0} 年既无国务院放假通知数据,也不在预估日历的范围内(2008–2099 年),无法计算工作日")]
    UnknownYear(i32),
    /// A holiday file could not be read.
    #[error("节假日数据格式错误:{0}")]
    BadData(String),
    /// The computation ran past the dates `time::Date` can represent.
    #[error("日期超出可计算范围")]
    OutOfRange,
}

/// The mark shown beside every date or count that rests on a provisional year.
pub const PROVISIONAL_MARK: &str = "预估";

/// A result of working-day arithmetic, and whether any day it depended on lies in a year counted on
/// the provisional calendar (no State Council notice loaded): such a value is shown as 预估 and is
/// confirmed once the notice is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Reckoned<T> {
    pub value: T,
    pub provisional: bool,
}

/// A deadline: the date, and whether it was counted on a provisional year.
pub type Deadline = Reckoned<Date>;

impl<T> Reckoned<T> {
    /// A value that rests on official data only.
    pub fn official(value: T) -> Reckoned<T> {
        Reckoned { value, provisional: false }
    }

    /// A value that rests on a provisional year.
    pub fn provisional(value: T) -> Reckoned<T> {
        Reckoned { value, provisional: true }
    }

    /// "预估" for a provisional value, "" otherwise.
    pub fn mark(&self) -> &'static str {
        if self.provisional {
            PROVISIONAL_MARK
        } else {
            ""
        }
    }
}

impl<T: std::fmt::Display> std::fmt::Display for Reckoned<T> {
    /// `2027-01-05` or `2027-01-05(预估)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.provisional {
            write!(f, "{}({PROVISIONAL_MARK})", self.value)
        } else {
            write!(f, "{}", self.value)
        }
    }
}

/// One file of NateScarlet/holiday-cn (`schema.json`): unknown members such as `$schema` are ignored.
#[derive(Deserialize)]
struct HolidayFile {
    year: i32,
    #[serde(default)]
    papers: Vec<String>,
    days: Vec<HolidayDay>,
}

#[derive(Deserialize)]
struct HolidayDay {
    #[allow(dead_code)]
    name: String,
    date: String,
    #[serde(rename = "isOffDay")]
    is_off_day: bool,
}

/// Per-year data: listed dates → is it an off day; and the notices they came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct YearData {
    days: BTreeMap<Date, bool>,
    papers: Vec<String>,
}

/// The official working-day calendar: which years are known and which dates are moved.
/// Build it once (at start-up) with [`Calendar::official`] and pass it where needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    /// Notice year → data. Only years with a non-empty `days` list are stored.
    years: BTreeMap<i32, YearData>,
}

fn parse_file(text: &str) -> Result<(i32, YearData), CalendarError> {
    let file: HolidayFile = serde_json::from_str(text)
        .map_err(|e| CalendarError::BadData(format!("不是有效的节假日 JSON:{e}")))?;
    let mut days = BTreeMap::new();
    for day in &file.days {
        let date = crate::date::parse(&day.date).ok_or_else(|| {
            CalendarError::BadData(format!("{} 年文件中的日期“{}”无效,应为 YYYY-MM-DD", file.year, day.date))
        })?;
        if (date.year() - file.year).abs() > 1 {
            return Err(CalendarError::BadData(format!("{} 年文件中出现了 {} 的日期", file.year, day.date)));
        }
        if let Some(previous) = days.insert(date, day.is_off_day) {
            if previous != day.is_off_day {
                return Err(CalendarError::BadData(format!(
                    "{} 年文件中 {} 既是休息日又是工作日",
                    file.year, day.date
                )));
            }
        }
    }
    Ok((file.year, YearData { days, papers: file.papers }))
}

impl Calendar {
    /// The calendar from the holiday files compiled into the crate (2024–2026 official; 2027 and later
    /// provisional until their notices are loaded).
    pub fn official() -> Calendar {
        let texts: Vec<&str> = EMBEDDED.iter().map(|(_, t)| *t).collect();
        // The embedded files are checked by the tests; a failure here is a build defect.
        Calendar::from_json_files(&texts).expect("embedded holiday data is valid")
    }

    /// The embedded calendar plus operator-supplied files (e.g. next year's notice, published after
    /// this build). A supplied file replaces the embedded data for its year.
    pub fn official_with(extra: &[&str]) -> Result<Calendar, CalendarError> {
        let mut cal = Calendar::official();
        for text in extra {
            cal.load(text)?;
        }
        Ok(cal)
    }

    /// A calendar from the given texts of holiday-cn JSON files only. A later file for the same
    /// year replaces an earlier one; a file with an empty `days` list adds nothing (its year stays
    /// unknown).
    pub fn from_json_files(texts: &[&str]) -> Result<Calendar, CalendarError> {
        let mut cal = Calendar { years: BTreeMap::new() };
        for text in texts {
            cal.load(text)?;
        }
        Ok(cal)
    }

    fn load(&mut self, text: &str) -> Result<(), CalendarError> {
        let (year, data) = parse_file(text)?;
        if !data.days.is_empty() {
            self.years.insert(year, data);
        }
        Ok(())
    }

    /// Years whose working days are known.
    pub fn known_years(&self) -> BTreeSet<i32> {
        self.years.keys().copied().collect()
    }

    /// Whether the working days of `year` are known.
    pub fn is_known_year(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// The State Council notices (URLs) behind the data for `year`.
    pub fn papers(&self, year: i32) -> &[String] {
        self.years.get(&year).map(|y| y.papers.as_slice()).unwrap_or(&[])
    }

    /// Whether `year` is counted on the provisional calendar: no notice is loaded for it.
    pub fn is_provisional_year(&self, year: i32) -> bool {
        !self.is_known_year(year)
    }

    /// Whether `date` is a working day 工作日, and whether that answer is provisional (its year has no
    /// notice loaded, so it is weekends plus the statutory holidays of the 放假办法).
    pub fn working_day(&self, date: Date) -> Result<Reckoned<bool>, CalendarError> {
        if self.is_known_year(date.year()) {
            // A date may be listed in its own year's file or a neighbouring one; the own year wins.
            let listed = [date.year(), date.year() - 1, date.year() + 1]
                .iter()
                .find_map(|y| self.years.get(y).and_then(|d| d.days.get(&date)).copied());
            return Ok(Reckoned::official(match listed {
                Some(is_off) => !is_off,
                None => !is_weekend(date),
            }));
        }
        let statutory =
            statutory::statutory_days(date.year()).ok_or(CalendarError::UnknownYear(date.year()))?;
        Ok(Reckoned::provisional(!is_weekend(date) && !statutory.contains_key(&date)))
    }

    /// Whether `date` is a working day 工作日 (official or provisional; see [`Calendar::working_day`]
    /// for which).
    pub fn is_working_day(&self, date: Date) -> Result<bool, CalendarError> {
        Ok(self.working_day(date)?.value)
    }

    /// The `n`-th working day after `start`, the usual counting of a Chinese 期限 in working days:
    /// the start day itself is not counted (期间开始的日不计算在内), so absent holidays a decision made
    /// on a Friday with a 7-working-day deadline ends on the Tuesday 11 calendar days later. The
    /// result is always a working day; `n = 0` returns `start` unchanged. Provisional when any day
    /// examined lies in a provisional year.
    pub fn add_working_days(&self, start: Date, n: u32) -> Result<Deadline, CalendarError> {
        let mut date = start;
        let mut counted = 0;
        let mut provisional = false;
        while counted < n {
            date = date.next_day().ok_or(CalendarError::OutOfRange)?;
            let day = self.working_day(date)?;
            provisional |= day.provisional;
            if day.value {
                counted += 1;
            }
        }
        Ok(Reckoned { value: date, provisional })
    }

    /// The first working day on or after `date` — where a period ending on a holiday ends
    /// (民法典 第二百零三条).
    pub fn next_working_day_from(&self, date: Date) -> Result<Deadline, CalendarError> {
        let mut day = date;
        let mut provisional = false;
        loop {
            let w = self.working_day(day)?;
            provisional |= w.provisional;
            if w.value {
                return Ok(Reckoned { value: day, provisional });
            }
            day = day.next_day().ok_or(CalendarError::OutOfRange)?;
        }
    }

    /// The number of working days in `(from, to]` — `from` excluded, `to` included — or minus the
    /// number in `(to, from]` when `to < from`; 0 when equal. With `from` = a deadline and `to` =
    /// today this is the number of working days overdue (positive) or still left (negative).
    pub fn working_days_between(&self, from: Date, to: Date) -> Result<Reckoned<i64>, CalendarError> {
        let (lo, hi, sign) = if from <= to { (from, to, 1) } else { (to, from, -1) };
        let mut count = 0i64;
        let mut provisional = false;
        let mut date = lo;
        while date < hi {
            date = date.next_day().ok_or(CalendarError::OutOfRange)?;
            let day = self.working_day(date)?;
            provisional |= day.provisional;
            if day.value {
                count += 1;
            }
        }
        Ok(Reckoned { value: sign * count, provisional })
    }
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn embedded_years_known_except_empty_2027() {
        let cal = Calendar::official();
        assert_eq!(cal.known_years().into_iter().collect::<Vec<_>>(), vec![2024, 2025, 2026]);
        assert!(!cal.papers(2026).is_empty());
    }

    #[test]
    fn cst_today_rolls_over_at_16_utc() {
        assert_eq!(cst_today(datetime!(2025-12-31 15:59:59 UTC)), date!(2025 - 12 - 31));
        assert_eq!(cst_today(datetime!(2025-12-31 16:00:00 UTC)), date!(2026 - 01 - 01));
    }

    #[test]
    fn zero_working_days_is_start() {
        let cal = Calendar::official();
        assert_eq!(
            cal.add_working_days(date!(2026 - 10 - 03), 0),
            Ok(Reckoned::official(date!(2026 - 10 - 03)))
        );
    }

    #[test]
    fn conflicting_duplicate_is_bad_data() {
        let text = r#"{"year":2030,"papers":[],"days":[
            {"name":"x","date":"2030-01-01","isOffDay":true},
            {"name":"x","date":"2030-01-01","isOffDay":false}]}"#;
        assert!(matches!(Calendar::from_json_files(&[text]), Err(CalendarError::BadData(_))));
    }
}
