//! The statutory holidays 法定节假日 of 《全国年节及纪念日放假办法》, for the provisional calendar 预估日历
//! of a year whose State Council notice is not out yet.
//!
//! The 放假办法 fixes which days are holidays; each year's notice then adds 调休 (weekend days made
//! working days) and 补假 (a weekday off when a holiday falls on a weekend). Those are decided by the
//! notice and are never guessed here: a provisional year is weekends plus the statutory days below.
//! The rule itself changed over time, so it is kept as effective-dated versions with their basis.
//!
//! Lunar dates (除夕, 正月初一…, 端午 五月初五, 中秋 八月十五) and the solar term 清明 come from
//! `tyme4rs` (6tail's implementation of the 寿星天文历 algorithms). The tests hold every version to the
//! shipped notices of 2024–2026: each statutory day the rule names is a day off in the notice, under
//! the holiday of the same name.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use time::{Date, Month};
use tyme4rs::tyme::lunar::LunarDay;
use tyme4rs::tyme::solar::{SolarDay, SolarTerm};

/// The years the provisional calendar covers (the rule tables begin in 2008; the lunar data is good
/// far beyond 2099, but nothing in the platform plans further ahead).
pub const PROVISIONAL_YEARS: std::ops::RangeInclusive<i32> = 2008..=2099;

/// A holiday of the 放假办法, by the name the notices use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Holiday {
    NewYear,
    SpringFestival,
    Qingming,
    LabourDay,
    DragonBoat,
    MidAutumn,
    NationalDay,
}

impl Holiday {
    /// The name used in the State Council notices (and in holiday-cn's `name`).
    pub fn zh(self) -> &'static str {
        match self {
            Holiday::NewYear => "元旦",
            Holiday::SpringFestival => "春节",
            Holiday::Qingming => "清明节",
            Holiday::LabourDay => "劳动节",
            Holiday::DragonBoat => "端午节",
            Holiday::MidAutumn => "中秋节",
            Holiday::NationalDay => "国庆节",
        }
    }
}

/// One version of the 放假办法: from which day it applies, its basis, and how many days each
/// holiday has where the count is not fixed by the holiday itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HolidayRule {
    /// First year the version governs (each took effect on 1 January).
    pub from_year: i32,
    /// The State Council order that set it.
    pub basis: &'static str,
    /// 春节: whether 除夕 is a holiday, and how many days from 正月初一.
    pub spring_eve: bool,
    pub spring_days_from_first: u8,
    /// 劳动节: days from 1 May.
    pub labour_days: u8,
}

/// The versions in force since 2008, oldest first.
pub const RULES: &[HolidayRule] = &[
    HolidayRule {
        from_year: 2008,
        basis: "国务院令第513号(2007年12月14日)",
        spring_eve: true,
        spring_days_from_first: 2,
        labour_days: 1,
    },
    HolidayRule {
        from_year: 2014,
        basis: "国务院令第644号(2013年12月11日)",
        spring_eve: false,
        spring_days_from_first: 3,
        labour_days: 1,
    },
    HolidayRule {
        from_year: 2025,
        basis: "国务院令第798号(2024年11月10日)",
        spring_eve: true,
        spring_days_from_first: 3,
        labour_days: 2,
    },
];

/// The version of the 放假办法 that governs `year`, if the table reaches back that far.
pub fn rule_for(year: i32) -> Option<&'static HolidayRule> {
    RULES.iter().rev().find(|r| r.from_year <= year)
}

/// The statutory holidays of `year` under the rule in force then, by date; `None` outside
/// [`PROVISIONAL_YEARS`]. Computed once per process for the whole range (a few milliseconds).
pub fn statutory_days(year: i32) -> Option<&'static BTreeMap<Date, Holiday>> {
    static TABLE: OnceLock<Vec<BTreeMap<Date, Holiday>>> = OnceLock::new();
    if !PROVISIONAL_YEARS.contains(&year) {
        return None;
    }
    let table = TABLE.get_or_init(|| PROVISIONAL_YEARS.map(compute).collect());
    table.get(usize::try_from(year - PROVISIONAL_YEARS.start()).ok()?)
}

