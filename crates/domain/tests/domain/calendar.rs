//! The official working-day calendar against the State Council notices.

use lianjian_domain::calendar::{cst_today, embedded_sources, Calendar, CalendarError, CST};
use time::macros::{date, datetime};
use time::Weekday;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/holidays/");

#[test]
fn embedded_holiday_files_are_byte_identical_to_shared_copies() {
    assert_eq!(embedded_sources().iter().map(|(y, _)| *y).collect::<Vec<_>>(), vec![2024, 2025, 2026, 2027]);
    for (year, text) in embedded_sources() {
        let shared = std::fs::read(format!("{SHARED}{year}.json")).expect("read shared holiday file");
        assert!(shared == text.as_bytes(), "{year}.json differs from ../shared/data/holidays");
    }
}

#[test]
fn sunday_2026_01_04_is_an_adjusted_working_day() {
    let cal = Calendar::official();
    assert_eq!(date!(2026 - 01 - 04).weekday(), Weekday::Sunday);
    assert_eq!(cal.is_working_day(date!(2026 - 01 - 04)), Ok(true));
}

#[test]
fn national_day_week_2026_is_off() {
    let cal = Calendar::official();
    for day in 1..=7 {
        let d = time::Date::from_calendar_date(2026, time::Month::October, day).unwrap();
        assert_eq!(cal.is_working_day(d), Ok(false), "{d}");
    }
    assert_eq!(cal.is_working_day(date!(2026 - 10 - 08)), Ok(true));
    // Saturday 2026-10-10 is a 补班 day.
    assert_eq!(cal.is_working_day(date!(2026 - 10 - 10)), Ok(true));
}

#[test]
fn sunday_2025_01_26_is_an_adjusted_working_day() {
    assert_eq!(Calendar::official().is_working_day(date!(2025 - 01 - 26)), Ok(true));
}

#[test]
fn every_adjusted_working_day_in_the_readme_is_working() {
    let cal = Calendar::official();
    let listed = [
        date!(2024 - 02 - 04),
        date!(2024 - 02 - 18),
        date!(2024 - 04 - 07),
        date!(2024 - 04 - 28),
        date!(2024 - 05 - 11),
        date!(2024 - 09 - 14),
        date!(2024 - 09 - 29),
        date!(2024 - 10 - 12),
        date!(2025 - 01 - 26),
        date!(2025 - 02 - 08),
        date!(2025 - 04 - 27),
        date!(2025 - 09 - 28),
        date!(2025 - 10 - 11),
        date!(2026 - 01 - 04),
        date!(2026 - 02 - 14),
        date!(2026 - 02 - 28),
        date!(2026 - 05 - 09),
        date!(2026 - 09 - 20),
        date!(2026 - 10 - 10),
    ];
    for d in listed {
        assert!(matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday), "{d}");
        assert_eq!(cal.is_working_day(d), Ok(true), "{d}");
    }
}

#[test]
fn plain_weekend_and_weekday_follow_rule_three() {
    let cal = Calendar::official();
    assert_eq!(cal.is_working_day(date!(2025 - 03 - 08)), Ok(false)); // Saturday
    assert_eq!(cal.is_working_day(date!(2025 - 03 - 10)), Ok(true)); // Monday
}

#[test]
fn twenty_working_days_across_national_day_2025() {
    let cal = Calendar::official();
    // Thursday 2025-09-25. Working days after it: 09-26 (Fri), 09-28 (Sun, 补班), 09-29, 09-30,
    // then 10-01..10-08 off, 10-09, 10-10, 10-11 (Sat, 补班) = 7; 10-13..17 = 12; 10-20..24 = 17;
    // 10-27, 10-28, 10-29 = 20.
    assert_eq!(cal.add_working_days(date!(2025 - 09 - 25), 20), Ok(date!(2025 - 10 - 29)));
    assert_eq!(cal.add_working_days(date!(2025 - 09 - 25), 4), Ok(date!(2025 - 09 - 30)));
    assert_eq!(cal.add_working_days(date!(2025 - 09 - 25), 5), Ok(date!(2025 - 10 - 09)));
    assert_eq!(cal.working_days_between(date!(2025 - 09 - 25), date!(2025 - 10 - 29)), Ok(20));
    assert_eq!(cal.working_days_between(date!(2025 - 10 - 29), date!(2025 - 09 - 25)), Ok(-20));
}

