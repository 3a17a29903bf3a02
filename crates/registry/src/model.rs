//! Serde types of the registry snapshot (exchange-formats §1).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::Date;

use crate::date::{ymd, ymd_opt};

/// Monitoring category 监测类别: the platform's one category type (exchange-formats §1 writes its
/// codes). A snapshot naming any other category cannot be read: the error gives its line and column.
pub use lianjian_domain::org::Category;

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident => $s:literal),+ $(,)? }) => {
        $(#[$m])*
        ///
        /// A value outside the list is kept as `Other` so that [`crate::validate`] can report it
        /// with its location instead of the import failing on the first one.
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vm])* $v,)+
            /// A code not in the published list.
            Other(String),
        }

        impl $name {
            /// Every known value, in the order of the spec.
            pub const ALL: &'static [$name] = &[$($name::$v),+];

            /// The known value spelled `s`, if any.
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($s => Some($name::$v),)+ _ => None }
            }

            /// The code as written in the exchange formats.
            pub fn as_str(&self) -> &str {
                match self { $($name::$v => $s,)+ $name::Other(s) => s }
            }

            /// Whether this is one of the published codes.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> $name {
                $name::parse(s).unwrap_or_else(|| $name::Other(s.to_owned()))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Ok($name::from(&*s))
            }
        }
    };
}

string_enum! {
    /// Status of a CMA certificate 资质认定证书状态.
    Status {
        /// 有效
        Valid => "valid",
        /// 暂停
        Suspended => "suspended",
        /// 撤销
        Revoked => "revoked",
        /// 注销
        Cancelled => "cancelled",
    }
}

impl Status {
    /// Chinese name for messages.
    pub fn name_zh(&self) -> &str {
        match self {
            Status::Valid => "有效",
            Status::Suspended => "暂停",
            Status::Revoked => "撤销",
            Status::Cancelled => "注销",
            Status::Other(s) => s,
        }
    }
}

/// The registry as of a moment: every inspection/testing institution 检验检测机构 on file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Snapshot {
    pub institutions: Vec<Institution>,
}

/// One institution with its certificates, people, instruments and restrictions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Institution {
    pub uscc: String,
    pub name: String,
    #[serde(default)]
    pub district: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub legal_rep: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub certificates: Vec<Certificate>,
    #[serde(default)]
    pub signatories: Vec<Signatory>,
    #[serde(default)]
    pub staff: Vec<Staff>,
    #[serde(default)]
    pub instruments: Vec<Instrument>,
    #[serde(default)]
    pub restrictions: Vec<Restriction>,
}

/// CMA certificate 资质认定证书 with its status history and capability scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub no: String,
    #[serde(default)]
    pub issuer: Option<String>,
    #[serde(with = "ymd")]
    pub issued_on: Date,
    #[serde(with = "ymd")]
    pub expires_on: Date,
    #[serde(default)]
    pub status_history: Vec<StatusEntry>,
    #[serde(default)]
    pub scope: Vec<ScopeEntry>,
}

/// A status that holds from a day on, until the next entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusEntry {
    pub status: Status,
    #[serde(with = "ymd")]
    pub from: Date,
}

/// Capability scope 能力范围 of a CMA certificate: one (category, parameter, method) for a period.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ScopeEntry {
    pub category: Category,
    pub parameter: String,
    pub method: String,
    #[serde(with = "ymd")]
    pub from: Date,
    #[serde(default, with = "ymd_opt")]
    pub to: Option<Date>,
}

/// A person by city-wide registration number; the name is for display only.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Person {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

/// Authorised signatory 授权签字人, for some categories, for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signatory {
    pub person: Person,
    #[serde(default)]
    pub categories: Vec<Category>,
    #[serde(with = "ymd")]
    pub from: Date,
    #[serde(default, with = "ymd_opt")]
    pub to: Option<Date>,
}

