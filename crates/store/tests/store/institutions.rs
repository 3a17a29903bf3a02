//! The institution registry 机构名录库 in the database, loaded through the import use case: import →
//! export round trip, refusal of a bad file as a whole, as-of standing, directory filters, rule
//! flags, timeline.

use lianjian_app::institutions::{Change, ImportOutcome, ImportSummary};
use lianjian_app::App;
use lianjian_registry::{
    date, Category, Certificate, CertificateState, Institution, Instrument, Person, Restriction, ScopeEntry,
    Signatory, Snapshot, Staff, Status, StatusEntry,
};
use lianjian_store::audit::Actor;
use lianjian_store::institutions::{CertificateFilter, DirectoryFilter, Flag};
use lianjian_store::{testing, Store};

fn d(s: &str) -> time::Date {
    date::parse(s).unwrap()
}

/// Real, valid codes from the shared GB 32100 vectors.
fn valid_codes() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/uscc-vectors.json");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["valid"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap().to_owned()).collect()
}

fn status(s: Status, from: &str) -> StatusEntry {
    StatusEntry { status: s, from: d(from) }
}

fn scope(c: Category, p: &str, m: &str, from: &str, to: Option<&str>) -> ScopeEntry {
    ScopeEntry { category: c, parameter: p.into(), method: m.into(), from: d(from), to: to.map(d) }
}

fn cert(
    no: &str,
    issued: &str,
    expires: &str,
    history: Vec<StatusEntry>,
    sc: Vec<ScopeEntry>,
) -> Certificate {
    Certificate {
        no: no.into(),
        issuer: Some("上海市市场监督管理局".into()),
        issued_on: d(issued),
        expires_on: d(expires),
        status_history: history,
        scope: sc,
    }
}

fn person(id: &str, name: &str) -> Person {
    Person { id: id.into(), name: name.into() }
}

fn staff(id: &str, name: &str, from: &str, to: Option<&str>) -> Staff {
    Staff {
        person: person(id, name),
        roles: vec!["sampler".into(), "analyst".into()],
        from: d(from),
        to: to.map(d),
    }
}

fn institution(uscc: &str, name: &str) -> Institution {
    Institution {
        uscc: uscc.into(),
        name: name.into(),
        district: Some("宝山区".into()),
        address: Some("上海市宝山区某某路 1 号".into()),
        legal_rep: Some("王某".into()),
        phone: None,
        certificates: vec![],
        signatories: vec![],
        staff: vec![],
        instruments: vec![],
        restrictions: vec![],
    }
}

