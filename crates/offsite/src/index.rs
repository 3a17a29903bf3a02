//! The registry and method table compiled for look-ups at line rate: hash maps keyed by the
//! strings reports carry, periods as day numbers. Same definitions as `lianjian-registry`
//! (closed periods, `to` null = open; in force = inside validity and last status entry `valid`).

use std::borrow::Cow;
use std::collections::HashMap;

use lianjian_registry::{normalize_code, Category, MethodTable, Snapshot, Status};

pub(crate) type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// A name reports refer to — institution, certificate, person, parameter, method, instrument — as
/// a hash-map key. Report strings (`&str`) look themselves up directly: the key comparison is
/// [`same_bytes`], inline, rather than a `memcmp` call per look-up (several per result row).
/// (The derived `Hash` hashes the one field, so a `Name` hashes exactly as its `str` does.)
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct Name(Box<str>);

impl std::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Name {
    fn from(s: &str) -> Name {
        Name(s.into())
    }
}

/// A `&str` finds its `Name` (it hashes as the name does).
impl hashbrown::Equivalent<Name> for str {
    #[inline(always)]
    fn equivalent(&self, key: &Name) -> bool {
        same_bytes(self.as_bytes(), key.0.as_bytes())
    }
}

/// Byte equality without a library call: names are short (a few to a few dozen bytes), where
/// the call and its set-up cost more than the comparison.
#[inline(always)]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], i: usize| {
        s.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()).map(u64::from_le_bytes)
    };
    if n < 8 {
        return a.iter().zip(b).fold(true, |eq, (x, y)| eq & (x == y));
    }
    let mut i = 0;
    while i + 8 < n {
        if word(a, i) != word(b, i) {
            return false;
        }
        i += 8;
    }
    // The last eight bytes (overlapping the words before when n is not a multiple of eight).
    word(a, n - 8) == word(b, n - 8)
}

pub(crate) type NameMap<V> = hashbrown::HashMap<Name, V, foldhash::fast::RandomState>;
pub(crate) type NameSet = hashbrown::HashSet<Name, foldhash::fast::RandomState>;

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
    /// parameter number ([`Index::params`]) → entries
    pub scope: Vec<Vec<ScopeIx>>,
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

    /// Whether the scope covers (category, parameter, method) on `d`; `param` is the parameter's
    /// number, `None` for a parameter in no scope at all.
    pub fn covers(&self, category: &Category, param: Option<u32>, method_norm: &str, d: i32) -> bool {
        param.and_then(|p| self.scope.get(p as usize)).is_some_and(|v| {
            v.iter().any(|s| {
                s.category == *category
                    && same_bytes(s.method.as_bytes(), method_norm.as_bytes())
                    && within(d, s.from, s.to)
            })
        })
    }
}

/// (from, to, categories) of one signatory entry.
pub(crate) type SignatoryPeriod = (i32, Option<i32>, Vec<Category>);

/// A staff member: their number among all registry people ([`Index::persons`]) and periods.
pub(crate) struct StaffIx {
    pub person: u32,
    pub periods: Vec<(i32, Option<i32>)>,
}

pub(crate) struct InstIx {
    /// Position in the snapshot, for deterministic ordering of statistics.
    pub ord: u32,
    pub certs: NameMap<CertIx>,
    pub staff: NameMap<StaffIx>,
    pub signatories: NameMap<Vec<SignatoryPeriod>>,
    pub instruments: NameSet,
    pub restrictions: Vec<(i32, Option<i32>, String)>,
}

impl InstIx {
    pub fn is_staff(&self, person: &str, d: i32) -> bool {
        self.staff.get(person).is_some_and(|s| s.on(d))
    }