/// Registered staff 在册人员 for a period; roles are informational (`sampler`, `analyst`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staff {
    pub person: Person,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(with = "ymd")]
    pub from: Date,
    #[serde(default, with = "ymd_opt")]
    pub to: Option<Date>,
}

/// Registered instrument 仪器设备.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Instrument {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

/// A restriction 限制 (R10/R11): no enforcement or government work in [from, to] (`to` inclusive,
/// null = open), on the basis of a decision.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Restriction {
    #[serde(with = "ymd")]
    pub from: Date,
    #[serde(default, with = "ymd_opt")]
    pub to: Option<Date>,
    #[serde(default)]
    pub basis: String,
}

/// A snapshot that could not be read at all (not JSON, or a field of the wrong shape).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotError {
    pub line: usize,
    pub column: usize,
    /// The cause, as serde_json gave it.
    pub cause: String,
}

impl SnapshotError {
    /// The reason in Chinese, for a user.
    pub fn reason_zh(&self) -> String {
        format!("名录快照第 {} 行第 {} 列无法读取:{}", self.line, self.column, self.cause)
    }
}

impl std::fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "snapshot unreadable at line {} column {}: {}", self.line, self.column, self.cause)
    }
}

impl std::error::Error for SnapshotError {}

impl Snapshot {
    /// Reads a snapshot. Shape errors stop here; semantic problems are for [`crate::validate`].
    pub fn from_json(s: &str) -> Result<Snapshot, SnapshotError> {
        serde_json::from_str(s).map_err(|e| SnapshotError {
            line: e.line(),
            column: e.column(),
            cause: e.to_string(),
        })
    }

    /// Sorts everything into the canonical order (see the crate docs).
    pub fn canonicalize(&mut self) {
        for inst in &mut self.institutions {
            inst.certificates.sort_by(|a, b| a.no.cmp(&b.no));
            for c in &mut inst.certificates {
                c.scope.sort();
            }
            for s in &mut inst.signatories {
                s.categories.sort();
            }
            inst.signatories.sort_by(|a, b| {
                (&a.person, a.from, a.to, &a.categories).cmp(&(&b.person, b.from, b.to, &b.categories))
            });
            for s in &mut inst.staff {
                s.roles.sort();
            }
            inst.staff.sort_by(|a, b| {
                (&a.person, a.from, a.to, &a.roles).cmp(&(&b.person, b.from, b.to, &b.roles))
            });
            inst.instruments.sort();
            inst.restrictions.sort();
        }
        self.institutions.sort_by(|a, b| a.uscc.cmp(&b.uscc));
    }

    /// Canonical export: sorted, pretty-printed, newline-terminated.
    pub fn to_canonical_json(&self) -> String {
        let mut s = self.clone();
        s.canonicalize();
        let mut out = serde_json::to_string_pretty(&s).unwrap_or_default();
        out.push('\n');
        out
    }

    /// The institution with this USCC (linear; build a map for repeated look-ups).
    pub fn institution(&self, uscc: &str) -> Option<&Institution> {
        self.institutions.iter().find(|i| i.uscc == uscc)
    }
}

impl Institution {
    /// The top-level fields that differ from `new`, in the order of the spec (`name`, `district`,
    /// `address`, `legal_rep`, `phone`, then the lists `certificates` … `restrictions`): what an
    /// import preview shows and an update's audit entry records.
    pub fn changed_fields(&self, new: &Institution) -> Vec<&'static str> {
        let old = self;
        [
            ("name", old.name != new.name),
            ("district", old.district != new.district),
            ("address", old.address != new.address),
            ("legal_rep", old.legal_rep != new.legal_rep),
            ("phone", old.phone != new.phone),
            ("certificates", old.certificates != new.certificates),
            ("signatories", old.signatories != new.signatories),
            ("staff", old.staff != new.staff),
            ("instruments", old.instruments != new.instruments),
            ("restrictions", old.restrictions != new.restrictions),
        ]
        .into_iter()
        .filter_map(|(name, differs)| differs.then_some(name))
        .collect()
    }
}