/// Three institutions: A (suspension then valid again, a restriction, staff 李四 since 2020),
/// B (a revoked certificate, one expiring 2026-02-28 with no renewal, 李四 on staff in 2023),
/// C (a cancelled certificate, one expiring 2026-03-31 with a renewal from 2026-03-01).
fn sample() -> (Snapshot, [String; 3]) {
    let codes = valid_codes();
    let (a, b, c) = (codes[0].clone(), codes[1].clone(), codes[2].clone());
    let mut ia = institution(&a, "上海宝山环境检测技术有限公司");
    ia.certificates.push(cert(
        "201912345678",
        "2019-05-10",
        "2025-05-09",
        vec![
            status(Status::Valid, "2019-05-10"),
            status(Status::Suspended, "2024-08-01"),
            status(Status::Valid, "2024-10-01"),
        ],
        vec![
            scope(Category::Water, "化学需氧量", "HJ 828-2017", "2019-05-10", None),
            scope(Category::Water, "氨氮", "HJ 535-2009", "2019-05-10", Some("2022-12-31")),
            scope(Category::Air, "二氧化硫", "HJ 57-2017", "2019-05-10", None),
        ],
    ));
    ia.signatories.push(Signatory {
        person: person("P-000123", "张三"),
        categories: vec![Category::Water, Category::Air],
        from: d("2019-05-10"),
        to: None,
    });
    ia.staff.push(staff("P-000124", "李四", "2020-01-01", None));
    ia.instruments.push(Instrument { id: "BSJC-YQ-017".into(), name: "紫外可见分光光度计".into() });
    ia.restrictions.push(Restriction {
        from: d("2025-01-10"),
        to: Some(d("2026-01-09")),
        basis: "宝市监罚〔2025〕12号".into(),
    });

    let mut ib = institution(&b, "上海浦东绿源监测有限公司");
    ib.district = Some("浦东新区".into());
    ib.certificates.push(cert(
        "202012340001",
        "2020-01-01",
        "2026-12-31",
        vec![status(Status::Valid, "2020-01-01"), status(Status::Revoked, "2023-06-01")],
        vec![scope(Category::Soil, "镉", "GB/T 17141-1997", "2020-01-01", None)],
    ));
    ib.certificates.push(cert(
        "202212340002",
        "2022-01-01",
        "2026-02-28",
        vec![status(Status::Valid, "2022-01-01")],
        vec![scope(Category::Water, "化学需氧量", "HJ 828-2017", "2022-01-01", None)],
    ));
    ib.staff.push(staff("P-000124", "李四", "2023-01-01", Some("2023-12-31")));
    ib.staff.push(staff("P-000200", "周八", "2022-01-01", None));

    let mut ic = institution(&c, "上海闵行清流检测有限公司");
    ic.district = Some("闵行区".into());
    ic.phone = Some("021-64000000".into());
    ic.certificates.push(cert(
        "202112340003",
        "2021-01-01",
        "2027-01-01",
        vec![status(Status::Valid, "2021-01-01"), status(Status::Cancelled, "2022-05-01")],
        vec![scope(Category::Noise, "工业企业厂界环境噪声", "GB 12348-2008", "2021-01-01", None)],
    ));
    ic.certificates.push(cert(
        "202112340004",
        "2021-06-01",
        "2026-03-31",
        vec![status(Status::Valid, "2021-06-01")],
        vec![scope(Category::Water, "化学需氧量", "HJ 828-2017", "2021-06-01", None)],
    ));
    ic.certificates.push(cert(
        "202612340005",
        "2026-03-01",
        "2032-02-29",
        vec![status(Status::Valid, "2026-03-01")],
        vec![scope(Category::Water, "化学需氧量", "HJ 828-2017", "2026-03-01", None)],
    ));
    ic.staff.push(staff("P-000300", "吴九", "2021-06-01", None));
    // Not in canonical order on purpose: the export sorts.
    (Snapshot { institutions: vec![ic, ia, ib] }, [a, b, c])
}

fn one(uscc: &str) -> Vec<String> {
    vec![uscc.to_owned()]
}

fn officer() -> Actor {
    Actor { user: "msa-li".into(), department: "MSA".into(), role: "officer".into(), ip: None }
}

/// Import through the use case, the registry's only writer.
async fn import(store: &Store, s: &Snapshot) -> ImportOutcome {
    App::new(store.clone()).import_registry(&officer(), s, Some("年度名录更新")).await.unwrap()
}

fn applied(o: ImportOutcome) -> ImportSummary {
    match o {
        ImportOutcome::Applied(s) => s,
        ImportOutcome::Refused(p) => panic!("refused: {p:#?}"),
    }
}

#[tokio::test]
async fn export_of_an_import_is_byte_identical_and_reimport_changes_nothing() {
    let db = testing::fresh().await.unwrap();
    let (snap, _) = sample();
    let s = applied(import(&db.store, &snap).await);
    assert_eq!((s.created, s.updated, s.unchanged), (3, 0, 0));
    assert_eq!(s.scope_rows_written, 8);
    assert_eq!(db.store.institution_count().await.unwrap(), 3);
    let exported = db.store.export_registry().await.unwrap().to_canonical_json();
    assert_eq!(exported, snap.to_canonical_json());
    assert!(exported.contains("上海宝山环境检测技术有限公司") && exported.contains("\"to\": null"));

    let (seq_before, _) = db.store.audit_head().await.unwrap();
    assert_eq!(seq_before, 4, "three institution.create entries and one registry.import");
    let again = applied(import(&db.store, &Snapshot::from_json(&exported).unwrap()).await);
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 3));
    assert_eq!(db.store.audit_head().await.unwrap().0, seq_before + 1, "only the summary entry");
    assert_eq!(db.store.export_registry().await.unwrap().to_canonical_json(), exported);
    assert_eq!(db.store.audit_verify().await.unwrap().unwrap().count, 5);
}

