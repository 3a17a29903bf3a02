//! The item list over HTTP: public, revisions keep history, and the read API for supervisors.

use axum::http::StatusCode;
use lianjian_store::audit::Actor;

use crate::client::{form, get, App};

#[tokio::test]
async fn the_item_list_is_public_and_revisions_keep_history() {
    let app = App::new().await;
    app.state.app.seed_items_if_empty(&Actor::system("t")).await.unwrap();
    let public = app.send(get("/public/items", None)).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.body.contains("SJ-EEB-3-01") && public.body.contains("MSA-1"), "{}", public.body.len());
    let leader = app.sign_in("msa-leader").await;
    let items = app.db.store.items(None).await.unwrap();
    let code = items.iter().find(|i| i.duty.code().starts_with("MSA")).unwrap().code.clone();
    let f =
        [("content", "核查资质认定证书及能力范围(修订)"), ("from", "2026-12-01"), ("_csrf", &leader.csrf)];
    let r = app.send(form(&format!("/items/{code}/revise"), Some(&leader), &f)).await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    let before = app.send(get("/public/items?on=2026-11-30", None)).await;
    let after = app.send(get("/public/items?on=2026-12-01", None)).await;
    assert!(!before.body.contains("(修订)") && after.body.contains("(修订)"));
    assert_eq!(app.db.store.item_history(&code).await.unwrap().len(), 2);
    let xlsx = app.send(get("/items/export.xlsx", None)).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.body.starts_with("PK"), "an xlsx (zip) file");
}

#[tokio::test]
async fn api_answers_the_list_in_force_on_a_day_to_supervisors() {
    let app = App::new().await;
    app.state.app.seed_items_if_empty(&Actor::system("t")).await.unwrap();
    let leader = app.sign_in("eeb-leader").await;
    let f = [("content", "现场采样核查(修订)"), ("from", "2026-12-01"), ("_csrf", &leader.csrf)];
    assert!(app.send(form("/items/SJ-EEB-2-01/revise", Some(&leader), &f)).await.status.is_redirection());
    let officer = app.sign_in("msa-officer").await;
    let before = app.send(get("/api/v1/items?on=2026-11-30", Some(&officer))).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);
    let before = before.json();
    let n = lianjian_domain::items::seed().len() as i64;
    assert_eq!((before["total"].as_i64(), before["on"].as_str()), (Some(n), Some("2026-11-30")));
    let row = before["rows"].as_array().unwrap().iter().find(|r| r["code"] == "SJ-EEB-2-01").unwrap().clone();
    assert_eq!((row["version"].as_i64(), row["valid_to"].as_str()), (Some(1), Some("2026-11-30")));
    assert_eq!(
        (row["department"].as_str(), row["duty"].as_str(), row["method"].as_str()),
        (Some("EEB"), Some("EEB-2"), Some("on_site"))
    );
    let after = app.send(get("/api/v1/items?on=2026-12-01", Some(&officer))).await.json();
    let row = after["rows"].as_array().unwrap().iter().find(|r| r["code"] == "SJ-EEB-2-01").unwrap().clone();
    assert_eq!((row["version"].as_i64(), row["content"].as_str()), (Some(2), Some("现场采样核查(修订)")));
    assert!(app.send(get("/api/v1/items?on=2024-12-19", Some(&officer))).await.json()["rows"]
        .as_array()
        .unwrap()
        .is_empty());
    let page = app.send(get("/api/v1/items?limit=2&offset=1", Some(&officer))).await.json();
    assert_eq!(
        (page["rows"].as_array().unwrap().len(), page["rows"][0]["code"].as_str()),
        (2, Some("SJ-EEB-1-02"))
    );
    let bad = app.send(get("/api/v1/items?on=12/01/2026", Some(&officer))).await;
    assert_eq!((bad.status, bad.json()["field"].as_str()), (StatusCode::BAD_REQUEST, Some("on")));
    for who in ["water-liaison", "inst-user", "auditadmin"] {
        let s = app.sign_in(who).await;
        assert_eq!(app.send(get("/api/v1/items", Some(&s))).await.status, StatusCode::FORBIDDEN, "{who}");
    }
}

#[tokio::test]
async fn a_leader_adds_items_under_the_departments_own_duties_only() {
    let app = App::new().await;
    let leader = app.sign_in("eeb-leader").await;
    let f = |duty: &'static str| {
        [
            ("duty", duty),
            ("basis", "《环境保护法》"),
            ("content", "新增检查内容"),
            ("method", "on_site"),
            ("from", "2026-01-01"),
            ("_csrf", &leader.csrf),
        ]
    };
    let r = app.send(form("/items", Some(&leader), &f("EEB-2"))).await;
    assert_eq!(r.location(), "/items", "{} {}", r.status, r.body);
    assert_eq!(app.send(form("/items", Some(&leader), &f("MSA-1"))).await.status, StatusCode::FORBIDDEN);
    let r = app.send(form("/items", Some(&leader), &f("XYZ"))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "an unknown duty names its field");
    assert_eq!(app.state.app.items(None).await.unwrap().len(), 1);
}
