//! Registry pages and API: directory filters, detail, standing on days inside and outside a
//! suspension and a restriction, all-or-nothing import naming every problem, public directory; the
//! directory and one institution as of a day under /api/v1, scoped like the pages.

use axum::http::{header, Method, StatusCode};
use lianjian_app::institutions::ImportOutcome;
use lianjian_registry::Snapshot;
use lianjian_store::audit::Actor;

use crate::client::{get, json_req, App, Session};

const USCC_A: &str = "91310113MA1GL0QY3R";

/// Two institutions: A (water, suspended 2025-06-01..2025-08-31, restricted 2026-01-10..2026-03-31), B (noise).
pub fn snapshot() -> Snapshot {
    let b = lianjian_store::institutions::gen::uscc_for(42);
    let json = serde_json::json!({"institutions": [
        {"uscc": USCC_A, "name": "上海宝钢检测技术有限公司", "district": "宝山区", "address": "上海市宝山区友谊路1号",
         "legal_rep": "王五", "phone": "021-56780000",
         "certificates": [{"no": "190912345678", "issuer": "上海市市场监督管理局", "issued_on": "2019-05-10", "expires_on": "2027-05-09",
             "status_history": [{"status": "valid", "from": "2019-05-10"}, {"status": "suspended", "from": "2025-06-01"}, {"status": "valid", "from": "2025-09-01"}],
             "scope": [{"category": "water", "parameter": "化学需氧量", "method": "HJ 828-2017", "from": "2019-05-10", "to": null}]}],
         "signatories": [{"person": {"id": "P-000123", "name": "张三"}, "categories": ["water"], "from": "2019-05-10", "to": null}],
         "staff": [{"person": {"id": "P-000124", "name": "李四"}, "roles": ["sampler"], "from": "2020-01-01", "to": null}],
         "instruments": [{"id": "BSJC-YQ-017", "name": "紫外可见分光光度计"}],
         "restrictions": [{"from": "2026-01-10", "to": "2026-03-31", "basis": "宝环罚〔2025〕12号"}]},
        {"uscc": b, "name": "上海申环噪声检测有限公司", "district": "宝山区", "address": null, "legal_rep": null, "phone": null,
         "certificates": [{"no": "200911112222", "issuer": "上海市市场监督管理局", "issued_on": "2020-03-01", "expires_on": "2026-02-28",
             "status_history": [{"status": "valid", "from": "2020-03-01"}],
             "scope": [{"category": "noise", "parameter": "等效连续A声级", "method": "GB 12348-2008", "from": "2020-03-01", "to": null}]}],
         "signatories": [], "staff": [{"person": {"id": "P-000124", "name": "李四"}, "roles": ["analyst"], "from": "2024-01-01", "to": null}],
         "instruments": [], "restrictions": []}
    ]});
    Snapshot::from_json(&json.to_string()).unwrap()
}

async fn app_with_registry() -> (App, Session) {
    let app = App::new().await;
    let outcome =
        app.state.app.import_registry(&Actor::system("test"), &snapshot(), Some("测试")).await.unwrap();
    assert!(matches!(outcome, ImportOutcome::Applied(_)), "{outcome:?}");
    let s = app.sign_in("eeb-officer").await;
    (app, s)
}

