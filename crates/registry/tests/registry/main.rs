//! Integration tests of the registry model: as-of queries on the §1 example, validation listing
//! every problem, the method table, and the export → import → export round-trip.

use lianjian_registry::{
    date, normalize_code, validate, Category, CertificateState, MethodCheck, MethodTable, Snapshot, Status,
};
use proptest::prelude::*;

fn d(s: &str) -> time::Date {
    date::parse(s).unwrap()
}

const EXAMPLE: &str = r#"{ "institutions": [ {
    "uscc": "91110000600037341L", "name": "上海某某检测技术有限公司", "district": "宝山区",
    "address": "某路 1 号", "legal_rep": "某某", "phone": "021-00000000",
    "certificates": [ {
        "no": "201912345678", "issuer": "上海市市场监督管理局",
        "issued_on": "2019-05-10", "expires_on": "2025-05-09",
        "status_history": [ {"status": "valid", "from": "2019-05-10"}, {"status": "suspended", "from": "2024-08-01"} ],
        "scope": [ {"category": "water", "parameter": "化学需氧量", "method": "HJ 828-2017",
                    "from": "2019-05-10", "to": null} ] } ],
    "signatories": [ {"person": {"id": "P-000123", "name": "张三"}, "categories": ["water", "air"],
                      "from": "2019-05-10", "to": null} ],
    "staff": [ {"person": {"id": "P-000124", "name": "李四"}, "roles": ["sampler", "analyst"],
                "from": "2020-01-01", "to": "2024-12-31"} ],
    "instruments": [ {"id": "BSJC-YQ-017", "name": "紫外可见分光光度计"} ],
    "restrictions": [ {"from": "2025-01-10", "to": "2026-01-09", "basis": "宝市监罚〔2025〕12号"} ]
} ] }"#;

#[test]
fn suspended_certificate_is_not_in_force_on_day_inside_suspension() {
    let s = Snapshot::from_json(EXAMPLE).unwrap();
    let c = &s.institutions[0].certificates[0];
    assert!(c.in_force_on(d("2024-07-31")));
    assert_eq!(c.status_on(d("2024-08-01")), Some(&Status::Suspended));
    assert!(!c.in_force_on(d("2024-08-01")));
    assert_eq!(c.status_on(d("2019-05-09")), None);
    assert_eq!(c.state_on(d("2019-05-09")), CertificateState::NotYetIssued);
    assert_eq!(c.state_on(d("2025-05-10")), CertificateState::Expired);
}

#[test]
fn scope_signatory_staff_and_restriction_bounds_are_inclusive() {
    let s = Snapshot::from_json(EXAMPLE).unwrap();
    let i = &s.institutions[0];
    let c = &i.certificates[0];
    assert!(c.scope[0].covers(d("2019-05-10")));
    assert!(!c.scope[0].covers(d("2019-05-09")));
    assert!(c.covers(&Category::Water, "化学需氧量", "HJ\u{3000}828－2017", d("2020-01-01")));
    assert!(!c.covers(&Category::Air, "化学需氧量", "HJ 828-2017", d("2020-01-01")));
    assert!(i.is_signatory_for("P-000123", &Category::Air, d("2030-01-01")));
    assert!(!i.is_signatory_for("P-000123", &Category::Soil, d("2030-01-01")));
    assert!(i.is_staff_on("P-000124", d("2024-12-31")));
    assert!(!i.is_staff_on("P-000124", d("2025-01-01")));
    assert!(i.restriction_on(d("2025-01-09")).is_none());
    assert!(i.restriction_on(d("2026-01-09")).is_some());
    assert!(i.restriction_on(d("2026-01-10")).is_none());
    let st = i.standing(d("2025-02-01"));
    assert!(!st.certificate_in_force);
    assert!(st.restricted);
    assert_eq!(st.restriction_basis.as_deref(), Some("宝市监罚〔2025〕12号"));
    let json = serde_json::to_value(&st).unwrap();
    assert_eq!(json["certificates"][0]["status"], "suspended");
}

#[test]
fn example_snapshot_is_valid() {
    assert_eq!(validate(&Snapshot::from_json(EXAMPLE).unwrap()), vec![]);
}

