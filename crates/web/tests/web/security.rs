//! Sign-in, lockout, CSRF, tokens, idle expiry, bad input and escaping.

use axum::http::{Method, StatusCode};
use lianjian_app::accounts::NewAccount;
use lianjian_domain::security::SecurityPolicy;
use lianjian_store::audit::Actor;
use lianjian_web::Settings;

use crate::client::{form, get, json_req, App, PASSWORD};

#[tokio::test]
async fn wrong_password_is_a_401_problem() {
    let app = App::new().await;
    let r = app.try_sign_in("eeb-officer", "Wrong@2026x").await.err().unwrap();
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("application/problem+json"));
    let p = r.json();
    assert_eq!(p["status"], 401);
    assert_eq!(p["code"], "sign_in_refused");
    assert!(p["detail"].as_str().unwrap().contains("口令错误"));
}

#[tokio::test]
async fn five_failures_lock_the_account_even_against_the_right_password_until_unlocked() {
    let app = App::new().await;
    for _ in 0..5 {
        assert!(app.try_sign_in("msa-officer", "Wrong@2026x").await.is_err());
    }
    let r = app.try_sign_in("msa-officer", PASSWORD).await.err().expect("locked account refuses");
    assert!(r.json()["detail"].as_str().unwrap().contains("锁定"), "{}", r.body);
    lianjian_app::App::new(app.db.store.clone()).unlock(&Actor::system("test"), "msa-officer").await.unwrap();
    assert!(app.try_sign_in("msa-officer", PASSWORD).await.is_ok());
}