#[tokio::test]
async fn standing_is_right_inside_and_outside_suspension_and_restriction() {
    let (app, s) = app_with_registry().await;
    let standing = |on: &'static str| {
        let s = s.clone();
        let app = &app;
        async move {
            app.send(get(&format!("/api/v1/institutions/{USCC_A}/standing?on={on}"), Some(&s))).await.json()
        }
    };
    let before = standing("2025-05-31").await;
    assert_eq!(before["certificate_in_force"], true);
    assert_eq!(before["restricted"], false);
    let during = standing("2025-07-15").await;
    assert_eq!(during["certificate_in_force"], false);
    assert_eq!(during["certificates"][0]["status"], "suspended");
    let restricted = standing("2026-01-10").await;
    assert_eq!(restricted["certificate_in_force"], true);
    assert_eq!(restricted["restricted"], true);
    assert_eq!(restricted["restriction_basis"], "宝环罚〔2025〕12号");
    assert_eq!(standing("2026-04-01").await["restricted"], false);
    let r = app.send(get("/api/v1/institutions/91310113MA1GL0QY3R/standing?on=2026-13-01", Some(&s))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["field"], "on");
    let r = app.send(get("/api/v1/institutions/91310113MA0000000X/standing", Some(&s))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_partner_liaison_may_ask_standing_but_an_institution_only_its_own() {
    let (app, _) = app_with_registry().await;
    let liaison = app.sign_in("water-liaison").await;
    let r = app.send(get(&format!("/api/v1/institutions/{USCC_A}/standing"), Some(&liaison))).await;
    assert_eq!(r.status, StatusCode::OK);
    let inst = app.sign_in("inst-user").await;
    assert_eq!(
        app.send(get(&format!("/api/v1/institutions/{USCC_A}/standing"), Some(&inst))).await.status,
        StatusCode::OK
    );
    let other = lianjian_store::institutions::gen::uscc_for(42);
    assert_eq!(
        app.send(get(&format!("/api/v1/institutions/{other}/standing"), Some(&inst))).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn directory_filters_and_detail_page() {
    let (app, s) = app_with_registry().await;
    let page = app.send(get("/registry?name=宝钢", Some(&s))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(USCC_A) && !page.body.contains("申环噪声"), "name filter");
    let page = app.send(get("/registry?category=noise", Some(&s))).await;
    assert!(page.body.contains("申环噪声") && !page.body.contains("宝钢检测"), "category filter");
    let page = app.send(get("/registry?parameter=%E5%8C%96%E5%AD%A6%E9%9C%80%E6%B0%A7%E9%87%8F&method=HJ+828-2017&on=2025-07-15", Some(&s))).await;
    assert!(page.body.contains("共 0 家"), "suspended on that day: nobody may test");
    let page = app.send(get("/registry?parameter=%E5%8C%96%E5%AD%A6%E9%9C%80%E6%B0%A7%E9%87%8F&method=HJ%E3%80%80828%EF%BC%8D2017&on=2025-10-01", Some(&s))).await;
    assert!(page.body.contains("共 1 家") && page.body.contains(USCC_A), "full-width method code normalised");
    let detail = app.send(get(&format!("/registry/institutions/{USCC_A}?on=2025-07-15"), Some(&s))).await;
    assert_eq!(detail.status, StatusCode::OK);
    for text in
        ["上海宝钢检测技术有限公司", "暂停", "化学需氧量", "张三", "BSJC-YQ-017", "institution.create"]
    {
        assert!(detail.body.contains(text), "{text} missing from detail");
    }
    let xlsx = app.send(get("/registry/export.xlsx?category=water", Some(&s))).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.headers[header::CONTENT_TYPE].to_str().unwrap().contains("spreadsheetml"));
}

#[tokio::test]
async fn public_directory_needs_no_sign_in_and_hides_people() {
    let (app, _) = app_with_registry().await;
    let page = app.send(get("/public/institutions", None)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("上海宝钢检测技术有限公司"));
    let detail = app.send(get(&format!("/public/institutions/{USCC_A}"), None)).await;
    assert!(detail.body.contains("化学需氧量"));
    assert!(
        !detail.body.contains("李四") && !detail.body.contains("021-56780000"),
        "people and phone stay internal"
    );
    assert_eq!(app.send(get("/registry", None)).await.location(), "/login");
    for path in [
        "/public/institutions/export.xlsx?name=宝钢".to_owned(),
        format!("/public/institutions/{USCC_A}/scope.xlsx"),
    ] {
        let x = app.send(get(&path, None)).await;
        assert_eq!(x.status, StatusCode::OK, "{path}");
        assert!(x.body.starts_with("PK"), "{path} is an xlsx");
    }
}

#[tokio::test]
async fn api_import_refuses_a_bad_snapshot_naming_every_problem_and_changes_nothing() {
    let (app, _) = app_with_registry().await;
    let leader = app.sign_in("eeb-leader").await;
    let before = app.state.app.export_registry().await.unwrap().to_canonical_json();
    let head = app.db.store.audit_head().await.unwrap();
    let mut bad = snapshot();
    bad.institutions[0].name = "改名检测".into();
    let last = bad.institutions[1].uscc.pop();
    bad.institutions[1].uscc.push(if last == Some('X') { 'Y' } else { 'X' });
    let c = &mut bad.institutions[0].certificates[0];
    c.expires_on = time::macros::date!(2018 - 01 - 01);
    let mut req = json_req(Method::POST, "/api/v1/registry", &bad.to_canonical_json());
    req.headers_mut().insert("cookie", leader.cookie.parse().unwrap());
    req.headers_mut().insert("x-csrf-token", leader.csrf.parse().unwrap());
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let problems = r.json()["problems"].as_array().unwrap().clone();
    assert!(problems.iter().any(|p| p["field"] == "uscc"), "{problems:?}");
    assert!(problems.iter().any(|p| p["field"] == "expires_on"), "{problems:?}");
    assert_eq!(app.state.app.export_registry().await.unwrap().to_canonical_json(), before);
    assert_eq!(app.db.store.audit_head().await.unwrap(), head);
}

#[tokio::test]
async fn api_export_then_import_round_trips() {
    let (app, _) = app_with_registry().await;
    let leader = app.sign_in("msa-leader").await;
    let exported = app.send(get("/api/v1/registry", Some(&leader))).await;
    assert_eq!(exported.status, StatusCode::OK);
    let mut req = json_req(Method::POST, "/api/v1/registry", &exported.body);
    req.headers_mut().insert("cookie", leader.cookie.parse().unwrap());
    req.headers_mut().insert("x-csrf-token", leader.csrf.parse().unwrap());
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["summary"]["unchanged"], 2);
    assert_eq!(app.send(get("/api/v1/registry", Some(&leader))).await.body, exported.body);
    let officer = app.sign_in("eeb-officer").await;
    let mut req = json_req(Method::POST, "/api/v1/registry", &exported.body);
    req.headers_mut().insert("cookie", officer.cookie.parse().unwrap());
    req.headers_mut().insert("x-csrf-token", officer.csrf.parse().unwrap());
    assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN, "officers do not import");
}

