//! Rule checks on the registry 名录规则提示: a person registered as staff at two institutions for
//! overlapping periods (不得同时在两个以上检验检测机构从业; found by the store, which sees every
//! institution), and a certificate that expires soon with no other certificate of the institution to
//! carry on after it ([`expiring`]).

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month};

use crate::date::{ymd, ymd_opt};
use crate::{Institution, Status};

/// The default look-ahead of [`Flag::ExpiringWithoutRenewal`], in calendar months.
pub const EXPIRY_WARNING_MONTHS: u32 = 3;

/// A rule check that needs an officer's look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Flag {
    /// This person is also registered as staff at `other_uscc` for an overlapping period
    /// [`overlap_from`, `overlap_to`] (`None` = open). Raised on both institutions.
    StaffElsewhere {
        person_id: String,
        name: String,
        other_uscc: String,
        #[serde(with = "ymd")]
        overlap_from: Date,
        #[serde(with = "ymd_opt")]
        overlap_to: Option<Date>,
    },
    /// The certificate expires within the look-ahead and no other certificate of the institution
    /// is in force on the day after it expires.
    ExpiringWithoutRenewal {
        certificate_no: String,
        #[serde(with = "ymd")]
        expires_on: Date,
        days_left: i64,
    },
}

impl Flag {
    /// One sentence for an officer.
    pub fn message_zh(&self) -> String {
        let fmt = crate::date::format;
        match self {
            Flag::StaffElsewhere { person_id, name, other_uscc, overlap_from, overlap_to } => format!(
                "人员 {name}({person_id})同时在机构 {other_uscc} 登记从业({} 至 {}),不得同时在两个以上检验检测机构从业",
                fmt(*overlap_from),
                overlap_to.map_or_else(|| "今".to_owned(), fmt)
            ),
            Flag::ExpiringWithoutRenewal { certificate_no, expires_on, days_left } => format!(
                "资质认定证书 {certificate_no} 将于 {}({days_left} 天后)到期,尚无续期证书",
                fmt(*expires_on)
            ),
        }
    }
}

/// `d` plus `months` calendar months, the day clamped to the month's length (31 Jan + 1 = 28/29 Feb).
pub fn add_months(d: Date, months: u32) -> Date {
    let total = d.year() * 12 + i32::from(u8::from(d.month())) - 1 + months as i32;
    let (y, m) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u8);
    let month = Month::try_from(m).unwrap_or(Month::December);
    let day = d.day().min(month.length(y));
    Date::from_calendar_date(y, month, day).unwrap_or(d)
}

/// Certificates of `inst` expiring in [today, today + months] without a successor: no other
/// certificate of the institution in force on the day after the expiry. Revoked and cancelled
/// certificates are not flagged (they ended anyway).
pub fn expiring(inst: &Institution, today: Date, months: u32) -> Vec<Flag> {
    let horizon = add_months(today, months);
    let mut out = Vec::new();
    for c in &inst.certificates {
        if c.expires_on < today || c.expires_on > horizon {
            continue;
        }
        if matches!(c.status_on(today), Some(Status::Revoked | Status::Cancelled)) {
            continue;
        }
        let after = c.expires_on + Duration::days(1);
        let renewed = inst.certificates.iter().any(|o| o.no != c.no && o.in_force_on(after));
        if !renewed {
            out.push(Flag::ExpiringWithoutRenewal {
                certificate_no: c.no.clone(),
                expires_on: c.expires_on,
                days_left: (c.expires_on - today).whole_days(),
            });
        }
    }
    out
}
