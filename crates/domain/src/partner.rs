//! Partner-department lists 协作部门机构名单 (R11): reporting periods, their deadlines, and whether a
//! department submitted on time, late, or not at all.
//!
//! The work plan (三(五) 完善信息共享) says the departments send the market regulator, "每年1月31日和
//! 6月30日前 … 分别报送上一年度和半年度" lists of the institutions doing their enforcement and
//! government-commissioned monitoring. So there are two kinds of period:
//!
//! | Period   | Code     | Covers               | Due (plan date)     |
//! |----------|----------|----------------------|---------------------|
//! | yearly   | `2025`   | all of 2025          | 2026-01-31          |
//! | half-year| `2025H1` | the first half, 2025 | 2025-06-30          |
//!
//! **No `H2`.** The plan has no deadline for a second-half list: the yearly list, due 31 January
//! of the next year, covers the second half. `2025H2` is refused with a sentence saying so rather
//! than invented.
//!
//! **When the due date is not a working day** it moves to the next working day on the official
//! calendar — the rule of Chinese law for 期间 (民法典 第二百零三条: "期间的最后一日是法定休假日的,以
//! 法定休假日结束的次日为期间的最后一日"; likewise 民事诉讼法 第八十五条, 行政诉讼法 第五十一条). The plan's
//! date is kept as [`Period::due_date`]; the moved one is the *deadline* ([`deadline`]). Example:
//! the `2024` list was due Friday 2025-01-31, inside the Spring Festival holiday (1-28 … 2-04), so
//! the deadline is Wednesday 2025-02-05; the `2025` list is due Saturday 2026-01-31, deadline Monday
//! 2026-02-02.
//!
//! **Days overdue** are working days counted with [`Calendar::working_days_between`] from the
//! deadline (excluded) to the submission day or to today (included): a list sent the first working
//! day after the deadline is 1 working day late. A list sent on a non-working day right after the
//! deadline is late by 0 working days — still late, so the state carries `late` apart from the count.
//!
//! **Which submission counts for timeliness:** the first one. A department that met the deadline and
//! later sent a corrected version was on time; the corrected version's rows are the list in force.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::calendar::{Calendar, CalendarError, Deadline, PROVISIONAL_MARK};

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

/// The deadline that counts: the plan's due date, moved to the next working day when it is not one
/// (民法典 第二百零三条). Provisional (预估) when a day it looked at has no notice loaded.
pub fn deadline(cal: &Calendar, period: Period) -> Result<Deadline, CalendarError> {
    cal.next_working_day_from(period.due_date())
}

/// Where a department stands with one period's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SubmissionState {
    /// Sent. `on` is the first submission; `late` when after the deadline, and then
    /// `late_by_working_days` counts working days in (deadline, on] (0 when sent on the non-working
    /// days right after the deadline). `provisional` when the deadline or the count rests on a year
    /// without a notice (预估).
    Submitted {
        #[serde(with = "crate::date::ymd")]
        on: Date,
        late: bool,
        late_by_working_days: i64,
        provisional: bool,
    },
    /// Not sent and the deadline has passed: working days in (deadline, today].
    Missing { overdue_working_days: i64, provisional: bool },
    /// Not sent, and the deadline is today or later.
    NotYetDue,
}

impl SubmissionState {
    /// The board's Chinese cell text.
    pub fn zh(&self) -> String {
        match *self {
            SubmissionState::Submitted { on, late: false, .. } => format!("已按时报送({on})"),
            SubmissionState::Submitted { on, late: true, late_by_working_days: 0, provisional } => {
                format!("逾期报送({on},逾期不足1个工作日{})", estimate(provisional))
            }
            SubmissionState::Submitted { on, late: true, late_by_working_days: n, provisional } => {
                format!("逾期报送({on},逾期{n}个工作日{})", estimate(provisional))
            }
            SubmissionState::Missing { overdue_working_days: n, provisional } => {
                format!("未报送(已逾期{n}个工作日{})", estimate(provisional))
            }
            SubmissionState::NotYetDue => "未到期".to_owned(),
        }
    }

    pub fn is_late(&self) -> bool {
        matches!(self, SubmissionState::Submitted { late: true, .. })
    }
}

fn estimate(provisional: bool) -> String {
    if provisional {
        format!(",{PROVISIONAL_MARK}")
    } else {
        String::new()
    }
}