#[tokio::test]
async fn a_bad_file_is_refused_whole_naming_every_problem_and_nothing_changes() {
    let db = testing::fresh().await.unwrap();
    let (snap, [a, b, _]) = sample();
    applied(import(&db.store, &snap).await);
    let export_before = db.store.export_registry().await.unwrap().to_canonical_json();
    let head_before = db.store.audit_head().await.unwrap();

    let mut bad = snap.clone();
    // A new institution whose code has a wrong check character, and B renamed (a good change that
    // must not be applied either).
    let mut wrong = institution(&format!("{}X", &a[..17]), "错误代码检测公司");
    if wrong.uscc == a {
        wrong.uscc = format!("{}Y", &a[..17]);
    }
    bad.institutions.push(wrong);
    let ib = bad.institutions.iter_mut().find(|i| i.uscc == b).unwrap();
    ib.name = "改名后的公司".into();
    ib.certificates[1].expires_on = d("2021-12-31");
    let problems = match import(&db.store, &bad).await {
        ImportOutcome::Refused(p) => p,
        ImportOutcome::Applied(s) => panic!("applied: {s:?}"),
    };
    assert_eq!(problems.len(), 2, "{problems:#?}");
    let uscc = problems.iter().find(|p| p.field == "uscc").expect("USCC problem");
    assert_eq!(uscc.path, "/institutions/3/uscc");
    assert!(uscc.reason.contains("校验位"), "{}", uscc.reason);
    let exp = problems.iter().find(|p| p.field == "expires_on").expect("expiry problem");
    assert_eq!(exp.uscc.as_deref(), Some(b.as_str()));
    assert_eq!(exp.path, "/institutions/2/certificates/1/expires_on");
    assert!(exp.reason.contains("早于发证日期"), "{}", exp.reason);

    assert_eq!(db.store.export_registry().await.unwrap().to_canonical_json(), export_before);
    assert_eq!(db.store.audit_head().await.unwrap(), head_before);
}

#[tokio::test]
async fn a_certificate_number_held_by_an_institution_not_in_the_file_is_refused() {
    let db = testing::fresh().await.unwrap();
    let (snap, [a, b, _]) = sample();
    applied(import(&db.store, &snap).await);
    // A file with only B, claiming A's certificate.
    let mut ib = snap.institution(&b).unwrap().clone();
    ib.certificates[0].no = "201912345678".into();
    let refused = import(&db.store, &Snapshot { institutions: vec![ib.clone()] }).await;
    let ImportOutcome::Refused(p) = refused else { panic!("must be refused") };
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(p[0].path, "/institutions/0/certificates/0/no");
    assert!(p[0].reason.contains(&a), "{}", p[0].reason);
    // With A in the same file, no longer holding it, the number moves.
    let mut ia = snap.institution(&a).unwrap().clone();
    ia.certificates[0].no = "201912349999".into();
    let s = applied(import(&db.store, &Snapshot { institutions: vec![ia, ib] }).await);
    assert_eq!((s.updated, s.untouched), (2, 1));
    let moved = db.store.institution(&b).await.unwrap().unwrap();
    assert!(moved.certificate("201912345678").is_some());
    assert!(db.store.audit_verify().await.unwrap().is_ok());
}

#[tokio::test]
async fn an_update_records_only_what_changed_and_absent_institutions_are_left_alone() {
    let db = testing::fresh().await.unwrap();
    let (snap, [a, b, c]) = sample();
    applied(import(&db.store, &snap).await);
    let mut ia = snap.institution(&a).unwrap().clone();
    ia.name = "上海宝山环境检测技术股份有限公司".into();
    ia.certificates[0].scope.push(scope(Category::Air, "氮氧化物", "HJ 693-2014", "2024-01-01", None));
    let file = Snapshot { institutions: vec![ia.clone()] };

    let preview = App::new(db.store.clone()).preview_registry_import(&file).await.unwrap();
    assert!(preview.problems.is_empty());
    assert_eq!(preview.items.len(), 1);
    assert_eq!(preview.items[0].change, Change::Updated);
    assert_eq!(preview.items[0].fields, ["name", "certificates"]);

    let s = applied(import(&db.store, &file).await);
    assert_eq!((s.created, s.updated, s.unchanged, s.untouched), (0, 1, 0, 2));
    assert_eq!(db.store.institution(&a).await.unwrap().unwrap().certificates[0].scope.len(), 4);
    assert!(
        db.store.institution(&b).await.unwrap().is_some()
            && db.store.institution(&c).await.unwrap().is_some()
    );

    let timeline = db.store.institution_timeline(&a).await.unwrap();
    assert_eq!(timeline.len(), 2, "{timeline:#?}");
    assert_eq!(timeline[0]["action"], "institution.update");
    assert_eq!(timeline[1]["action"], "institution.create");
    assert_eq!(timeline[0]["actor"]["user"], "msa-li");
    assert_eq!(timeline[0]["note"], "年度名录更新");
    let before = timeline[0]["before"].as_object().unwrap();
    let after = timeline[0]["after"].as_object().unwrap();
    let mut keys: Vec<&String> = before.keys().collect();
    keys.sort();
    assert_eq!(keys, ["certificates", "name"]);
    assert_eq!(after["name"], "上海宝山环境检测技术股份有限公司");
    assert_eq!(after["certificates"]["changed"], serde_json::json!(["201912345678"]));
    assert!(db.store.institution_timeline(&b).await.unwrap().len() == 1);
    assert!(db.store.audit_verify().await.unwrap().is_ok());
}