    /// Whether a signatory entry covers every category on `d`: `None` when the person is not a
    /// signatory on `d` at all (the allocation-free question behind [`InstIx::signatory_missing`]).
    pub fn signatory_covers(&self, person: &str, cats: &[&Category], d: i32) -> Option<bool> {
        let entries = self.signatories.get(person)?;
        if !entries.iter().any(|(f, t, _)| within(d, *f, *t)) {
            return None;
        }
        Some(cats.iter().all(|c| entries.iter().any(|(f, t, cs)| within(d, *f, *t) && cs.contains(c))))
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
        Some(cats.iter().filter(|c| !entries.iter().any(|e| e.contains(c))).map(|c| **c).collect())
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

impl StaffIx {
    pub fn on(&self, d: i32) -> bool {
        self.periods.iter().any(|(f, t)| within(d, *f, *t))
    }
}

pub(crate) struct Index {
    pub insts: NameMap<InstIx>,
    pub methods: NameMap<MethodIx>,
    /// Every parameter named in a certificate scope, numbered (scopes and statistics by number).
    pub params: NameMap<u32>,
    pub param_names: Vec<String>,
    /// Every staff member's id across the registry, numbered (the cross-report index by number).
    pub persons: NameMap<u32>,
}

impl Index {
    pub fn new(snapshot: &Snapshot, methods: &MethodTable) -> Index {
        let mut params: NameMap<u32> = NameMap::default();
        let mut param_names = Vec::new();
        let mut persons: NameMap<u32> = NameMap::default();
        for i in &snapshot.institutions {
            for s in i.certificates.iter().flat_map(|c| &c.scope) {
                if !params.contains_key(s.parameter.as_str()) {
                    params.insert(Name::from(s.parameter.as_str()), param_names.len() as u32);
                    param_names.push(s.parameter.clone());
                }
            }
            for s in &i.staff {
                let n = persons.len() as u32;
                persons.entry(Name::from(s.person.id.as_str())).or_insert(n);
            }
        }
        let mut insts = NameMap::default();
        for (ord, i) in snapshot.institutions.iter().enumerate() {
            let mut certs = NameMap::default();
            for c in &i.certificates {
                let mut scope: Vec<Vec<ScopeIx>> = Vec::new();
                scope.resize_with(param_names.len(), Vec::new);
                for s in &c.scope {
                    let Some(v) = params.get(s.parameter.as_str()).and_then(|&p| scope.get_mut(p as usize))
                    else {
                        continue;
                    };
                    v.push(ScopeIx {
                        category: s.category,
                        method: normalize_code(&s.method),
                        from: day(s.from),
                        to: s.to.map(day),
                    });
                }
                certs.insert(
                    Name::from(c.no.as_str()),
                    CertIx {
                        issued: day(c.issued_on),
                        expires: day(c.expires_on),
                        history: c.status_history.iter().map(|e| (day(e.from), e.status.clone())).collect(),
                        scope,
                    },
                );
            }
            let mut staff: NameMap<StaffIx> = NameMap::default();
            for s in &i.staff {
                let person = persons.get(s.person.id.as_str()).copied().unwrap_or(u32::MAX);
                staff
                    .entry(Name::from(s.person.id.as_str()))
                    .or_insert_with(|| StaffIx { person, periods: Vec::new() })
                    .periods
                    .push((day(s.from), s.to.map(day)));
            }
            let mut signatories: NameMap<Vec<_>> = NameMap::default();
            for s in &i.signatories {
                signatories.entry(Name::from(s.person.id.as_str())).or_default().push((
                    day(s.from),
                    s.to.map(day),
                    s.categories.clone(),
                ));
            }
            // The first institution with a USCC wins; duplicates are a registry validation problem.
            insts.entry(Name::from(i.uscc.as_str())).or_insert(InstIx {
                ord: ord as u32,
                certs,
                staff,
                signatories,
                instruments: i.instruments.iter().map(|x| Name::from(x.id.as_str())).collect(),
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
                    Name::from(normalize_code(&m.code).as_str()),
                    MethodIx {
                        code: m.code.clone(),
                        effective: m.effective.map(day),
                        abolished: m.abolished.map(day),
                    },
                )
            })
            .collect();
        Index { insts, methods, params, param_names, persons }
    }
}

#[cfg(test)]
mod tests {
    use super::same_bytes;

    #[test]
    fn same_bytes_is_slice_equality() {
        let base: Vec<u8> = "化学需氧量 HJ 828-2017 YQ-019-3 P-019007".bytes().collect();
        for n in 0..base.len() {
            let a = &base[..n];
            assert!(same_bytes(a, a), "{n}");
            assert!(!same_bytes(a, &base[..n + 1]), "{n} vs {}", n + 1);
            for i in 0..n {
                let mut b = a.to_vec();
                b[i] ^= 0x20;
                assert_eq!(same_bytes(a, &b), a == &b[..], "length {n}, byte {i} differs");
            }
        }
    }
}
