//! Partner-department lists over HTTP: a liaison's upload (every bad row listed), the board each
//! caller may see, and its read API scoped the same way.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use lianjian_store::audit::Actor;

use crate::client::{get, App};

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
    app.state.app.import_registry(&Actor::system("t"), &crate::institutions::snapshot(), None).await.unwrap();
    let detail = app.send(get("/registry/institutions/91310113MA1GL0QY3R", Some(&msa))).await;
    assert!(
        detail.body.contains("id=\"listed\"") && detail.body.contains("区水务局 报送"),
        "listed institutions are marked"
    );
}

#[tokio::test]
async fn api_answers_the_board_to_supervisors_and_a_liaison_its_own_rows() {
    let app = App::new().await;
    let liaison = app.sign_in("water-liaison").await;
    let period = lianjian_domain::partner::Period::recent(app.db.store.today(), 2)[1].code();
    let file = format!("报送部门,报送期间,统一社会信用代码,机构名称,监测类别,项目名称,委托类型\nWATER,{period},91310113MA1GL0QY3R,上海宝钢检测技术有限公司,水,河道断面水质监测,行政执法\n");
    let r = app
        .send(multipart(
            &format!("/partner/upload?_csrf={}", liaison.csrf),
            &liaison.cookie,
            "list.csv",
            file.as_bytes(),
        ))
        .await;
    assert_eq!(r.location(), "/partner-lists", "{} {}", r.status, r.body);

    let msa = app.sign_in("msa-officer").await;
    let board = app.send(get("/api/v1/partner-lists", Some(&msa))).await;
    assert_eq!(board.status, StatusCode::OK, "{}", board.body);
    let board = board.json();
    assert_eq!(
        (board["total"].as_i64(), board["limit"].as_i64(), board["offset"].as_i64()),
        (Some(24), Some(100), Some(0))
    );
    let water = board["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["department"] == "WATER" && r["period"] == period.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (water["state"]["state"].as_str(), water["versions"].as_i64(), water["rows"].as_i64()),
        (Some("submitted"), Some(1), Some(1))
    );
    assert!(water["due"].as_str().unwrap().len() == 10 && water["state"]["on"].is_string());
    let two = app.send(get("/api/v1/partner-lists?periods=2&limit=5&offset=5", Some(&msa))).await.json();
    assert_eq!((two["total"].as_i64(), two["rows"].as_array().unwrap().len()), (Some(12), 5));

    let own = app.send(get("/api/v1/partner-lists", Some(&liaison))).await.json();
    let departments: std::collections::BTreeSet<&str> =
        own["rows"].as_array().unwrap().iter().map(|r| r["department"].as_str().unwrap()).collect();
    assert_eq!(departments.into_iter().collect::<Vec<_>>(), ["WATER"], "a liaison sees its own department");
    for (bad, field) in [
        ("periods=0", "periods"),
        ("periods=13", "periods"),
        ("on=2026-02-30", "on"),
        ("offset=-5", "offset"),
    ] {
        let r = app.send(get(&format!("/api/v1/partner-lists?{bad}"), Some(&msa))).await;
        assert_eq!((r.status, r.json()["field"].as_str()), (StatusCode::BAD_REQUEST, Some(field)), "{bad}");
    }
    for who in ["inst-user", "sysadmin", "city-feed"] {
        let s = app.sign_in(who).await;
        assert_eq!(
            app.send(get("/api/v1/partner-lists", Some(&s))).await.status,
            StatusCode::FORBIDDEN,
            "{who}"
        );
    }
    assert_eq!(app.send(get("/api/v1/partner-lists", None)).await.status, StatusCode::UNAUTHORIZED);
}
