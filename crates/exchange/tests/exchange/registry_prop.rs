//! Proptest round trip: small random valid snapshots survive XLSX → snapshot → XLSX → snapshot.

use lianjian_exchange::{snapshot_from_xlsx, snapshot_to_xlsx, SheetLimits};
use lianjian_registry::{
    validate, Category, Certificate, Institution, Instrument, Person, Restriction, ScopeEntry, Signatory,
    Snapshot, Staff, Status, StatusEntry,
};
use proptest::prelude::*;
use time::macros::date;
use time::Date;

use crate::registry::{canonical, list};
use crate::support::uscc;

fn arb_date() -> impl Strategy<Value = Date> {
    (0i32..20_000).prop_map(|d| date!(1990 - 01 - 01) + time::Duration::days(i64::from(d)))
}

fn arb_period() -> impl Strategy<Value = (Date, Option<Date>)> {
    (arb_date(), proptest::option::of(0i64..4000))
        .prop_map(|(from, len)| (from, len.map(|l| from + time::Duration::days(l))))
}

fn arb_text() -> impl Strategy<Value = String> {
    // Trimmed, non-empty, no list separators: what a cell holds after reading.
    "[A-Za-z0-9\u{4e00}-\u{4e80}][A-Za-z0-9 \u{4e00}-\u{4e80}()-]{0,8}[A-Za-z0-9\u{4e00}-\u{4e80}]"
}

fn arb_category() -> impl Strategy<Value = Category> {
    proptest::sample::select(Category::ALL.to_vec())
}

fn arb_institution(n: usize) -> impl Strategy<Value = Institution> {
    let body = format!("9131011{n:02}MA1G8ABC");
    let cert = (
        "[0-9]{12}",
        proptest::option::of(arb_text()),
        arb_date(),
        0i64..3000,
        proptest::collection::vec((proptest::sample::select(Status::ALL.to_vec()), 0i64..400), 1..4),
        proptest::collection::vec((arb_category(), arb_text(), arb_text(), arb_period()), 0..3),
    )
        .prop_map(|(no, issuer, issued_on, len, statuses, scope)| {
            let mut from = issued_on;
            Certificate {
                no,
                issuer,
                issued_on,
                expires_on: issued_on + time::Duration::days(len),
                status_history: statuses
                    .into_iter()
                    .map(|(status, gap)| {
                        from += time::Duration::days(gap);
                        StatusEntry { status, from }
                    })
                    .collect(),
                scope: scope
                    .into_iter()
                    .map(|(category, parameter, method, (from, to))| ScopeEntry {
                        category,
                        parameter,
                        method,
                        from,
                        to,
                    })
                    .collect(),
            }
        });
    let people = || {
        (
            "P-[0-9]{3}",
            proptest::option::of(arb_text()),
            proptest::collection::btree_set(arb_category(), 1..4),
            arb_period(),
        )
    };
    (
        arb_text(),
        proptest::option::of(arb_text()),
        proptest::collection::vec(cert, 0..3),
        proptest::collection::vec(people(), 0..3),
        proptest::collection::vec((people(), proptest::collection::btree_set("[a-z]{1,6}", 0..3)), 0..3),
        proptest::collection::btree_map("YQ-[0-9]{2}", proptest::option::of(arb_text()), 0..3),
        proptest::collection::vec((arb_period(), proptest::option::of(arb_text())), 0..2),
    )
        .prop_map(move |(name, district, certificates, sigs, staff, instruments, restrictions)| {
            Institution {
                uscc: uscc(&body),
                name,
                district,
                address: None,
                legal_rep: None,
                phone: Some("021-1234".into()),
                certificates,
                signatories: sigs
                    .into_iter()
                    .map(|(id, name, cats, (from, to))| Signatory {
                        person: Person { id, name: name.unwrap_or_default() },
                        categories: cats.into_iter().collect(),
                        from,
                        to,
                    })
                    .collect(),
                staff: staff
                    .into_iter()
                    .map(|((id, name, _, (from, to)), roles)| Staff {
                        person: Person { id, name: name.unwrap_or_default() },
                        roles: roles.into_iter().collect(),
                        from,
                        to,
                    })
                    .collect(),
                instruments: instruments
                    .into_iter()
                    .map(|(id, name)| Instrument { id, name: name.unwrap_or_default() })
                    .collect(),
                restrictions: restrictions
                    .into_iter()
                    .map(|((from, to), basis)| Restriction { from, to, basis: basis.unwrap_or_default() })
                    .collect(),
            }
        })
}

fn arb_snapshot() -> impl Strategy<Value = Snapshot> {
    (arb_institution(1), arb_institution(2), 0usize..3).prop_map(|(a, b, n)| {
        let mut institutions = vec![a, b];
        institutions.truncate(n);
        // Certificate numbers are city-wide: keep them unique across the two.
        let mut seen = std::collections::HashSet::new();
        for i in &mut institutions {
            i.certificates.retain(|c| seen.insert(c.no.clone()));
        }
        Snapshot { institutions }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn random_valid_snapshots_round_trip(s in arb_snapshot()) {
        prop_assume!(validate(&s).is_empty());
        let x = snapshot_to_xlsx(&s).unwrap();
        let back = snapshot_from_xlsx(&x, &SheetLimits::default()).map_err(|p| TestCaseError::fail(list(&p)))?;
        prop_assert_eq!(&back, &canonical(s));
        let again = snapshot_from_xlsx(&snapshot_to_xlsx(&back).unwrap(), &SheetLimits::default()).unwrap();
        prop_assert_eq!(again, back);
    }
}