#[test]
fn validation_lists_every_problem_with_location() {
    let bad = r#"{ "institutions": [
      { "uscc": "91110000600037341N", "name": "甲",
        "certificates": [ { "no": "C1", "issued_on": "2020-01-01", "expires_on": "2019-01-01",
            "status_history": [ {"status": "valid", "from": "2020-02-01"}, {"status": "frozen", "from": "2020-01-01"} ],
            "scope": [ {"category": "water", "parameter": "x", "method": "m", "from": "2021-01-01", "to": "2020-01-01"} ] } ] },
      { "uscc": "91110000600037341N", "name": "乙",
        "certificates": [ { "no": "C1", "issued_on": "2020-01-01", "expires_on": "2026-01-01",
            "status_history": [ {"status": "valid", "from": "2020-01-01"} ] } ],
        "signatories": [ {"person": {"id": "P1"}, "categories": [], "from": "2020-01-01", "to": "2019-12-31"} ] }
    ] }"#;
    let problems = validate(&Snapshot::from_json(bad).unwrap());
    let fields: Vec<(&str, &str)> = problems.iter().map(|p| (p.path.as_str(), p.field.as_str())).collect();
    for want in [
        ("/institutions/0/uscc", "uscc"),
        ("/institutions/0/certificates/0/expires_on", "expires_on"),
        ("/institutions/0/certificates/0/status_history/1/status", "status"),
        ("/institutions/0/certificates/0/status_history/1/from", "from"),
        ("/institutions/0/certificates/0/scope/0/to", "to"),
        ("/institutions/1/uscc", "uscc"),
        ("/institutions/1/certificates/0/no", "no"),
        ("/institutions/1/signatories/0/categories", "categories"),
        ("/institutions/1/signatories/0/to", "to"),
    ] {
        assert!(fields.contains(&want), "missing {want:?} in {problems:#?}");
    }
    // bad check character twice + duplicate USCC once
    assert_eq!(fields.iter().filter(|f| f.1 == "uscc").count(), 3);
    assert!(problems.iter().all(|p| p.uscc.as_deref() == Some("91110000600037341N") && !p.reason.is_empty()));
}

#[test]
fn unreadable_snapshot_reports_position() {
    let e = Snapshot::from_json(r#"{"institutions": [ {"uscc": 1 } ]}"#).unwrap_err();
    assert_eq!(e.line, 1);
    assert!(e.reason_zh().contains("无法读取"));
}

#[test]
fn a_category_outside_the_nine_is_a_read_error_at_its_line_and_column() {
    let text = "{\"institutions\": [ {\"uscc\": \"91110000600037341L\", \"name\": \"甲\",\n \"signatories\": [ {\"person\": {\"id\": \"P1\"}, \"categories\": [\"sound\"], \"from\": \"2020-01-01\"} ] } ]}";
    let e = Snapshot::from_json(text).unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.cause.contains("sound"), "{}", e.cause);
}

#[test]
fn shared_method_table_parses_and_answers_in_force() {
    let csv =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/method-standards.csv"));
    let Ok(csv) = csv else { return };
    let t = MethodTable::from_csv(&csv[..]).unwrap();
    assert!(t.len() > 40);
    // MISSING effective date never makes a method "not in force".
    assert_eq!(t.in_force_on("HJ 828-2017", d("1990-01-01")), Some(true));
    assert_eq!(t.in_force_on("ＨＪ\u{3000}828－2017", d("2025-01-01")), Some(true));
    assert!(matches!(t.check("HJ 505-2009", d("2009-11-30")), MethodCheck::NotYetEffective(_)));
    assert!(matches!(t.check("GB 7488-87", d("2009-12-01")), MethodCheck::Abolished(_)));
    assert!(matches!(t.check("GB 7488-87", d("2009-11-30")), MethodCheck::InForce(_)));
    assert_eq!(t.in_force_on("HJ 9999-2099", d("2025-01-01")), None);
    assert!(matches!(t.check("HJ 9999-2099", d("2025-01-01")), MethodCheck::Unknown));
}

