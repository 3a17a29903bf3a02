//! The inspector register over HTTP: a leader's forms (never a deletion), and the read API scoped
//! to the supervisors.

use axum::http::StatusCode;

use crate::client::{form, get, App};

#[tokio::test]
async fn a_leader_registers_an_inspector_and_a_conflict_and_deactivates_never_deletes() {
    let app = App::new().await;
    let leader = app.sign_in("eeb-leader").await;
    let fields = [
        ("code", "EEB-0101"),
        ("name", "刘洋"),
        ("cert", "沪环执 0101"),
        ("max_tasks", "4"),
        ("from", "2026-01-05"),
        ("specialty", "water"),
        ("specialty", "air"),
        ("_csrf", &leader.csrf),
    ];
    let r = app.send(form("/inspectors", Some(&leader), &fields)).await;
    assert_eq!(r.location(), "/inspectors/EEB-0101", "{} {}", r.status, r.body);
    let c = [
        ("uscc", "91310113MA1GL0QY3R"),
        ("reason", "former_employer"),
        ("from", "2026-01-05"),
        ("_csrf", &leader.csrf),
    ];
    assert!(app
        .send(form("/inspectors/EEB-0101/conflicts", Some(&leader), &c))
        .await
        .status
        .is_redirection());
    let page = app.send(get("/inspectors/EEB-0101", Some(&leader))).await;
    assert!(page.body.contains("曾在该机构任职") && page.body.contains("91310113MA1GL0QY3R"));
    let d = [("on", "2026-06-01"), ("reason", "调离执法岗位"), ("_csrf", &leader.csrf)];
    assert!(app
        .send(form("/inspectors/EEB-0101/deactivate", Some(&leader), &d))
        .await
        .status
        .is_redirection());
    let list = app.send(get("/inspectors?active_on=2026-07-01", Some(&leader))).await;
    assert!(!list.body.contains("/inspectors/EEB-0101"), "not active after deactivation: {}", list.body);
    let all = app.send(get("/inspectors", Some(&leader))).await;
    assert!(all.body.contains("EEB-0101") && all.body.contains("停用"), "still listed");
    let officer = app.sign_in("eeb-officer").await;
    let fields = [
        ("code", "EEB-0102"),
        ("name", "某"),
        ("cert", "x"),
        ("from", "2026-01-05"),
        ("_csrf", &officer.csrf),
    ];
    assert_eq!(app.send(form("/inspectors", Some(&officer), &fields)).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn api_lists_the_register_with_the_pages_filters_to_supervisors() {
    let app = App::new().await;
    let leader = app.sign_in("eeb-leader").await;
    for (code, spec, from) in [("EEB-0201", "water", "2026-01-05"), ("EEB-0202", "noise", "2026-01-05")] {
        let fields = [
            ("code", code),
            ("name", "测试员"),
            ("cert", "沪环执 0201"),
            ("from", from),
            ("specialty", spec),
            ("_csrf", &leader.csrf),
        ];
        let r = app.send(form("/inspectors", Some(&leader), &fields)).await;
        assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    }
    let d = [("on", "2026-06-01"), ("reason", "调离"), ("_csrf", &leader.csrf)];
    assert!(app
        .send(form("/inspectors/EEB-0202/deactivate", Some(&leader), &d))
        .await
        .status
        .is_redirection());

    let officer = app.sign_in("msa-officer").await;
    let all = app.send(get("/api/v1/inspectors?on=2026-07-01", Some(&officer))).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    let all = all.json();
    assert_eq!(
        (all["total"].as_i64(), all["limit"].as_i64(), all["offset"].as_i64()),
        (Some(2), Some(100), Some(0))
    );
    let first = &all["rows"][0];
    assert_eq!(
        (
            first["code"].as_str(),
            first["name"].as_str(),
            first["department"].as_str(),
            first["active"].as_bool()
        ),
        (Some("EEB-0201"), Some("测试员"), Some("EEB"), Some(true))
    );
    assert_eq!(first["specialties"], serde_json::json!(["water"]));
    assert_eq!(all["rows"][1]["active"], false, "deactivated, still listed");
    let active = app.send(get("/api/v1/inspectors?active_on=2026-07-01", Some(&officer))).await.json();
    assert_eq!(active["total"], 1);
    let noise =
        app.send(get("/api/v1/inspectors?specialty=噪声&department=EEB", Some(&officer))).await.json();
    assert_eq!(noise["rows"][0]["code"], "EEB-0202");
    let page = app.send(get("/api/v1/inspectors?limit=1&offset=1", Some(&officer))).await.json();
    assert_eq!((page["rows"][0]["code"].as_str(), page["total"].as_i64()), (Some("EEB-0202"), Some(2)));
    for (bad, field) in
        [("department=PLAN2", "department"), ("limit=1001", "limit"), ("active_on=2026-02-30", "active_on")]
    {
        let r = app.send(get(&format!("/api/v1/inspectors?{bad}"), Some(&officer))).await;
        assert_eq!((r.status, r.json()["field"].as_str()), (StatusCode::BAD_REQUEST, Some(field)), "{bad}");
    }
    for who in ["water-liaison", "inst-user", "secadmin"] {
        let s = app.sign_in(who).await;
        assert_eq!(
            app.send(get("/api/v1/inspectors", Some(&s))).await.status,
            StatusCode::FORBIDDEN,
            "{who}"
        );
    }
}

#[tokio::test]
async fn a_refused_inspector_is_shown_on_the_page_under_its_status() {
    let app = App::new().await;
    let leader = app.sign_in("msa-leader").await;
    let fields = [("code", "MSA 1"), ("name", "某"), ("cert", "x"), ("_csrf", &leader.csrf)];
    let r = app.send(form("/inspectors", Some(&leader), &fields)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("人员编号只能由字母"), "{}", r.body);
    let fields =
        [("code", "MSA-1"), ("name", "某"), ("cert", "x"), ("max_tasks", "许多"), ("_csrf", &leader.csrf)];
    assert_eq!(app.send(form("/inspectors", Some(&leader), &fields)).await.status, StatusCode::BAD_REQUEST);
    let fields =
        [("code", "MSA-1"), ("name", "某"), ("cert", "x"), ("specialty", "fire"), ("_csrf", &leader.csrf)];
    let r = app.send(form("/inspectors", Some(&leader), &fields)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "an unknown specialty names its field: {}", r.body);
}