#[test]
fn start_day_is_not_counted_and_deadline_is_a_working_day() {
    let cal = Calendar::official();
    // Friday 2025-03-07 + 7 working days = Tuesday 2025-03-18.
    assert_eq!(cal.add_working_days(date!(2025 - 03 - 07), 7), Ok(date!(2025 - 03 - 18)));
    // From a holiday: 2025-10-01 + 1 = 2025-10-09.
    assert_eq!(cal.add_working_days(date!(2025 - 10 - 01), 1), Ok(date!(2025 - 10 - 09)));
}

#[test]
fn working_days_between_counts_half_open_interval() {
    let cal = Calendar::official();
    let d = date!(2025 - 03 - 10);
    assert_eq!(cal.working_days_between(d, d), Ok(0));
    assert_eq!(cal.working_days_between(d, date!(2025 - 03 - 11)), Ok(1));
    // Friday → Sunday: none; Friday → Monday: one.
    assert_eq!(cal.working_days_between(date!(2025 - 03 - 07), date!(2025 - 03 - 09)), Ok(0));
    assert_eq!(cal.working_days_between(date!(2025 - 03 - 07), date!(2025 - 03 - 10)), Ok(1));
}

#[test]
fn add_then_between_round_trips_over_the_known_years() {
    let cal = Calendar::official();
    let mut start = date!(2024 - 01 - 01);
    while start < date!(2026 - 06 - 01) {
        for n in [1u32, 7, 20] {
            let end = cal.add_working_days(start, n).unwrap();
            assert_eq!(cal.is_working_day(end), Ok(true));
            assert_eq!(cal.working_days_between(start, end), Ok(i64::from(n)), "{start} + {n}");
        }
        start = start.next_day().unwrap();
    }
}

#[test]
fn year_2027_is_unknown() {
    let cal = Calendar::official();
    assert_eq!(cal.is_working_day(date!(2027 - 03 - 01)), Err(CalendarError::UnknownYear(2027)));
    assert_eq!(cal.is_working_day(date!(2023 - 12 - 29)), Err(CalendarError::UnknownYear(2023)));
    // Running off the end of 2026 into 2027 fails rather than guessing.
    assert_eq!(cal.add_working_days(date!(2026 - 12 - 25), 20), Err(CalendarError::UnknownYear(2027)));
    assert_eq!(
        cal.working_days_between(date!(2026 - 12 - 30), date!(2027 - 01 - 04)),
        Err(CalendarError::UnknownYear(2027))
    );
    // But a deadline that ends inside 2026 is fine.
    assert!(cal.add_working_days(date!(2026 - 12 - 25), 3).is_ok());
    let msg = CalendarError::UnknownYear(2027).to_string();
    assert!(msg.contains("2027 年"), "{msg}");
}

#[test]
fn operator_supplied_file_makes_a_year_known() {
    let next = r#"{"$schema":"x","year":2027,"papers":["https://example.invalid/notice"],"days":[
        {"name":"元旦","date":"2027-01-01","isOffDay":true},
        {"name":"春节","date":"2027-02-20","isOffDay":false}]}"#;
    let cal = Calendar::official_with(&[next]).unwrap();
    assert!(cal.is_known_year(2027));
    assert_eq!(cal.is_working_day(date!(2027 - 01 - 01)), Ok(false));
    assert_eq!(cal.is_working_day(date!(2027 - 02 - 20)), Ok(true)); // a Saturday
    assert_eq!(cal.is_working_day(date!(2027 - 03 - 01)), Ok(true));
    assert_eq!(cal.is_working_day(date!(2026 - 01 - 04)), Ok(true)); // embedded data kept
}

#[test]
fn from_json_files_only_knows_what_it_was_given() {
    let text = embedded_sources()[1].1;
    let cal = Calendar::from_json_files(&[text]).unwrap();
    assert_eq!(cal.known_years().into_iter().collect::<Vec<_>>(), vec![2025]);
    assert_eq!(cal.is_working_day(date!(2026 - 01 - 05)), Err(CalendarError::UnknownYear(2026)));
}

#[test]
fn malformed_file_is_rejected() {
    for bad in [
        "not json",
        r#"{"year":2030,"days":[{"name":"x","date":"2030-13-01","isOffDay":true}]}"#,
        r#"{"year":2030,"days":[{"name":"x","date":"2035-01-01","isOffDay":true}]}"#,
        r#"{"year":2030,"days":[{"name":"x","date":"2030-01-01"}]}"#,
    ] {
        assert!(matches!(Calendar::from_json_files(&[bad]), Err(CalendarError::BadData(_))), "{bad}");
    }
}

#[test]
fn cst_is_plus_eight() {
    assert_eq!(CST.whole_hours(), 8);
    assert_eq!(cst_today(datetime!(2026-09-30 17:00 UTC)), date!(2026 - 10 - 01));
}