/// The state of `period` for a department whose first submission was `first_submitted` (if any),
/// as of `today`.
///
/// The calendar is consulted only when the answer depends on it: a list sent by the plan's due date
/// is on time, and an unsent list is not yet due up to that date, whatever the calendar knows. Past
/// the plan's date, a year without a notice is counted on the provisional calendar and the state says so.
pub fn submission_state(
    cal: &Calendar,
    period: Period,
    first_submitted: Option<Date>,
    today: Date,
) -> Result<SubmissionState, CalendarError> {
    let due = period.due_date();
    match first_submitted {
        Some(on) if on <= due => {
            Ok(SubmissionState::Submitted { on, late: false, late_by_working_days: 0, provisional: false })
        }
        Some(on) => {
            let deadline = deadline(cal, period)?;
            if on <= deadline.value {
                let provisional = deadline.provisional;
                Ok(SubmissionState::Submitted { on, late: false, late_by_working_days: 0, provisional })
            } else {
                let n = cal.working_days_between(deadline.value, on)?;
                Ok(SubmissionState::Submitted {
                    on,
                    late: true,
                    late_by_working_days: n.value,
                    provisional: deadline.provisional || n.provisional,
                })
            }
        }
        None if today <= due => Ok(SubmissionState::NotYetDue),
        None => {
            let deadline = deadline(cal, period)?;
            if today <= deadline.value {
                Ok(SubmissionState::NotYetDue)
            } else {
                let n = cal.working_days_between(deadline.value, today)?;
                Ok(SubmissionState::Missing {
                    overdue_working_days: n.value,
                    provisional: deadline.provisional || n.provisional,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Reckoned;
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
    fn deadline_on_a_holiday_or_weekend_moves_to_next_working_day() {
        let cal = Calendar::official();
        // 2025-01-31 is a Friday inside the Spring Festival holiday (01-28 … 02-04).
        let official = |d| Ok(Reckoned::official(d));
        assert_eq!(deadline(&cal, p("2024")), official(date!(2025 - 02 - 05)));
        // 2026-01-31 is a Saturday.
        assert_eq!(deadline(&cal, p("2025")), official(date!(2026 - 02 - 02)));
        // 2025-06-30 is a Monday: unchanged.
        assert_eq!(deadline(&cal, p("2025H1")), official(date!(2025 - 06 - 30)));
    }

    #[test]
    fn on_time_inside_the_extension_and_late_counts_working_days() {
        let cal = Calendar::official();
        let state = |on, today| submission_state(&cal, p("2024"), on, today).unwrap();
        let ok =
            |on| SubmissionState::Submitted { on, late: false, late_by_working_days: 0, provisional: false };
        assert_eq!(state(Some(date!(2025 - 01 - 20)), date!(2025 - 03 - 01)), ok(date!(2025 - 01 - 20)));
        // Sent on the moved deadline: on time.
        assert_eq!(state(Some(date!(2025 - 02 - 05)), date!(2025 - 03 - 01)), ok(date!(2025 - 02 - 05)));
        // Sent Monday 02-10: 02-06, 02-07, 02-08 (Saturday made a working day, 补班), 02-10 → 4.
        assert_eq!(
            state(Some(date!(2025 - 02 - 10)), date!(2025 - 03 - 01)),
            SubmissionState::Submitted {
                on: date!(2025 - 02 - 10),
                late: true,
                late_by_working_days: 4,
                provisional: false
            }
        );
        // Sent Sunday 02-09: the working days 02-06, 02-07, 02-08 have passed.
        let sunday = state(Some(date!(2025 - 02 - 09)), date!(2025 - 03 - 01));
        assert_eq!(
            sunday,
            SubmissionState::Submitted {
                on: date!(2025 - 02 - 09),
                late: true,
                late_by_working_days: 3,
                provisional: false
            }
        );
        assert!(sunday.is_late());
    }

    #[test]
    fn late_by_zero_working_days_is_still_late() {
        // A made-up year: 2030-06-30 is a Sunday, so the H1 deadline is Monday 07-01; 07-02 is off.
        let cal = Calendar::from_json_files(&[r#"{"year":2030,"papers":[],"days":[
            {"name":"x","date":"2030-07-02","isOffDay":true}]}"#])
        .unwrap();
        assert_eq!(deadline(&cal, p("2030H1")), Ok(Reckoned::official(date!(2030 - 07 - 01))));
        let s = submission_state(&cal, p("2030H1"), Some(date!(2030 - 07 - 02)), date!(2030 - 08 - 01));
        let s = s.unwrap();
        assert_eq!(
            s,
            SubmissionState::Submitted {
                on: date!(2030 - 07 - 02),
                late: true,
                late_by_working_days: 0,
                provisional: false
            }
        );
        assert!(s.is_late());
        assert_eq!(s.zh(), "逾期报送(2030-07-02,逾期不足1个工作日)");
    }

    #[test]
    fn missing_counts_overdue_working_days_to_today() {
        let cal = Calendar::official();
        let state = |today| submission_state(&cal, p("2025"), None, today).unwrap();
        assert_eq!(state(date!(2026 - 01 - 31)), SubmissionState::NotYetDue);
        // Deadline moved to Monday 2026-02-02: still not overdue that day.
        assert_eq!(state(date!(2026 - 02 - 02)), SubmissionState::NotYetDue);
        let missing = |n| SubmissionState::Missing { overdue_working_days: n, provisional: false };
        assert_eq!(state(date!(2026 - 02 - 03)), missing(1));
        // To 2026-02-25 across the Spring Festival (02-15 … 02-23 off, 02-14 a working Saturday):
        // 02-03…06 (4) + 02-09…13 (5) + 02-14 (1) + 02-24, 02-25 (2) = 12.
        assert_eq!(state(date!(2026 - 02 - 25)), missing(12));
    }

    #[test]
    fn a_year_without_a_notice_is_counted_provisionally_and_says_so() {
        let cal = Calendar::official();
        // The 2026 list is due Sunday 2027-01-31; 2027 has no notice in the shipped data.
        assert_eq!(
            submission_state(&cal, p("2026"), None, date!(2026 - 12 - 01)),
            Ok(SubmissionState::NotYetDue)
        );
        assert_eq!(deadline(&cal, p("2026")), Ok(Reckoned::provisional(date!(2027 - 02 - 01))));
        assert_eq!(
            submission_state(&cal, p("2026"), Some(date!(2027 - 01 - 10)), date!(2027 - 03 - 01)),
            Ok(SubmissionState::Submitted {
                on: date!(2027 - 01 - 10),
                late: false,
                late_by_working_days: 0,
                provisional: false
            })
        );
        // Provisional 2027: 02-02…05 (4; 02-05 is 除夕, a statutory day from 2025) → 3, then
        // 02-06…08 春节 and the weekend are off, 02-09, 02-10 → 5.
        let late = submission_state(&cal, p("2026"), None, date!(2027 - 02 - 10)).unwrap();
        assert_eq!(late, SubmissionState::Missing { overdue_working_days: 5, provisional: true });
        assert_eq!(late.zh(), "未报送(已逾期5个工作日,预估)");
    }

    #[test]
    fn state_serialises_with_plain_dates() {
        let s = SubmissionState::Submitted {
            on: date!(2025 - 02 - 10),
            late: true,
            late_by_working_days: 4,
            provisional: false,
        };
        assert_eq!(
            serde_json::to_value(s).unwrap(),
            serde_json::json!({"state": "submitted", "on": "2025-02-10", "late": true, "late_by_working_days": 4, "provisional": false})
        );
    }

    #[test]
    fn serde_uses_the_code() {
        assert_eq!(serde_json::to_string(&p("2025H1")).unwrap(), "\"2025H1\"");
        assert_eq!(serde_json::from_str::<Period>("\"2024\"").unwrap(), p("2024"));
        assert!(serde_json::from_str::<Period>("\"2024H2\"").is_err());
    }
}

/// Kind of commission 委托类型 on a partner-department list: the two kinds of work R11 restricts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Commission {
    /// 行政执法: monitoring for a department's administrative enforcement.
    Enforcement,
    /// 政府委托: other monitoring commissioned by a government body.
    Government,
}

impl Commission {
    pub const ALL: [Commission; 2] = [Commission::Enforcement, Commission::Government];

    /// The code, as the report `purpose` of exchange-formats §2 spells it.
    pub fn code(self) -> &'static str {
        match self {
            Commission::Enforcement => "enforcement",
            Commission::Government => "government",
        }
    }

    /// The Chinese name used in the lists.
    pub fn zh(self) -> &'static str {
        match self {
            Commission::Enforcement => "行政执法",
            Commission::Government => "政府委托",
        }
    }

    /// From the Chinese name or the code (any letter case).
    pub fn parse(s: &str) -> Option<Commission> {
        let t = s.trim();
        Commission::ALL.into_iter().find(|c| c.zh() == t || c.code().eq_ignore_ascii_case(t))
    }
}

impl std::fmt::Display for Commission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for Commission {
    type Err = crate::org::UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Commission::parse(s)
            .ok_or_else(|| crate::org::UnknownCode { kind: "委托类型", code: s.to_owned() })
    }
}