#[tokio::test]
async fn suspended_certificate_is_not_in_force_inside_the_suspension_and_restriction_bounds_are_inclusive() {
    let db = testing::fresh().await.unwrap();
    let (snap, [a, _, _]) = sample();
    applied(import(&db.store, &snap).await);
    let on = |day| {
        let store = db.store.clone();
        let a = a.clone();
        async move { store.standing(&a, d(day)).await.unwrap().unwrap() }
    };
    let before = on("2024-07-31").await;
    assert!(before.certificate_in_force && !before.restricted);
    let inside = on("2024-08-01").await;
    assert!(!inside.certificate_in_force);
    assert_eq!(inside.certificates[0].state, CertificateState::Status(Status::Suspended));
    assert!(on("2024-10-01").await.certificate_in_force, "valid again after the suspension");
    assert!(!on("2025-01-09").await.restricted);
    let restricted = on("2025-01-10").await;
    assert!(restricted.restricted);
    assert_eq!(restricted.restriction_basis.as_deref(), Some("宝市监罚〔2025〕12号"));
    assert!(on("2026-01-09").await.restricted);
    assert!(!on("2026-01-10").await.restricted);
    assert_eq!(on("2025-05-10").await.certificates[0].state, CertificateState::Expired);
    assert!(db.store.standing("911100006000373410", d("2025-01-01")).await.unwrap().is_none());
}

