//! The platform's one clock 时钟: every "now" and every "today" is read from it.
//!
//! Production reads the system clock and nothing a user sends can move it. Tests and the demo start
//! it on a chosen day ([`Clock::starting_on`]) so that nothing depends on the day a test happens to
//! run — the year-end failures of December 2026 came from code that read the system clock directly.
//! A started clock keeps running (sessions expire, jobs are scheduled), shifted by a fixed amount.

use time::{Date, Duration, OffsetDateTime, Time};

use crate::calendar::{cst_today, CST};

/// A clock: the system clock, possibly shifted by a fixed amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Clock {
    shift: Duration,
}

impl Clock {
    /// The system clock, unshifted: what `serve` always uses.
    pub const fn system() -> Clock {
        Clock { shift: Duration::ZERO }
    }

    /// The system clock shifted so that it reads `day` (China Standard Time) now, at the current time
    /// of day; from then on it runs as the system clock does.
    pub fn starting_on(day: Date) -> Clock {
        let real = OffsetDateTime::now_utc().to_offset(CST);
        let wanted = real.replace_date(day);
        Clock { shift: wanted - real }
    }

    /// The system clock shifted so that it reads `instant` now.
    pub fn starting_at(instant: OffsetDateTime) -> Clock {
        Clock { shift: instant - OffsetDateTime::now_utc() }
    }

    /// Whether this clock differs from the system clock (tests and the demo only).
    pub fn is_shifted(&self) -> bool {
        !self.shift.is_zero()
    }

    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + self.shift
    }

    /// Milliseconds since the Unix epoch, the storage form of every instant.
    pub fn now_ms(&self) -> i64 {
        (self.now().unix_timestamp_nanos() / 1_000_000) as i64
    }

    /// Today in China Standard Time.
    pub fn today(&self) -> Date {
        cst_today(self.now())
    }

    /// Midnight China Standard Time at the start of `day`, as Unix milliseconds.
    pub fn day_start_ms(day: Date) -> i64 {
        (day.with_time(Time::MIDNIGHT).assume_offset(CST).unix_timestamp_nanos() / 1_000_000) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_started_clock_reads_its_day_and_keeps_running() {
        // A day other than the one the test runs on, whatever that is (CI also runs on a faked clock).
        let day = Clock::system().today() + Duration::days(400);
        let clock = Clock::starting_on(day);
        assert_eq!(clock.today(), day);
        assert!(clock.is_shifted());
        let a = clock.now_ms();
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert!(clock.now_ms() > a);
    }

    #[test]
    fn the_system_clock_is_not_shifted() {
        assert!(!Clock::system().is_shifted());
        assert_eq!(Clock::system().today(), cst_today(OffsetDateTime::now_utc()));
    }

    #[test]
    fn day_start_is_cst_midnight() {
        assert_eq!(Clock::day_start_ms(date!(1970 - 01 - 01)), -8 * 3_600_000);
    }
}
