//! As-of queries, exactly as exchange-formats §1 defines them. Every period is closed:
//! `from ≤ D ≤ to`, with `to = null` open-ended.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::model::{Category, Certificate, Institution, Restriction, ScopeEntry, Status};

fn within(d: Date, from: Date, to: Option<Date>) -> bool {
    from <= d && to.is_none_or(|t| d <= t)
}

impl Certificate {
    /// The status of the last `status_history` entry with `from ≤ d` (array order, as the spec
    /// says "last entry"); `None` before the first entry. Ignores issue and expiry dates: see
    /// [`Certificate::in_force_on`].
    pub fn status_on(&self, d: Date) -> Option<&Status> {
        self.status_history.iter().rev().find(|e| e.from <= d).map(|e| &e.status)
    }

    /// In force on `d`: `issued_on ≤ d ≤ expires_on` and the status on `d` is `valid`.
    pub fn in_force_on(&self, d: Date) -> bool {
        self.issued_on <= d && d <= self.expires_on && self.status_on(d) == Some(&Status::Valid)
    }

    /// Where the certificate stands on `d`, for messages and [`Standing`].
    pub fn state_on(&self, d: Date) -> CertificateState {
        if d < self.issued_on {
            CertificateState::NotYetIssued
        } else if d > self.expires_on {
            CertificateState::Expired
        } else {
            match self.status_on(d) {
                Some(s) => CertificateState::Status(s.clone()),
                None => CertificateState::NoStatus,
            }
        }
    }

    /// Whether the scope covers (category, parameter, method) on `d`. Methods compare after
    /// [`crate::normalize_code`]; category and parameter compare exactly.
    pub fn covers(&self, category: &Category, parameter: &str, method: &str, d: Date) -> bool {
        let m = crate::normalize_code(method);
        self.scope.iter().any(|s| {
            s.category == *category
                && s.parameter == parameter
                && s.covers(d)
                && crate::normalize_code(&s.method) == m
        })
    }
}

impl ScopeEntry {
    /// `from ≤ d ≤ to` (`to` null = open).
    pub fn covers(&self, d: Date) -> bool {
        within(d, self.from, self.to)
    }
}

impl Institution {
    /// The certificate with this number, if it is this institution's.
    pub fn certificate(&self, no: &str) -> Option<&Certificate> {
        self.certificates.iter().find(|c| c.no == no)
    }

    /// Authorised signatory for `category` on `d`: some signatory entry of this person in force on
    /// `d` lists the category.
    pub fn is_signatory_for(&self, person_id: &str, category: &Category, d: Date) -> bool {
        self.signatories
            .iter()
            .any(|s| s.person.id == person_id && within(d, s.from, s.to) && s.categories.contains(category))
    }

    /// Authorised signatory on `d` for at least one category.
    pub fn is_signatory_on(&self, person_id: &str, d: Date) -> bool {
        self.signatories.iter().any(|s| s.person.id == person_id && within(d, s.from, s.to))
    }

    /// Registered staff on `d`, whatever the roles.
    pub fn is_staff_on(&self, person_id: &str, d: Date) -> bool {
        self.staff.iter().any(|s| s.person.id == person_id && within(d, s.from, s.to))
    }

    /// The first restriction (in array order) in force on `d`, `to` inclusive.
    pub fn restriction_on(&self, d: Date) -> Option<&Restriction> {
        self.restrictions.iter().find(|r| within(d, r.from, r.to))
    }

    /// Whether an instrument with this id is registered.
    pub fn has_instrument(&self, id: &str) -> bool {
        self.instruments.iter().any(|i| i.id == id)
    }

    /// The institution's standing on `d`.
    pub fn standing(&self, d: Date) -> Standing {
        let certificates: Vec<CertificateStanding> = self
            .certificates
            .iter()
            .map(|c| CertificateStanding {
                no: c.no.clone(),
                state: c.state_on(d),
                in_force: c.in_force_on(d),
            })
            .collect();
        let restriction = self.restriction_on(d);
        Standing {
            uscc: self.uscc.clone(),
            on: d,
            certificate_in_force: certificates.iter().any(|c| c.in_force),
            certificates,
            restricted: restriction.is_some(),
            restriction_basis: restriction.map(|r| r.basis.clone()),
        }
    }
}

/// A certificate's state on a day: its status, or that the day is outside its validity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateState {
    Status(Status),
    /// The day is after `expires_on`.
    Expired,
    /// The day is before `issued_on`.
    NotYetIssued,
    /// Inside validity but before the first status entry.
    NoStatus,
}

impl CertificateState {
    /// `valid`, `suspended`, …, `expired`, `not_yet_issued` or `no_status`.
    pub fn as_str(&self) -> &str {
        match self {
            CertificateState::Status(s) => s.as_str(),
            CertificateState::Expired => "expired",
            CertificateState::NotYetIssued => "not_yet_issued",
            CertificateState::NoStatus => "no_status",
        }
    }

    /// Chinese, for messages.
    pub fn name_zh(&self) -> &str {
        match self {
            CertificateState::Status(s) => s.name_zh(),
            CertificateState::Expired => "已过有效期",
            CertificateState::NotYetIssued => "尚未发证",
            CertificateState::NoStatus => "无状态记录",
        }
    }
}

impl Serialize for CertificateState {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CertificateState {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Ok(match &*s {
            "expired" => CertificateState::Expired,
            "not_yet_issued" => CertificateState::NotYetIssued,
            "no_status" => CertificateState::NoStatus,
            other => CertificateState::Status(Status::from(other)),
        })
    }
}

/// One certificate in a [`Standing`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateStanding {
    pub no: String,
    #[serde(rename = "status")]
    pub state: CertificateState,
    pub in_force: bool,
}

/// An institution's standing 机构状态 on a day: for the web page and the CLI `standing` command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    pub uscc: String,
    #[serde(with = "crate::date::ymd")]
    pub on: Date,
    /// At least one certificate is in force.
    pub certificate_in_force: bool,
    pub certificates: Vec<CertificateStanding>,
    pub restricted: bool,
    pub restriction_basis: Option<String>,
}