#[tokio::test]
async fn directory_filters_by_name_code_category_certificate_status_and_capability() {
    let db = testing::fresh().await.unwrap();
    let (snap, [a, b, c]) = sample();
    applied(import(&db.store, &snap).await);
    let today = d("2026-01-15");
    let find = |f: DirectoryFilter| {
        let store = db.store.clone();
        async move {
            let f = DirectoryFilter { today: Some(today), ..f };
            let (rows, total) = store.directory(&f, 50, 0).await.unwrap();
            assert_eq!(total as usize, rows.len());
            let mut u: Vec<String> = rows.into_iter().map(|r| r.uscc).collect();
            u.sort();
            u
        }
    };
    let sorted = |mut v: Vec<&String>| {
        v.sort();
        v.into_iter().cloned().collect::<Vec<_>>()
    };
    assert_eq!(find(DirectoryFilter::default()).await, sorted(vec![&a, &b, &c]));
    assert_eq!(
        find(DirectoryFilter { name_contains: Some("浦东".into()), ..Default::default() }).await,
        one(&b)
    );
    assert!(find(DirectoryFilter { name_contains: Some("%".into()), ..Default::default() }).await.is_empty());
    assert_eq!(
        find(DirectoryFilter { uscc_prefix: Some(a[..10].into()), ..Default::default() }).await,
        one(&a)
    );
    assert_eq!(
        find(DirectoryFilter { category: Some(Category::Noise), ..Default::default() }).await,
        one(&c)
    );
    let status = |f: CertificateFilter, day: &str| DirectoryFilter {
        certificate_status_on: Some((f, d(day))),
        ..Default::default()
    };
    assert_eq!(find(status(CertificateFilter::Status(Status::Revoked), "2024-01-01")).await, one(&b));
    assert_eq!(find(status(CertificateFilter::Status(Status::Cancelled), "2024-01-01")).await, one(&c));
    assert_eq!(find(status(CertificateFilter::Status(Status::Suspended), "2024-09-01")).await, one(&a));
    assert_eq!(find(status(CertificateFilter::InForce, "2025-06-01")).await, sorted(vec![&b, &c]));
    assert_eq!(find(status(CertificateFilter::Expired, "2025-06-01")).await, one(&a));

    let can = |p: &str, m: &str, day: &str| DirectoryFilter {
        can_test: Some((p.into(), m.into(), d(day))),
        ..Default::default()
    };
    // COD on 2024-09-01: A suspended, B and C in force.
    assert_eq!(find(can("化学需氧量", "HJ 828-2017", "2024-09-01")).await, sorted(vec![&b, &c]));
    // Full-width method code folds to the same method.
    assert_eq!(find(can("化学需氧量", "HJ\u{3000}828－2017", "2024-11-01")).await, sorted(vec![&a, &b, &c]));
    // Ammonia nitrogen: A's scope entry ended on 2022-12-31 (inclusive).
    assert_eq!(find(can("氨氮", "HJ 535-2009", "2022-12-31")).await, one(&a));
    assert!(find(can("氨氮", "HJ 535-2009", "2023-01-01")).await.is_empty());
    // Cadmium: B's only soil certificate was revoked.
    assert!(find(can("镉", "GB/T 17141-1997", "2024-01-01")).await.is_empty());
    assert_eq!(find(can("镉", "GB/T 17141-1997", "2021-01-01")).await, one(&b));

    let (rows, total) = db
        .store
        .directory(&DirectoryFilter { today: Some(today), ..Default::default() }, 2, 1)
        .await
        .unwrap();
    assert_eq!((rows.len(), total), (2, 3), "a page of two from offset 1");
    let (rows, _) = db
        .store
        .directory(
            &DirectoryFilter { uscc_prefix: Some(a.clone()), today: Some(today), ..Default::default() },
            10,
            0,
        )
        .await
        .unwrap();
    let row = &rows[0];
    assert_eq!(row.name, "上海宝山环境检测技术有限公司");
    assert!(!row.certificate_in_force_today && !row.restricted_today, "restriction ended 2026-01-09");
    assert_eq!(row.certificates, [("201912345678".to_owned(), CertificateState::Expired)]);
    assert_eq!(row.categories, ["air", "water"]);
    assert!(matches!(row.flags[..], [Flag::StaffElsewhere { .. }]), "{:?}", row.flags);
}

#[tokio::test]
async fn staff_at_two_institutions_and_an_unrenewed_expiry_are_flagged() {
    let db = testing::fresh().await.unwrap();
    let (snap, [a, b, c]) = sample();
    applied(import(&db.store, &snap).await);
    let today = d("2026-01-15");
    let fa = db.store.flags(&a, today).await.unwrap();
    assert_eq!(
        fa,
        [Flag::StaffElsewhere {
            person_id: "P-000124".into(),
            name: "李四".into(),
            other_uscc: b.clone(),
            overlap_from: d("2023-01-01"),
            overlap_to: Some(d("2023-12-31")),
        }]
    );
    let fb = db.store.flags(&b, today).await.unwrap();
    assert!(fb.contains(&Flag::StaffElsewhere {
        person_id: "P-000124".into(),
        name: "李四".into(),
        other_uscc: a.clone(),
        overlap_from: d("2023-01-01"),
        overlap_to: Some(d("2023-12-31")),
    }));
    assert!(fb.contains(&Flag::ExpiringWithoutRenewal {
        certificate_no: "202212340002".into(),
        expires_on: d("2026-02-28"),
        days_left: 44,
    }));
    assert_eq!(fb.len(), 2, "the revoked certificate is not flagged: {fb:?}");
    assert!(fb.iter().all(|f| !f.message_zh().is_empty()));
    // C's 2026-03-31 expiry is covered by the renewal in force from 2026-03-01.
    assert!(db.store.flags(&c, today).await.unwrap().is_empty());
    // A one-month look-ahead does not reach 2026-02-28.
    assert!(db
        .store
        .flags_with(&b, today, 1)
        .await
        .unwrap()
        .iter()
        .all(|f| matches!(f, Flag::StaffElsewhere { .. })));
}