#[test]
fn method_table_reports_every_bad_row() {
    let csv = "code,title_zh,category,effective,abolished,replaced_by,source\n\
               A 1-2000,t,water,2000-13-01,,,\n\
               ,t,water,,,,\n\
               A　1－2000,t,water,,,,\n\
               B 2-2000,t,water,MISSING,2001-01-01,,\n";
    let errs = MethodTable::from_csv(csv.as_bytes()).unwrap_err();
    let lines: Vec<(u64, &str)> = errs.iter().map(|e| (e.line, e.field.as_str())).collect();
    // Line 4 repeats line 2's code in full-width: merged (§5 does not make codes unique), not an error.
    assert_eq!(lines, vec![(2, "effective"), (3, "code")]);
    assert_eq!(normalize_code(" A　 1－2000 "), "A 1-2000");
}

fn arb_date() -> impl Strategy<Value = time::Date> {
    (2000i32..2030, 1u8..=12, 1u8..=28).prop_map(|(y, m, dd)| {
        time::Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), dd).unwrap()
    })
}

fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![Just("化学需氧量".to_owned()), "[a-zA-Z0-9 \"\\\\-]{0,8}", "\\PC{0,6}"]
}

fn arb_category() -> impl Strategy<Value = Category> {
    proptest::sample::select(Category::ALL.to_vec())
}

fn arb_snapshot() -> impl Strategy<Value = Snapshot> {
    use lianjian_registry::*;
    let person = || (arb_text(), arb_text()).prop_map(|(id, name)| Person { id, name });
    let scope =
        (arb_category(), arb_text(), arb_text(), arb_date(), proptest::option::of(arb_date())).prop_map(
            |(category, parameter, method, from, to)| ScopeEntry { category, parameter, method, from, to },
        );
    let status = (
        prop_oneof![
            Just(Status::Valid),
            Just(Status::Suspended),
            "[a-z]{1,5}".prop_map(|s| Status::from(s.as_str()))
        ],
        arb_date(),
    )
        .prop_map(|(status, from)| StatusEntry { status, from });
    let cert = (
        arb_text(),
        proptest::option::of(arb_text()),
        arb_date(),
        arb_date(),
        proptest::collection::vec(status, 0..3),
        proptest::collection::vec(scope, 0..4),
    )
        .prop_map(|(no, issuer, issued_on, expires_on, status_history, scope)| Certificate {
            no,
            issuer,
            issued_on,
            expires_on,
            status_history,
            scope,
        });
    let sig = (
        person(),
        proptest::collection::vec(arb_category(), 0..3),
        arb_date(),
        proptest::option::of(arb_date()),
    )
        .prop_map(|(person, categories, from, to)| Signatory { person, categories, from, to });
    let staff =
        (person(), proptest::collection::vec(arb_text(), 0..3), arb_date(), proptest::option::of(arb_date()))
            .prop_map(|(person, roles, from, to)| Staff { person, roles, from, to });
    let inst = (
        arb_text(),
        arb_text(),
        proptest::option::of(arb_text()),
        proptest::collection::vec(cert, 0..3),
        proptest::collection::vec(sig, 0..3),
        proptest::collection::vec(staff, 0..3),
        proptest::collection::vec(
            (arb_text(), arb_text()).prop_map(|(id, name)| Instrument { id, name }),
            0..3,
        ),
        proptest::collection::vec(
            (arb_date(), proptest::option::of(arb_date()), arb_text())
                .prop_map(|(from, to, basis)| Restriction { from, to, basis }),
            0..2,
        ),
    )
        .prop_map(
            |(uscc, name, district, certificates, signatories, staff, instruments, restrictions)| {
                Institution {
                    uscc,
                    name,
                    district,
                    address: None,
                    legal_rep: None,
                    phone: None,
                    certificates,
                    signatories,
                    staff,
                    instruments,
                    restrictions,
                }
            },
        );
    proptest::collection::vec(inst, 0..4).prop_map(|institutions| Snapshot { institutions })
}

proptest! {
    #[test]
    fn export_import_export_is_byte_identical(s in arb_snapshot()) {
        let first = s.to_canonical_json();
        let back = Snapshot::from_json(&first).unwrap();
        let second = back.to_canonical_json();
        prop_assert_eq!(&first, &second);
        // and canonicalising is idempotent on the model itself
        let mut c = s.clone();
        c.canonicalize();
        prop_assert_eq!(back, c);
    }
}
