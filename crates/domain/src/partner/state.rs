//! Deadlines and submission states: on time, late by so many working days, missing, not yet due.

use serde::Serialize;
use time::Date;

use super::Period;
use crate::calendar::{Calendar, CalendarError, Deadline, PROVISIONAL_MARK};

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
}
