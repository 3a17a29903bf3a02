//! Deadlines 期限 counted in working days, and what happens to a provisional one when the State
//! Council notice for its year is loaded.
//!
//! A deadline is N working days after a dated act, counted on the calendar in force. When a year has
//! no notice yet the count runs on the provisional calendar and the date is shown as 预估. Once the
//! notice is loaded the deadline is counted again: an unchanged date simply stops being provisional;
//! a changed one is put to the owning department's leader, who adopts the recomputed date or keeps
//! the served one — a deadline already served never moves earlier without that decision.

use serde::Serialize;
use time::Date;

use crate::calendar::{Calendar, CalendarError};

/// What a deadline is for. The code is stored; the Chinese name is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum DeadlineKind {
    /// 检查任务完成期限: a drawn task's due date, N working days after the draw.
    TaskDue,
}

impl DeadlineKind {
    pub const ALL: &'static [DeadlineKind] = &[DeadlineKind::TaskDue];

    pub fn code(self) -> &'static str {
        match self {
            DeadlineKind::TaskDue => "task.due",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            DeadlineKind::TaskDue => "检查任务完成期限",
        }
    }

    pub fn parse(code: &str) -> Option<DeadlineKind> {
        DeadlineKind::ALL.iter().copied().find(|k| k.code() == code)
    }
}

/// Where a deadline stands with respect to the provisional calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Review {
    /// Nothing to decide (counted on official data, or confirmed unchanged).
    None,
    /// The notice is in and the date differs: a leader decides.
    Pending,
    /// The leader took the recomputed date.
    Adopted,
    /// The leader kept the date that was served.
    Kept,
}

impl Review {
    pub fn code(self) -> &'static str {
        match self {
            Review::None => "none",
            Review::Pending => "pending",
            Review::Adopted => "adopted",
            Review::Kept => "kept",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Review::None => "无需复核",
            Review::Pending => "待负责人确认",
            Review::Adopted => "已采用重算日期",
            Review::Kept => "已保留原日期",
        }
    }

    pub fn parse(code: &str) -> Option<Review> {
        [Review::None, Review::Pending, Review::Adopted, Review::Kept].into_iter().find(|r| r.code() == code)
    }
}

/// The outcome of counting a provisional deadline again on the calendar now in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recount {
    /// Still rests on a year without a notice: nothing to do yet.
    StillProvisional,
    /// The official count gives the same date: it stops being provisional.
    Unchanged,
    /// The official count gives another date, for a leader to decide.
    Changed(Date),
}

/// Count `working_days` after `start` again and compare with the date in force.
pub fn recount(
    cal: &Calendar,
    start: Date,
    working_days: u32,
    due_on: Date,
) -> Result<Recount, CalendarError> {
    let again = cal.add_working_days(start, working_days)?;
    Ok(if again.provisional {
        Recount::StillProvisional
    } else if again.value == due_on {
        Recount::Unchanged
    } else {
        Recount::Changed(again.value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const NOTICE_2027: &str = r#"{"year":2027,"papers":["https://example.invalid/2027"],"days":[
        {"name":"元旦","date":"2027-01-01","isOffDay":true},
        {"name":"春节","date":"2027-02-05","isOffDay":true},
        {"name":"春节","date":"2027-02-06","isOffDay":true},
        {"name":"春节","date":"2027-02-07","isOffDay":true},
        {"name":"春节","date":"2027-02-08","isOffDay":true},
        {"name":"春节","date":"2027-02-09","isOffDay":true},
        {"name":"春节","date":"2027-02-10","isOffDay":true},
        {"name":"春节","date":"2027-02-11","isOffDay":true},
        {"name":"春节","date":"2027-02-20","isOffDay":false}]}"#;

    #[test]
    fn a_recount_is_unchanged_changed_or_still_provisional() {
        let shipped = Calendar::official();
        let start = date!(2027 - 01 - 25);
        let due = shipped.add_working_days(start, 15).unwrap();
        assert!(due.provisional);
        assert_eq!(recount(&shipped, start, 15, due.value), Ok(Recount::StillProvisional));
        let loaded = Calendar::official_with(&[NOTICE_2027]).unwrap();
        // The notice adds 02-09…11 off and 02-20 (Saturday) on: the date moves.
        let Ok(Recount::Changed(other)) = recount(&loaded, start, 15, due.value) else { panic!("changed") };
        assert_ne!(other, due.value);
        // A deadline that did not cross the Spring Festival keeps its date.
        let early = shipped.add_working_days(date!(2027 - 01 - 04), 5).unwrap();
        assert_eq!(recount(&loaded, date!(2027 - 01 - 04), 5, early.value), Ok(Recount::Unchanged));
    }

    #[test]
    fn codes_round_trip() {
        for k in DeadlineKind::ALL {
            assert_eq!(DeadlineKind::parse(k.code()), Some(*k));
        }
        for r in [Review::None, Review::Pending, Review::Adopted, Review::Kept] {
            assert_eq!(Review::parse(r.code()), Some(r));
        }
    }
}