#[tokio::test]
async fn lock_expires_after_its_duration() {
    let settings = Settings::with_policy(SecurityPolicy {
        lockout_duration_ms: 300,
        lockout_threshold: 2,
        ..SecurityPolicy::default()
    });
    let app = App::with_settings(settings).await;
    for _ in 0..2 {
        assert!(app.try_sign_in("eeb-leader", "Wrong@2026x").await.is_err());
    }
    assert!(app.try_sign_in("eeb-leader", PASSWORD).await.is_err());
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert!(app.try_sign_in("eeb-leader", PASSWORD).await.is_ok());
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let app = App::new().await;
    let s = app.sign_in("sysadmin").await;
    let fields = [
        ("username", "x-user"),
        ("display_name", "某"),
        ("department", "EEB"),
        ("role", "officer"),
        ("password", "Abcdef-123"),
    ];
    let r = app.send(form("/admin/users", Some(&s), &fields)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut with = fields.to_vec();
    with.push(("_csrf", "not-the-token"));
    assert_eq!(app.send(form("/admin/users", Some(&s), &with)).await.status, StatusCode::FORBIDDEN);
    assert!(app.db.store.user_by_username("x-user").await.unwrap().is_none());
}

#[tokio::test]
async fn api_writes_with_a_session_need_the_csrf_header() {
    let app = App::new().await;
    let s = app.sign_in("eeb-officer").await;
    let mut req = json_req(Method::DELETE, "/api/v1/session", "");
    req.headers_mut().insert("cookie", s.cookie.parse().unwrap());
    assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN);
    let mut req = json_req(Method::DELETE, "/api/v1/session", "");
    req.headers_mut().insert("cookie", s.cookie.parse().unwrap());
    req.headers_mut().insert("x-csrf-token", s.csrf.parse().unwrap());
    assert_eq!(app.send(req).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.send(get("/api/v1/me", Some(&s))).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn session_cookie_is_httponly_and_samesite_strict_and_secure_behind_tls() {
    let app = App::new().await;
    let body = serde_json::json!({"username": "eeb-officer", "password": PASSWORD}).to_string();
    let r = app.send(json_req(Method::POST, "/api/v1/session", &body)).await;
    let cookie = r.headers["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(!cookie.contains("Secure"));
    let mut req = json_req(Method::POST, "/api/v1/session", &body);
    req.headers_mut().insert("x-forwarded-proto", "https".parse().unwrap());
    let r = app.send(req).await;
    assert!(r.headers["set-cookie"].to_str().unwrap().contains("Secure"));
}

#[tokio::test]
async fn bearer_tokens_work_until_revoked() {
    let app = App::new().await;
    let token = lianjian_app::App::new(app.db.store.clone())
        .create_token(&Actor::system("t"), "water-liaison", "对接")
        .await
        .unwrap();
    let bearer = |t: &str| {
        let mut req = get("/api/v1/me", None);
        req.headers_mut().insert("authorization", format!("Bearer {t}").parse().unwrap());
        req
    };
    let r = app.send(bearer(&token)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["department"], "WATER");
    assert_eq!(app.send(bearer("ljt_forged")).await.status, StatusCode::UNAUTHORIZED);
    let id = app.db.store.api_tokens().await.unwrap()[0].id;
    lianjian_app::App::new(app.db.store.clone()).revoke_token(&Actor::system("t"), id).await.unwrap();
    assert_eq!(app.send(bearer(&token)).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn idle_sessions_expire() {
    let app = App::with_settings(Settings::with_policy(SecurityPolicy {
        idle_timeout_ms: 200,
        ..SecurityPolicy::default()
    }))
    .await;
    let s = app.sign_in("eeb-officer").await;
    assert_eq!(app.send(get("/eeb", Some(&s))).await.status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let r = app.send(get("/eeb", Some(&s))).await;
    assert!(r.status.is_redirection() && r.location() == "/login", "{} {}", r.status, r.location());
}

#[tokio::test]
async fn malformed_json_is_a_400_problem_naming_the_field() {
    let app = App::new().await;
    let r = app.send(json_req(Method::POST, "/api/v1/session", r#"{"username":"a"}"#)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["field"], "password");
    let r = app.send(json_req(Method::POST, "/api/v1/session", r#"{"username":7,"password":"x"}"#)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["field"], "username");
    let r = app.send(json_req(Method::POST, "/api/v1/session", "{not json")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["code"], "bad_request");
}

#[tokio::test]
async fn user_text_comes_back_inert() {
    let app = App::new().await;
    let s = app.sign_in("sysadmin").await;
    let fields = [
        ("username", "xss-user"),
        ("display_name", "<script>alert('x')</script>"),
        ("department", "EEB"),
        ("role", "officer"),
        ("password", "Abcdef-123"),
        ("_csrf", &s.csrf),
    ];
    let r = app.send(form("/admin/users", Some(&s), &fields)).await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    let page = app.send(get("/admin/users", Some(&s))).await;
    assert!(!page.body.contains("<script>alert"), "raw script tag in page");
    assert!(page.body.contains("&lt;script&gt;"));
    assert!(page.headers["content-security-policy"].to_str().unwrap().contains("default-src 'self'"));
}

#[tokio::test]
async fn first_sign_in_forces_a_password_change() {
    let app = App::new().await;
    lianjian_app::App::new(app.db.store.clone())
        .create_user(
            &Actor::system("t"),
            NewAccount {
                username: "fresh".into(),
                display_name: "新人".into(),
                department: lianjian_domain::org::Department::Eeb,
                role: lianjian_domain::org::Role::Officer,
                institution_uscc: None,
                password: PASSWORD.into(),
                must_change_password: true,
            },
        )
        .await
        .unwrap();
    let s = app.sign_in("fresh").await;
    let r = app.send(get("/eeb", Some(&s))).await;
    assert_eq!(r.location(), "/account/password");
    let weak = [("old_password", PASSWORD), ("new_password", "short"), ("_csrf", &s.csrf)];
    assert_eq!(app.send(form("/account/password", Some(&s), &weak)).await.status, StatusCode::BAD_REQUEST);
    let good = [("old_password", PASSWORD), ("new_password", "Better#2026"), ("_csrf", &s.csrf)];
    let r = app.send(form("/account/password", Some(&s), &good)).await;
    assert_eq!(r.location(), "/eeb");
    assert_eq!(app.send(get("/eeb", Some(&s))).await.status, StatusCode::OK);
}

#[tokio::test]
async fn unknown_api_routes_are_problem_json_and_pages_are_chinese() {
    let app = App::new().await;
    let r = app.send(get("/api/v1/nothing", None)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["code"], "not_found");
    let r = app.send(get("/nothing", None)).await;
    assert!(r.body.contains("lang=\"zh-CN\"") && r.body.contains("页面或接口不存在"));
}
