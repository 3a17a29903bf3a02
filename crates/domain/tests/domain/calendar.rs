//! The official working-day calendar against the State Council notices.

use lianjian_domain::calendar::statutory::{self, Holiday};
use lianjian_domain::calendar::{cst_today, embedded_sources, Calendar, CalendarError, Reckoned, CST};
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
    assert_eq!(
        cal.add_working_days(date!(2025 - 09 - 25), 20),
        Ok(Reckoned::official(date!(2025 - 10 - 29)))
    );
    assert_eq!(cal.add_working_days(date!(2025 - 09 - 25), 4), Ok(Reckoned::official(date!(2025 - 09 - 30))));
    assert_eq!(cal.add_working_days(date!(2025 - 09 - 25), 5), Ok(Reckoned::official(date!(2025 - 10 - 09))));
    assert_eq!(
        cal.working_days_between(date!(2025 - 09 - 25), date!(2025 - 10 - 29)),
        Ok(Reckoned::official(20))
    );
    assert_eq!(
        cal.working_days_between(date!(2025 - 10 - 29), date!(2025 - 09 - 25)),
        Ok(Reckoned::official(-20))
    );
}

#[test]
fn start_day_is_not_counted_and_deadline_is_a_working_day() {
    let cal = Calendar::official();
    // Friday 2025-03-07 + 7 working days = Tuesday 2025-03-18.
    assert_eq!(cal.add_working_days(date!(2025 - 03 - 07), 7), Ok(Reckoned::official(date!(2025 - 03 - 18))));
    // From a holiday: 2025-10-01 + 1 = 2025-10-09.
    assert_eq!(cal.add_working_days(date!(2025 - 10 - 01), 1), Ok(Reckoned::official(date!(2025 - 10 - 09))));
}

#[test]
fn working_days_between_counts_half_open_interval() {
    let cal = Calendar::official();
    let d = date!(2025 - 03 - 10);
    assert_eq!(cal.working_days_between(d, d), Ok(Reckoned::official(0)));
    assert_eq!(cal.working_days_between(d, date!(2025 - 03 - 11)), Ok(Reckoned::official(1)));
    // Friday → Sunday: none; Friday → Monday: one.
    assert_eq!(
        cal.working_days_between(date!(2025 - 03 - 07), date!(2025 - 03 - 09)),
        Ok(Reckoned::official(0))
    );
    assert_eq!(
        cal.working_days_between(date!(2025 - 03 - 07), date!(2025 - 03 - 10)),
        Ok(Reckoned::official(1))
    );
}

#[test]
fn add_then_between_round_trips_over_the_known_years() {
    let cal = Calendar::official();
    let mut start = date!(2024 - 01 - 01);
    while start < date!(2026 - 06 - 01) {
        for n in [1u32, 7, 20] {
            let end = cal.add_working_days(start, n).unwrap();
            assert!(!end.provisional);
            assert_eq!(cal.is_working_day(end.value), Ok(true));
            assert_eq!(
                cal.working_days_between(start, end.value),
                Ok(Reckoned::official(i64::from(n))),
                "{start} + {n}"
            );
        }
        start = start.next_day().unwrap();
    }
}

#[test]
fn year_2027_is_counted_on_the_provisional_calendar_and_marked() {
    let cal = Calendar::official();
    assert!(cal.is_provisional_year(2027) && !cal.is_provisional_year(2026));
    assert_eq!(cal.working_day(date!(2027 - 03 - 01)), Ok(Reckoned::provisional(true)));
    // 除夕 2027-02-05 (a Friday) is a statutory holiday under 国务院令第798号.
    assert_eq!(cal.working_day(date!(2027 - 02 - 05)), Ok(Reckoned::provisional(false)));
    // No 调休 is guessed: Saturday 2027-02-13 stays a day off.
    assert_eq!(cal.is_working_day(date!(2027 - 02 - 13)), Ok(false));
    // From Friday 2026-12-25, 20 working days: 12-28…31 (4), 2027-01-01 元旦 off, 01-04…08 (9),
    // 01-11…15 (14), 01-18…22 (19), 01-25 (20).
    assert_eq!(
        cal.add_working_days(date!(2026 - 12 - 25), 20),
        Ok(Reckoned::provisional(date!(2027 - 01 - 25)))
    );
    assert_eq!(
        cal.working_days_between(date!(2026 - 12 - 30), date!(2027 - 01 - 04)),
        Ok(Reckoned::provisional(2))
    );
    // A deadline that ends inside 2026 never looked at 2027: official.
    assert_eq!(cal.add_working_days(date!(2026 - 12 - 25), 3), Ok(Reckoned::official(date!(2026 - 12 - 30))));
    assert_eq!(Reckoned::provisional(date!(2027 - 01 - 25)).to_string(), "2027-01-25(预估)");
    // Beyond the rule tables nothing is guessed.
    assert_eq!(cal.is_working_day(date!(2100 - 03 - 01)), Err(CalendarError::UnknownYear(2100)));
}