#[tokio::test]
async fn api_lists_the_directory_with_the_pages_filters_and_paging() {
    let (app, s) = app_with_registry().await;
    let all = app.send(get("/api/v1/institutions", Some(&s))).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    let all = all.json();
    assert_eq!(
        (all["total"].as_i64(), all["limit"].as_i64(), all["offset"].as_i64()),
        (Some(2), Some(50), Some(0))
    );
    let rows = all["rows"].as_array().unwrap();
    let row = rows.iter().find(|r| r["uscc"] == USCC_A).unwrap();
    assert_eq!(row["name"], "上海宝钢检测技术有限公司");
    assert_eq!(row["categories"], serde_json::json!(["water"]));
    let noise = app.send(get("/api/v1/institutions?category=noise", Some(&s))).await.json();
    assert_eq!(noise["total"], 1);
    assert_ne!(noise["rows"][0]["uscc"], USCC_A);
    // During A's suspension nobody may test COD by HJ 828 (full-width method folded as on the page).
    let q = "parameter=%E5%8C%96%E5%AD%A6%E9%9C%80%E6%B0%A7%E9%87%8F&method=HJ%E3%80%80828%EF%BC%8D2017";
    assert_eq!(
        app.send(get(&format!("/api/v1/institutions?{q}&on=2025-07-15"), Some(&s))).await.json()["total"],
        0
    );
    let after = app.send(get(&format!("/api/v1/institutions?{q}&on=2025-10-01"), Some(&s))).await.json();
    assert_eq!((after["total"].as_i64(), after["on"].as_str()), (Some(1), Some("2025-10-01")));
    let suspended =
        app.send(get("/api/v1/institutions?status=suspended&on=2025-07-15", Some(&s))).await.json();
    assert_eq!(suspended["rows"][0]["certificates"][0]["status"], "suspended");
    assert_eq!(suspended["rows"][0]["certificate_in_force"], false);
    let page = app.send(get("/api/v1/institutions?limit=1&offset=1", Some(&s))).await.json();
    assert_eq!((page["rows"].as_array().unwrap().len(), page["total"].as_i64()), (1, Some(2)));
    for (bad, field) in [
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
        ("on=2025-13-01", "on"),
        ("status=lost", "status"),
        ("category=fire", "category"),
    ] {
        let r = app.send(get(&format!("/api/v1/institutions?{bad}"), Some(&s))).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(r.json()["field"], field, "{bad}");
    }
    for who in ["water-liaison", "inst-user", "sysadmin"] {
        let other = app.sign_in(who).await;
        assert_eq!(
            app.send(get("/api/v1/institutions", Some(&other))).await.status,
            StatusCode::FORBIDDEN,
            "{who}"
        );
    }
    assert_eq!(app.send(get("/api/v1/institutions", None)).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn api_answers_one_institution_as_of_a_day_to_supervisors_and_to_its_own_account() {
    let (app, s) = app_with_registry().await;
    let during = app.send(get(&format!("/api/v1/institutions/{USCC_A}?on=2025-07-15"), Some(&s))).await;
    assert_eq!(during.status, StatusCode::OK, "{}", during.body);
    let during = during.json();
    assert_eq!(
        (during["uscc"].as_str(), during["name"].as_str()),
        (Some(USCC_A), Some("上海宝钢检测技术有限公司"))
    );
    assert_eq!(
        (during["on"].as_str(), during["certificate_in_force"].as_bool()),
        (Some("2025-07-15"), Some(false))
    );
    assert_eq!(during["certificates"][0]["status"], "suspended");
    assert_eq!(during["certificates"][0]["scope"][0]["category"], "water");
    assert_eq!(during["signatories"][0]["person_id"], "P-000123");
    let restricted =
        app.send(get(&format!("/api/v1/institutions/{USCC_A}?on=2026-01-10"), Some(&s))).await.json();
    assert_eq!(
        (restricted["restricted"].as_bool(), restricted["restricted_until"].as_str()),
        (Some(true), Some("2026-03-31"))
    );
    let today =
        app.send(get(&format!("/api/v1/institutions/{}", USCC_A.to_lowercase()), Some(&s))).await.json();
    assert_eq!(today["on"].as_str(), Some(lianjian_domain::date::format(app.db.store.today()).as_str()));

    let inst = app.sign_in("inst-user").await;
    assert_eq!(
        app.send(get(&format!("/api/v1/institutions/{USCC_A}"), Some(&inst))).await.status,
        StatusCode::OK
    );
    let other = lianjian_store::institutions::gen::uscc_for(42);
    assert_eq!(
        app.send(get(&format!("/api/v1/institutions/{other}"), Some(&inst))).await.status,
        StatusCode::FORBIDDEN
    );
    let liaison = app.sign_in("water-liaison").await;
    assert_eq!(
        app.send(get(&format!("/api/v1/institutions/{USCC_A}"), Some(&liaison))).await.status,
        StatusCode::FORBIDDEN
    );
    let missing = app.send(get("/api/v1/institutions/91310113MA0000000X", Some(&s))).await;
    assert_eq!((missing.status, missing.json()["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let bad = app.send(get(&format!("/api/v1/institutions/{USCC_A}?on=yesterday"), Some(&s))).await;
    assert_eq!((bad.status, bad.json()["field"].as_str()), (StatusCode::BAD_REQUEST, Some("on")));
}
