//! Legal parameters: effective-dated operator values, shown with their confidence, audited.

use axum::http::StatusCode;

use crate::client::{form, get, App};

#[tokio::test]
async fn the_system_admin_sets_an_effective_dated_value_and_earlier_days_keep_the_old_one() {
    let app = App::new().await;
    let officer = app.sign_in("eeb-officer").await;
    let page = app.send(get("/params", Some(&officer))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("同一对象每年抽查次数上限") && page.body.contains("[U]"),
        "labels and confidence shown"
    );
    let denied = [
        ("key", "inspection_cap_per_year"),
        ("from", "2027-01-01"),
        ("value", "3"),
        ("note", "x"),
        ("_csrf", &officer.csrf),
    ];
    assert_eq!(app.send(form("/params", Some(&officer), &denied)).await.status, StatusCode::FORBIDDEN);

    let sys = app.sign_in("sysadmin").await;
    let key = lianjian_domain::params::ParamKey::InspectionCapPerYear;
    let code = key.info().code;
    let before_2027 =
        app.db.store.param_set().await.unwrap().value_on(key, time::macros::date!(2026 - 06 - 01));
    let no_note =
        [("key", code), ("from", "2027-01-01"), ("value", "3"), ("note", " "), ("_csrf", &sys.csrf)];
    assert_eq!(app.send(form("/params", Some(&sys), &no_note)).await.status, StatusCode::BAD_REQUEST);
    let ok = [
        ("key", code),
        ("from", "2027-01-01"),
        ("value", "3"),
        ("note", "沪环〔2026〕99号"),
        ("_csrf", &sys.csrf),
    ];
    let r = app.send(form("/params", Some(&sys), &ok)).await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    let set = app.db.store.param_set().await.unwrap();
    assert_eq!(set.value_on(key, time::macros::date!(2027 - 01 - 01)), 3);
    assert_eq!(
        set.value_on(key, time::macros::date!(2026 - 06 - 01)),
        before_2027,
        "earlier days keep the old value"
    );
    let audit = app
        .db
        .store
        .audit_search(
            &lianjian_store::audit::AuditFilter { action: Some("param.set".into()), ..Default::default() },
            10,
            0,
        )
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["note"], "沪环〔2026〕99号");
}

#[tokio::test]
async fn a_new_years_holiday_calendar_can_be_added_and_deadlines_then_stop_being_provisional() {
    let app = App::new().await;
    let sys = app.sign_in("sysadmin").await;
    let day = time::macros::date!(2026 - 12 - 10);
    let before = app.db.store.calendar().await.unwrap();
    assert!(before.add_working_days(day, 20).unwrap().provisional, "2027 is provisional in the shipped data");
    let page = app.send(get("/params", Some(&sys))).await;
    assert!(page.body.contains("id=\"calendar-missing\""), "the page warns that next year's data is missing");
    assert!(page.body.contains("预估"), "and that its dates are provisional");

    let bad = [("content", "{not json"), ("note", "x"), ("_csrf", &sys.csrf)];
    assert_eq!(app.send(form("/params/calendar", Some(&sys), &bad)).await.status, StatusCode::BAD_REQUEST);
    let file = r#"{"year": 2027, "papers": ["https://www.gov.cn/example"], "days": [
        {"name": "元旦", "date": "2027-01-01", "isOffDay": true},
        {"name": "春节", "date": "2027-02-05", "isOffDay": true}]}"#;
    let ok = [("content", file), ("note", "国办发明电〔2026〕X号"), ("_csrf", &sys.csrf)];
    let r = app.send(form("/params/calendar", Some(&sys), &ok)).await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    let after = app.db.store.calendar().await.unwrap();
    let due = after.add_working_days(day, 20).unwrap();
    assert!(due.value.year() == 2027 && !due.provisional, "{due}");
    let officer = app.sign_in("eeb-officer").await;
    assert_eq!(
        app.send(form(
            "/params/calendar",
            Some(&officer),
            &[("content", file), ("note", "x"), ("_csrf", &officer.csrf)]
        ))
        .await
        .status,
        StatusCode::FORBIDDEN
    );
}
