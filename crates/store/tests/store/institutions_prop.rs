//! "Certificate in force on D" is stated once, in Rust (`lianjian_registry::Certificate::in_force_on`
//! and `state_on`); the directory answers its filters in SQL (`status_on` in
//! `store::institutions::query`). This property test holds the SQL to the Rust over generated
//! registries — status histories with repeated and out-of-validity dates, every status, expiries —
//! on the days where the answer can change (each date of a history, the day before it) and on
//! random days, for every certificate filter and for "who may test X by Y on D".

use std::collections::BTreeSet;

use lianjian_app::institutions::ImportOutcome;
use lianjian_app::App;
use lianjian_registry::{
    normalize_code, Category, Certificate, CertificateState, Institution, ScopeEntry, Snapshot, Status,
    StatusEntry,
};
use lianjian_store::audit::Actor;
use lianjian_store::institutions::{gen, CertificateFilter, DirectoryFilter};
use lianjian_store::{testing, Store};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use time::{Date, Duration};

/// Days are offsets from this one.
fn epoch() -> Date {
    Date::from_calendar_date(2020, time::Month::January, 1).unwrap()
}

fn day(offset: i64) -> Date {
    epoch() + Duration::days(offset)
}

const STATUSES: [Status; 4] = [Status::Valid, Status::Suspended, Status::Revoked, Status::Cancelled];
const METHODS: [&str; 2] = ["HJ 828-2017", "HJ\u{3000}828－2017"];

/// A generated certificate, in day offsets: issued, expires, its history (status index, from) and
/// its scope (method index, from, to).
#[derive(Debug, Clone)]
struct GenCert {
    issued: i64,
    expires: i64,
    history: Vec<(usize, i64)>,
    scope: Vec<(usize, i64, Option<i64>)>,
}

/// A certificate: issued on a day, valid for some days, a history of 1–4 statuses from days around
/// its validity (non-decreasing, repeats allowed), 0–2 scope entries.
fn arb_certificate() -> impl Strategy<Value = GenCert> {
    (0i64..2500, 0i64..2500).prop_flat_map(|(issued, len)| {
        let history = prop::collection::vec((0usize..4, -200i64..len + 200), 1..5).prop_map(move |mut h| {
            h.sort_by_key(|e| e.1);
            h.into_iter().map(|(s, d)| (s, issued + d)).collect::<Vec<_>>()
        });
        let scope =
            prop::collection::vec((0usize..2, -100i64..len + 100, prop::option::of(0i64..1500)), 0..3)
                .prop_map(move |v| {
                    v.into_iter()
                        .map(|(m, from, to)| (m, issued + from, to.map(|t| issued + from + t)))
                        .collect()
                });
        (history, scope).prop_map(move |(history, scope)| GenCert {
            issued,
            expires: issued + len,
            history,
            scope,
        })
    })
}

fn arb_registry() -> impl Strategy<Value = Vec<Vec<GenCert>>> {
    prop::collection::vec(prop::collection::vec(arb_certificate(), 1..3), 1..5)
}

/// The registry of case `case`: its institutions' USCCs all start with [`prefix`]`(case)`.
fn snapshot(case: usize, registry: &[Vec<GenCert>]) -> Snapshot {
    let institutions = registry
        .iter()
        .enumerate()
        .map(|(i, certs)| Institution {
            uscc: gen::uscc_for(case * 100 + i),
            name: format!("机构{case}-{i}"),
            district: None,
            address: None,
            legal_rep: None,
            phone: None,
            certificates: certs
                .iter()
                .enumerate()
                .map(|(k, GenCert { issued, expires, history, scope })| Certificate {
                    no: format!("P{case:05}{i:02}{k}"),
                    issuer: None,
                    issued_on: day(*issued),
                    expires_on: day(*expires),
                    status_history: history
                        .iter()
                        .map(|(s, d)| StatusEntry { status: STATUSES[*s].clone(), from: day(*d) })
                        .collect(),
                    scope: scope
                        .iter()
                        .map(|(m, from, to)| ScopeEntry {
                            category: Category::Water,
                            parameter: "化学需氧量".into(),
                            method: METHODS[*m].into(),
                            from: day(*from),
                            to: to.map(day),
                        })
                        .collect(),
                })
                .collect(),
            signatories: Vec::new(),
            staff: Vec::new(),
            instruments: Vec::new(),
            restrictions: Vec::new(),
        })
        .collect();
    Snapshot { institutions }
}