#[test]
fn loading_the_notice_replaces_the_provisional_year() {
    let notice = r#"{"year":2027,"papers":["https://example.invalid/2027"],"days":[
        {"name":"元旦","date":"2027-01-01","isOffDay":true},
        {"name":"春节","date":"2027-02-13","isOffDay":false}]}"#;
    let cal = Calendar::official_with(&[notice]).unwrap();
    assert!(!cal.is_provisional_year(2027));
    assert_eq!(cal.working_day(date!(2027 - 02 - 13)), Ok(Reckoned::official(true)));
    // The provisional rule's statutory days no longer apply once the notice is in.
    assert_eq!(cal.working_day(date!(2027 - 02 - 05)), Ok(Reckoned::official(true)));
}

/// The issue's check: in every shipped notice (2024–2026), each statutory day of the provisional rule
/// in force that year is a day off, listed under the holiday of the same name — so the provisional
/// calendar never calls a real holiday a working day, whatever the notice adds around it.
#[test]
fn every_statutory_day_of_the_rule_is_off_in_the_shipped_notices() {
    for year in [2024, 2025, 2026] {
        let text = std::fs::read_to_string(format!("{SHARED}{year}.json")).unwrap();
        let file: serde_json::Value = serde_json::from_str(&text).unwrap();
        let off: Vec<(String, String)> = file["days"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["isOffDay"] == true)
            .map(|d| (d["date"].as_str().unwrap().to_owned(), d["name"].as_str().unwrap().to_owned()))
            .collect();
        let days = statutory::statutory_days(year).unwrap();
        let expected = if year >= 2025 { 13 } else { 11 };
        assert_eq!(
            days.len(),
            expected,
            "{year}: statutory days under {}",
            statutory::rule_for(year).unwrap().basis
        );
        for (date, holiday) in days {
            let (_, name) = off.iter().find(|(d, _)| *d == date.to_string()).unwrap_or_else(|| {
                panic!("{year}: statutory {} on {date} is not a day off in the notice", holiday.zh())
            });
            assert!(
                name.contains(holiday.zh()),
                "{year}: {date} is {name} in the notice, the rule says {}",
                holiday.zh()
            );
        }
        // And every holiday the notice names has its statutory days in the rule.
        for (_, name) in &off {
            let named = [
                Holiday::NewYear,
                Holiday::SpringFestival,
                Holiday::Qingming,
                Holiday::LabourDay,
                Holiday::DragonBoat,
                Holiday::MidAutumn,
                Holiday::NationalDay,
            ]
            .into_iter()
            .filter(|h| name.contains(h.zh()));
            for h in named {
                assert!(days.values().any(|v| *v == h), "{year}: {name} has no statutory day in the rule");
            }
        }
    }
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
    assert_eq!(cal.working_day(date!(2026 - 01 - 05)), Ok(Reckoned::provisional(true)));
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

#[test]
fn add_then_between_round_trips_across_provisional_years() {
    let cal = Calendar::official();
    let mut start = date!(2026 - 10 - 01);
    while start < date!(2028 - 03 - 01) {
        for n in [1u32, 5, 15, 20] {
            let end = cal.add_working_days(start, n).unwrap();
            assert_eq!(cal.is_working_day(end.value), Ok(true));
            assert_eq!(end.provisional, end.value.year() >= 2027, "{start} + {n}");
            assert_eq!(
                cal.working_days_between(start, end.value).unwrap().value,
                i64::from(n),
                "{start} + {n}"
            );
        }
        start = start.next_day().unwrap();
    }
}