fn compute(year: i32) -> BTreeMap<Date, Holiday> {
    let Some(rule) = rule_for(year) else { return BTreeMap::new() };
    let mut days = BTreeMap::new();
    let mut add = |d: Date, h: Holiday| {
        days.entry(d).or_insert(h);
    };
    let solar = |month: Month, day: u8| Date::from_calendar_date(year, month, day).ok();
    if let Some(d) = solar(Month::January, 1) {
        add(d, Holiday::NewYear);
    }
    let y = year as isize;
    if let Some(first) = to_date(LunarDay::from_ymd(y, 1, 1).get_solar_day()) {
        if rule.spring_eve {
            if let Some(eve) = first.previous_day() {
                add(eve, Holiday::SpringFestival);
            }
        }
        let mut d = first;
        for _ in 0..rule.spring_days_from_first {
            add(d, Holiday::SpringFestival);
            d = d.next_day().unwrap_or(d);
        }
    }
    if let Some(d) = to_date(SolarTerm::from_name(y, "清明").get_solar_day()) {
        add(d, Holiday::Qingming);
    }
    for k in 0..rule.labour_days {
        if let Some(d) = solar(Month::May, 1 + k) {
            add(d, Holiday::LabourDay);
        }
    }
    if let Some(d) = to_date(LunarDay::from_ymd(y, 5, 5).get_solar_day()) {
        add(d, Holiday::DragonBoat);
    }
    if let Some(d) = to_date(LunarDay::from_ymd(y, 8, 15).get_solar_day()) {
        add(d, Holiday::MidAutumn);
    }
    for k in 1..=3 {
        if let Some(d) = solar(Month::October, k) {
            add(d, Holiday::NationalDay);
        }
    }
    days
}

fn to_date(d: SolarDay) -> Option<Date> {
    let month = Month::try_from(u8::try_from(d.get_month()).ok()?).ok()?;
    Date::from_calendar_date(i32::try_from(d.get_year()).ok()?, month, u8::try_from(d.get_day()).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_798_rule_gives_thirteen_days_in_2027() {
        let days = statutory_days(2027).unwrap();
        assert_eq!(days.len(), 13);
        let spring: Vec<Date> =
            days.iter().filter(|(_, h)| **h == Holiday::SpringFestival).map(|(d, _)| *d).collect();
        // 除夕 2027-02-05, 正月初一 2027-02-06.
        assert_eq!(
            spring,
            vec![date!(2027 - 02 - 05), date!(2027 - 02 - 06), date!(2027 - 02 - 07), date!(2027 - 02 - 08)]
        );
        assert_eq!(days.get(&date!(2027 - 04 - 05)), Some(&Holiday::Qingming));
        assert_eq!(days.get(&date!(2027 - 06 - 09)), Some(&Holiday::DragonBoat));
        assert_eq!(days.get(&date!(2027 - 09 - 15)), Some(&Holiday::MidAutumn));
        assert_eq!(days.get(&date!(2027 - 05 - 02)), Some(&Holiday::LabourDay));
    }

    #[test]
    fn older_rules_apply_to_older_years() {
        assert_eq!(statutory_days(2024).unwrap().len(), 11);
        assert_eq!(statutory_days(2010).unwrap().len(), 11);
        // 2010: 除夕 02-13 was a statutory day under 513号, 正月初三 02-16 was not.
        let d2010 = statutory_days(2010).unwrap();
        assert!(d2010.contains_key(&date!(2010 - 02 - 13)));
        assert!(!d2010.contains_key(&date!(2010 - 02 - 16)));
        assert!(statutory_days(2007).is_none());
        assert!(statutory_days(2100).is_none());
    }

    #[test]
    fn mid_autumn_on_national_day_is_one_day_not_two() {
        // 2028: 中秋 falls on 10-03, inside 国庆; the set holds each day once.
        let days = statutory_days(2028).unwrap();
        assert_eq!(days.len(), 12);
        assert_eq!(days.get(&date!(2028 - 10 - 03)), Some(&Holiday::MidAutumn));
    }
}
