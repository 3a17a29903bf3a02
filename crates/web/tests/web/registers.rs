//! Inspector registry, item list and partner-list pages over HTTP.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use lianjian_store::audit::Actor;

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
        ("spec_water", "on"),
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
async fn the_item_list_is_public_and_revisions_keep_history() {
    let app = App::new().await;
    app.db.store.seed_items_if_empty(&Actor::system("t")).await.unwrap();
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

fn multipart(uri: &str, cookie: &str, file_name: &str, bytes: &[u8]) -> Request<Body> {
    let boundary = "----lianjian-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn a_liaison_uploads_the_departments_list_and_bad_rows_are_all_listed() {
    let app = App::new().await;
    let liaison = app.sign_in("water-liaison").await;
    let period = lianjian_domain::partner::Period::recent(app.db.store.today(), 1)[0].code();
    let header_row = "报送部门,报送期间,统一社会信用代码,机构名称,监测类别,项目名称,委托类型\n";
    let bad = format!("{header_row}WATER,{period},91310113MA1GL0QY3X,上海某检测,水,河道监测,行政执法\nWATER,{period},91310113MA1GL0QY3R,上海某检测,火,河道监测,行政执法\n");
    let r = app
        .send(multipart(
            &format!("/partner/upload?_csrf={}", liaison.csrf),
            &liaison.cookie,
            "list.csv",
            bad.as_bytes(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("第 2 行") && r.body.contains("第 3 行"), "every bad row listed");
    let good = format!("{header_row}WATER,{period},91310113MA1GL0QY3R,上海宝钢检测技术有限公司,水,河道断面水质监测,行政执法\n");
    let r = app
        .send(multipart(
            &format!("/partner/upload?_csrf={}", liaison.csrf),
            &liaison.cookie,
            "list.csv",
            good.as_bytes(),
        ))
        .await;
    assert_eq!(r.location(), "/partner-lists", "{} {}", r.status, r.body);
    let board = app.send(get("/partner-lists", Some(&liaison))).await;
    assert!(
        board.body.contains("区水务局") && !board.body.contains("区农业农村委"),
        "a liaison sees its own department"
    );
    let msa = app.sign_in("msa-officer").await;
    let board = app.send(get("/partner-lists", Some(&msa))).await;
    assert!(board.body.contains("区水务局") && board.body.contains("区农业农村委"));
    let xlsx = app.send(get("/partner-lists/export.xlsx", Some(&msa))).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    app.db.store.import_registry(&Actor::system("t"), &crate::registry::snapshot(), None).await.unwrap();
    let detail = app.send(get("/registry/institutions/91310113MA1GL0QY3R", Some(&msa))).await;
    assert!(
        detail.body.contains("id=\"listed\"") && detail.body.contains("区水务局 报送"),
        "listed institutions are marked"
    );
}
