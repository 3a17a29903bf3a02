//! Issue 15 at the HTTP edge: a spreadsheet past the upload caps is refused with 422 and the
//! Chinese reason on the page it was uploaded to, the caps come from the parameters in force, and
//! an upload past a page's body limit is 413 with a Chinese page — never a 400, never an aborted
//! server. (The API's body limits are held by `hardening.rs`.)

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use lianjian_domain::params::ParamKey;
use lianjian_exchange::testing::{self, BOMB_ROWS};
use lianjian_store::audit::Actor;

use crate::client::{get, App, Session};

fn upload(uri: &str, s: &Session, file_name: &str, bytes: &[u8]) -> Request<Body> {
    let boundary = "----lianjian-upload-limits";
    let mut body = Vec::with_capacity(bytes.len() + 256);
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Request::builder()
        .method(Method::POST)
        .uri(format!("{uri}?_csrf={}", s.csrf))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .header(header::COOKIE, &s.cookie)
        .body(Body::from(body))
        .unwrap()
}

/// The three files of the issue, and what each refusal says.
fn hostile() -> [(&'static str, Vec<u8>, &'static str); 3] {
    [
        ("A1 与 XFD1048576", testing::two_cells((1_048_575, 16_383), true), "声明的范围 A1:XFD1048576"),
        ("A1 与 Z200000", testing::two_cells((199_999, 25), true), "声明的范围 A1:Z200000"),
        ("压缩炸弹", testing::deflate_bomb(BOMB_ROWS), "非空单元格超过上限 4000000 个"),
    ]
}

#[tokio::test]
async fn issue_15_hostile_workbooks_on_the_registry_import_page_are_refused_with_422_and_the_reason() {
    let app = App::new().await;
    let leader = app.sign_in("eeb-leader").await;
    for (what, bytes, reason) in hostile() {
        let r = app.send(upload("/registry/import", &leader, "名录.xlsx", &bytes)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {}", r.body);
        assert!(r.body.contains("id=\"import-refused\"") && r.body.contains(reason), "{what}: {}", r.body);
        assert!(r.body.contains("拆分为多个文件"), "{what}: says what to do");
    }
    assert!(app.db.store.export_registry().await.unwrap().institutions.is_empty());
}

#[tokio::test]
async fn issue_15_hostile_workbooks_on_the_partner_upload_are_refused_with_422_and_the_reason() {
    let app = App::new().await;
    let liaison = app.sign_in("water-liaison").await;
    for (what, bytes, reason) in hostile() {
        let r = app.send(upload("/partner/upload", &liaison, "名单.xlsx", &bytes)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {}", r.body);
        assert!(r.body.contains("id=\"list-refused\"") && r.body.contains(reason), "{what}: {}", r.body);
    }
    // A CSV past the row cap is refused the same way.
    let actor = Actor::system("test");
    let today = app.db.store.today();
    app.state.app.set_param(&actor, ParamKey::UploadMaxRows, today, 2, "测试:行数上限").await.unwrap();
    let csv = "报送部门,报送期间,统一社会信用代码,机构名称,监测类别,项目名称,委托类型\nWATER,2025,a,b,水,c,行政执法\nWATER,2025,a,b,水,c,行政执法\n";
    let r = app.send(upload("/partner/upload", &liaison, "名单.csv", csv.as_bytes())).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("单元格 A3 有内容,超出上限(每个工作表最多 2 行"), "{}", r.body);
}

#[tokio::test]
async fn the_upload_caps_are_the_parameters_in_force_today() {
    let app = App::new().await;
    let leader = app.sign_in("eeb-leader").await;
    let template = lianjian_exchange::registry_template();
    let r = app.send(upload("/registry/import", &leader, "模板.xlsx", &template)).await;
    assert_eq!(r.status, StatusCode::OK, "the blank template imports (nothing to change): {}", r.body);
    let actor = Actor::system("test");
    let today = app.db.store.today();
    app.state.app.set_param(&actor, ParamKey::UploadMaxCells, today, 10, "测试:单元格上限").await.unwrap();
    let r = app.send(upload("/registry/import", &leader, "模板.xlsx", &template)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("上限 10 个"), "{}", r.body);
    // A value set for a later day does not apply yet.
    let tomorrow = today.next_day().unwrap();
    app.state.app.set_param(&actor, ParamKey::UploadMaxCells, today, 4_000_000, "测试:恢复").await.unwrap();
    app.state.app.set_param(&actor, ParamKey::UploadMaxCells, tomorrow, 10, "测试:明日起").await.unwrap();
    let r = app.send(upload("/registry/import", &leader, "模板.xlsx", &template)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The system administrator finds them on 法定参数, marked as operational settings.
    let sys = app.sign_in("sysadmin").await;
    let page = app.send(get("/params", Some(&sys))).await;
    assert!(
        page.body.contains("上传表格最多单元格数(全部工作表合计)") && page.body.contains("[O]"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_body_past_the_upload_limit_is_413_with_a_chinese_page() {
    let app = App::new().await;
    let liaison = app.sign_in("water-liaison").await;
    // /partner/upload takes bodies up to 64 MB.
    let big = vec![b'x'; 65 * 1024 * 1024];
    let r = app.send(upload("/partner/upload", &liaison, "名单.csv", &big)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", &r.body[..r.body.len().min(500)]);
    assert!(r.body.contains("lang=\"zh-CN\"") && r.body.contains("超过本页面允许的大小上限"), "{}", r.body);
}
