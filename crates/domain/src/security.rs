//! The security policy 安全策略 in force on a day: the password, lockout, address-throttle and
//! idle-timeout numbers, read from the security parameters (which only the security administrator
//! sets, within the 等保 level-3 floors and ceilings of [`ParamKey::bounds`]).

use time::Date;

use crate::params::{ParamKey as K, ParamSet};

/// The numbers sign-in and sessions apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecurityPolicy {
    pub idle_timeout_ms: i64,
    /// Failures within the window that lock an account.
    pub lockout_threshold: i64,
    pub lockout_window_ms: i64,
    pub lockout_duration_ms: i64,
    pub password_min_len: usize,
    /// Failures from one address within its window after which that address may not try again
    /// until the window has passed (the account lockout is not touched).
    pub address_failures: i64,
    pub address_window_ms: i64,
}

impl SecurityPolicy {
    /// The policy of the parameters in force on `day`.
    pub fn from_params(params: &ParamSet, day: Date) -> SecurityPolicy {
        let minutes = |k: K| params.value_on(k, day) * 60_000;
        SecurityPolicy {
            idle_timeout_ms: minutes(K::SessionIdleTimeoutMinutes),
            lockout_threshold: params.value_on(K::LoginLockoutFailures, day),
            lockout_window_ms: minutes(K::LoginLockoutWindowMinutes),
            lockout_duration_ms: minutes(K::LoginLockoutMinutes),
            password_min_len: usize::try_from(params.value_on(K::PasswordMinLength, day)).unwrap_or(8),
            address_failures: params.value_on(K::LoginAddressFailures, day),
            address_window_ms: minutes(K::LoginAddressWindowMinutes),
        }
    }
}

impl Default for SecurityPolicy {
    /// The catalogue defaults (they do not depend on the day).
    fn default() -> Self {
        SecurityPolicy::from_params(&ParamSet::defaults(), crate::params::EPOCH)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn defaults_are_the_level_three_baseline() {
        let p = SecurityPolicy::default();
        assert_eq!((p.lockout_threshold, p.lockout_window_ms, p.lockout_duration_ms), (5, 900_000, 900_000));
        assert_eq!((p.idle_timeout_ms, p.password_min_len), (1_800_000, 8));
        assert_eq!((p.address_failures, p.address_window_ms), (30, 900_000));
    }

    #[test]
    fn an_entry_applies_from_its_day() {
        let mut set = ParamSet::defaults();
        set.set(K::LoginLockoutFailures, date!(2027 - 01 - 01), 3).unwrap();
        assert_eq!(SecurityPolicy::from_params(&set, date!(2026 - 12 - 31)).lockout_threshold, 5);
        assert_eq!(SecurityPolicy::from_params(&set, date!(2027 - 01 - 01)).lockout_threshold, 3);
    }
}