fn prefix(case: usize) -> String {
    gen::uscc_for(case * 100)[..15].to_owned()
}

/// The USCCs the Rust definition selects on `d`.
fn by_rust(s: &Snapshot, pick: impl Fn(&Certificate) -> bool) -> BTreeSet<String> {
    s.institutions.iter().filter(|i| i.certificates.iter().any(&pick)).map(|i| i.uscc.clone()).collect()
}

async fn by_sql(store: &Store, case: usize, filter: DirectoryFilter) -> BTreeSet<String> {
    let filter = DirectoryFilter { uscc_prefix: Some(prefix(case)), ..filter };
    let (rows, total) = store.directory(&filter, 1000, 0).await.unwrap();
    assert_eq!(rows.len() as i64, total);
    rows.into_iter().map(|r| r.uscc).collect()
}

async fn check_case(
    store: &Store,
    case: usize,
    snap: &Snapshot,
    random_days: &[i64],
) -> Result<(), TestCaseError> {
    let outcome = App::new(store.clone()).import_registry(&Actor::system("prop"), snap, None).await.unwrap();
    prop_assert!(matches!(outcome, ImportOutcome::Applied(_)), "{outcome:?}");
    let mut days: BTreeSet<Date> = random_days.iter().map(|d| day(*d)).collect();
    for c in snap.institutions.iter().flat_map(|i| &i.certificates) {
        let edges = [c.issued_on, c.expires_on + Duration::days(1)];
        for d in edges.into_iter().chain(c.status_history.iter().map(|e| e.from)) {
            days.extend([d - Duration::days(1), d]);
        }
    }
    let statuses = STATUSES.iter().cloned().map(CertificateFilter::Status);
    let filters: Vec<CertificateFilter> =
        [CertificateFilter::InForce, CertificateFilter::Expired].into_iter().chain(statuses).collect();
    for d in days {
        for which in &filters {
            let rust = by_rust(snap, |c| match which {
                CertificateFilter::InForce => c.in_force_on(d),
                CertificateFilter::Status(s) => c.state_on(d) == CertificateState::Status(s.clone()),
                CertificateFilter::Expired => c.state_on(d) == CertificateState::Expired,
            });
            let f = DirectoryFilter {
                certificate_status_on: Some((which.clone(), d)),
                ..DirectoryFilter::default()
            };
            let sql = by_sql(store, case, f).await;
            prop_assert_eq!(&sql, &rust, "{:?} on {}", which, d);
        }
        let method = METHODS[0];
        let rust = by_rust(snap, |c| {
            c.in_force_on(d)
                && c.scope.iter().any(|s| s.covers(d) && normalize_code(&s.method) == normalize_code(method))
        });
        let f = DirectoryFilter {
            can_test: Some(("化学需氧量".into(), method.into(), d)),
            ..DirectoryFilter::default()
        };
        prop_assert_eq!(&by_sql(store, case, f).await, &rust, "can_test on {}", d);
    }
    Ok(())
}

#[test]
fn the_directory_s_sql_agrees_with_the_registry_s_definition_of_in_force_on_every_day() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let db = rt.block_on(testing::fresh()).unwrap();
    let cases = if testing::base_url().is_some() { 24 } else { 48 };
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let case = std::sync::atomic::AtomicUsize::new(0);
    let strategy = (arb_registry(), prop::collection::vec(-300i64..5500, 4));
    runner
        .run(&strategy, |(registry, random_days)| {
            let case = case.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            let snap = snapshot(case, &registry);
            rt.block_on(check_case(&db.store, case, &snap, &random_days))
        })
        .unwrap();
}
