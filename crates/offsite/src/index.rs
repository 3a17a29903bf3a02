//! The registry and method table compiled for look-ups at line rate: hash maps keyed by the
//! strings reports carry, periods as day numbers. Same definitions as `lianjian-registry`
//! (closed periods, `to` null = open; in force = inside validity and last status entry `valid`).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use lianjian_registry::{normalize_code, Category, MethodTable, Snapshot, Status};

pub(crate) type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
pub(crate) type Set<K> = HashSet<K, foldhash::fast::RandomState>;

pub(crate) fn day(d: time::Date) -> i32 {
    d.to_julian_day() - 2_440_588
}

fn within(d: i32, from: i32, to: Option<i32>) -> bool {
    from <= d && to.is_none_or(|t| d <= t)
}

/// A method code in comparable form, borrowed when it already is (plain printable ASCII, single
/// spaces, no leading or trailing space).
pub(crate) fn norm_code(s: &str) -> Cow<'_, str> {
    let b = s.as_bytes();
    let plain = !b.is_empty()
        && b[0] != b' '
        && b[b.len() - 1] != b' '
        && b.iter().all(|&c| (b' '..=b'~').contains(&c))
        && !b.windows(2).any(|w| w == b"  ");
    if plain {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(normalize_code(s))
    }
}

pub(crate) struct ScopeIx {
    pub category: Category,
    pub method: String,
    pub from: i32,
    pub to: Option<i32>,
}

pub(crate) struct CertIx {
    pub issued: i32,
    pub expires: i32,
    pub history: Vec<(i32, Status)>,
    /// parameter → entries
    pub scope: Map<String, Vec<ScopeIx>>,
}

/// Where a certificate stands on a day.
pub(crate) enum CertState<'a> {
    NotYetIssued,
    Expired,
    NoStatus,
    Status(&'a Status),
}

impl CertState<'_> {
    pub fn code(&self) -> &str {
        match self {
            CertState::NotYetIssued => "not_yet_issued",
            CertState::Expired => "expired",
            CertState::NoStatus => "no_status",
            CertState::Status(s) => s.as_str(),
        }
    }

    pub fn zh(&self) -> &str {
        match self {
            CertState::NotYetIssued => "尚未发证",
            CertState::Expired => "已过有效期",
            CertState::NoStatus => "无状态记录",
            CertState::Status(s) => s.name_zh(),
        }
    }
}

impl CertIx {
    pub fn state(&self, d: i32) -> CertState<'_> {
        if d < self.issued {
            CertState::NotYetIssued
        } else if d > self.expires {
            CertState::Expired
        } else {
            match self.history.iter().rev().find(|(f, _)| *f <= d) {
                Some((_, s)) => CertState::Status(s),
                None => CertState::NoStatus,
            }
        }
    }

    pub fn in_force(&self, d: i32) -> bool {
        matches!(self.state(d), CertState::Status(Status::Valid))
    }

    pub fn covers(&self, category: &Category, parameter: &str, method_norm: &str, d: i32) -> bool {
        self.scope.get(parameter).is_some_and(|v| {
            v.iter().any(|s| s.category == *category && s.method == method_norm && within(d, s.from, s.to))
        })
    }
}

/// (from, to, categories) of one signatory entry.
pub(crate) type SignatoryPeriod = (i32, Option<i32>, Vec<Category>);

pub(crate) struct InstIx {
    /// Position in the snapshot, for deterministic ordering of statistics.
    pub ord: u32,
    pub certs: Map<String, CertIx>,
    pub staff: Map<String, Vec<(i32, Option<i32>)>>,
    pub signatories: Map<String, Vec<SignatoryPeriod>>,
    pub instruments: Set<String>,
    pub restrictions: Vec<(i32, Option<i32>, String)>,
}

impl InstIx {
    pub fn is_staff(&self, person: &str, d: i32) -> bool {
        self.staff.get(person).is_some_and(|v| v.iter().any(|(f, t)| within(d, *f, *t)))
    }

    /// `None`: not a signatory on `d` at all; `Some(missing)`: the categories not authorised.
    pub fn signatory_missing(&self, person: &str, cats: &[&Category], d: i32) -> Option<Vec<Category>> {
        let entries: Vec<&Vec<Category>> = self
            .signatories
            .get(person)?
            .iter()
            .filter(|(f, t, _)| within(d, *f, *t))
            .map(|(_, _, c)| c)
            .collect();
        if entries.is_empty() {
            return None;
        }
        Some(cats.iter().filter(|c| !entries.iter().any(|e| e.contains(c))).map(|c| (*c).clone()).collect())
    }

    pub fn restriction(&self, d: i32) -> Option<&(i32, Option<i32>, String)> {
        self.restrictions.iter().find(|(f, t, _)| within(d, *f, *t))
    }
}

pub(crate) struct MethodIx {
    pub code: String,
    pub effective: Option<i32>,
    pub abolished: Option<i32>,
}

pub(crate) struct Index {
    pub insts: Map<String, InstIx>,
    pub methods: Map<String, MethodIx>,
}

impl Index {
    pub fn new(snapshot: &Snapshot, methods: &MethodTable) -> Index {
        let mut insts = Map::default();
        for (ord, i) in snapshot.institutions.iter().enumerate() {
            let mut certs = Map::default();
            for c in &i.certificates {
                let mut scope: Map<String, Vec<ScopeIx>> = Map::default();
                for s in &c.scope {
                    scope.entry(s.parameter.clone()).or_default().push(ScopeIx {
                        category: s.category.clone(),
                        method: normalize_code(&s.method),
                        from: day(s.from),
                        to: s.to.map(day),
                    });
                }
                certs.insert(
                    c.no.clone(),
                    CertIx {
                        issued: day(c.issued_on),
                        expires: day(c.expires_on),
                        history: c.status_history.iter().map(|e| (day(e.from), e.status.clone())).collect(),
                        scope,
                    },
                );
            }
            let mut staff: Map<String, Vec<(i32, Option<i32>)>> = Map::default();
            for s in &i.staff {
                staff.entry(s.person.id.clone()).or_default().push((day(s.from), s.to.map(day)));
            }
            let mut signatories: Map<String, Vec<_>> = Map::default();
            for s in &i.signatories {
                signatories.entry(s.person.id.clone()).or_default().push((
                    day(s.from),
                    s.to.map(day),
                    s.categories.clone(),
                ));
            }
            // The first institution with a USCC wins; duplicates are a registry validation problem.
            insts.entry(i.uscc.clone()).or_insert(InstIx {
                ord: ord as u32,
                certs,
                staff,
                signatories,
                instruments: i.instruments.iter().map(|x| x.id.clone()).collect(),
                restrictions: i
                    .restrictions
                    .iter()
                    .map(|r| (day(r.from), r.to.map(day), r.basis.clone()))
                    .collect(),
            });
        }
        let methods = methods
            .iter()
            .map(|m| {
                (
                    normalize_code(&m.code),
                    MethodIx {
                        code: m.code.clone(),
                        effective: m.effective.map(day),
                        abolished: m.abolished.map(day),
                    },
                )
            })
            .collect();
        Index { insts, methods }
    }
}
