//! Issue 15 (items 3–5): 三员分立 and least privilege, sign-in and sessions, audit and API hygiene.
//! Each test failed on the code before the issue was fixed.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use lianjian_app::accounts::NewAccount;
use lianjian_domain::org::{Department, Role};
use lianjian_domain::security::SecurityPolicy;
use lianjian_store::audit::{Actor, AuditFilter};
use lianjian_web::Settings;

use crate::client::{form, get, json_req, App, Session, PASSWORD};

fn from(addr: &str, mut req: Request<Body>) -> Request<Body> {
    req.extensions_mut().insert(ConnectInfo(addr.parse::<SocketAddr>().unwrap()));
    req
}

fn sign_in_req(username: &str, password: &str) -> Request<Body> {
    let body = serde_json::json!({"username": username, "password": password}).to_string();
    json_req(Method::POST, "/api/v1/session", &body)
}

async fn audit(app: &App, action: &str) -> Vec<serde_json::Value> {
    let f = AuditFilter { action: Some(action.into()), ..Default::default() };
    app.db.store.audit_search(&f, 1000, 0).await.unwrap()
}

fn bearer(method: Method, uri: &str, token: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

// ---- 3. 三员分立 and least privilege ----

#[tokio::test]
async fn the_system_administrator_may_not_replace_the_registry_but_a_leader_may() {
    let app = App::new().await;
    let snapshot = r#"{"institutions": []}"#;
    for (who, expected) in [("sysadmin", StatusCode::FORBIDDEN), ("secadmin", StatusCode::FORBIDDEN)] {
        let t = lianjian_app::App::new(app.db.store.clone())
            .create_token(&Actor::system("t"), who, "x")
            .await
            .unwrap();
        let r = app.send(bearer(Method::POST, "/api/v1/registry", &t, snapshot)).await;
        assert_eq!(r.status, expected, "{who}: {}", r.body);
    }
    let t = lianjian_app::App::new(app.db.store.clone())
        .create_token(&Actor::system("t"), "msa-leader", "x")
        .await
        .unwrap();
    let r = app.send(bearer(Method::POST, "/api/v1/registry", &t, snapshot)).await;
    assert!(r.status.is_success(), "{} {}", r.status, r.body);
}

#[tokio::test]
async fn security_parameters_belong_to_the_security_administrator_within_floors_and_ceilings() {
    let app = App::new().await;
    let sys = app.sign_in("sysadmin").await;
    for (key, value) in [
        ("password_min_length", "4"),
        ("login_lockout_failures", "1000"),
        ("session_idle_timeout_minutes", "100000"),
    ] {
        let f = [
            ("key", key),
            ("value", value),
            ("from", "2026-01-01"),
            ("note", "试图放宽"),
            ("_csrf", &sys.csrf),
        ];
        let r = app.send(form("/params", Some(&sys), &f)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{key}: {}", r.body);
        assert!(r.body.contains("安全管理员"), "{}", r.body);
    }
    let sec = app.sign_in("secadmin").await;
    for (key, value) in [
        ("password_min_length", "4"),
        ("login_lockout_failures", "1000"),
        ("session_idle_timeout_minutes", "100000"),
    ] {
        let f = [
            ("key", key),
            ("value", value),
            ("from", "2026-01-01"),
            ("note", "试图放宽"),
            ("_csrf", &sec.csrf),
        ];
        let r = app.send(form("/admin/security/params", Some(&sec), &f)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{key}: {}", r.body);
        assert!(r.body.contains("等保三级"), "{}", r.body);
    }
    // Nothing was stored; the policy in force is unchanged.
    assert_eq!(app.state.policy().await.unwrap(), SecurityPolicy::default());
    // A change within the bounds applies at once and is audited.
    let f = [
        ("key", "password_min_length"),
        ("value", "12"),
        ("from", "2026-01-01"),
        ("note", "安全策略调整"),
        ("_csrf", &sec.csrf),
    ];
    let r = app.send(form("/admin/security/params", Some(&sec), &f)).await;
    assert_eq!(r.location(), "/admin/security", "{}", r.body);
    assert_eq!(app.state.policy().await.unwrap().password_min_len, 12);
    let entries = audit(&app, "param.set").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["actor"]["user"], "secadmin");
}

// ---- 4. Sign-in and sessions ----

#[tokio::test]
async fn a_session_that_must_change_its_password_gets_only_me_sign_out_and_the_change() {
    let app = App::new().await;
    let new = NewAccount {
        username: "fresh-api".into(),
        display_name: "新人".into(),
        department: Department::Eeb,
        role: Role::Officer,
        institution_uscc: None,
        password: PASSWORD.into(),
        must_change_password: true,
    };
    lianjian_app::App::new(app.db.store.clone()).create_user(&Actor::system("t"), new).await.unwrap();
    let s = app.sign_in("fresh-api").await;
    assert_eq!(app.send(get("/api/v1/me", Some(&s))).await.status, StatusCode::OK);
    for uri in ["/api/v1/registry", "/api/v1/findings", "/api/v1/audit"] {
        let r = app.send(get(uri, Some(&s))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}: {}", r.body);
        assert_eq!(r.json()["code"], "password_change_required");
    }
    let mut upload = json_req(Method::POST, "/api/v1/reports", "{}");
    upload.headers_mut().insert("cookie", s.cookie.parse().unwrap());
    upload.headers_mut().insert("x-csrf-token", s.csrf.parse().unwrap());
    assert_eq!(app.send(upload).await.status, StatusCode::FORBIDDEN);
    // The change itself, through the API.
    let body = serde_json::json!({"old_password": PASSWORD, "new_password": "Changed#2026"}).to_string();
    let mut change = json_req(Method::POST, "/api/v1/me/password", &body);
    change.headers_mut().insert("cookie", s.cookie.parse().unwrap());
    change.headers_mut().insert("x-csrf-token", s.csrf.parse().unwrap());
    assert_eq!(app.send(change).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.send(get("/api/v1/findings", Some(&s))).await.status, StatusCode::OK);
}

#[tokio::test]
async fn changing_a_password_ends_the_other_sessions_but_not_this_one_nor_tokens() {
    let app = App::new().await;
    let here = app.sign_in("eeb-officer").await;
    let elsewhere = app.sign_in("eeb-officer").await;
    let token = lianjian_app::App::new(app.db.store.clone())
        .create_token(&Actor::system("t"), "eeb-officer", "系统")
        .await
        .unwrap();
    let f = [("old_password", PASSWORD), ("new_password", "Another#2026"), ("_csrf", &here.csrf)];
    assert!(app.send(form("/account/password", Some(&here), &f)).await.status.is_redirection());
    assert_eq!(app.send(get("/api/v1/me", Some(&here))).await.status, StatusCode::OK);
    assert_eq!(app.send(get("/api/v1/me", Some(&elsewhere))).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.send(bearer(Method::GET, "/api/v1/me", &token, "")).await.status, StatusCode::OK);
}

#[tokio::test]
async fn api_sign_in_needs_json_and_a_same_site_origin() {
    let app = App::new().await;
    let body = serde_json::json!({"username": "eeb-officer", "password": PASSWORD}).to_string();
    for ct in ["text/plain", "application/x-www-form-urlencoded"] {
        let mut req = json_req(Method::POST, "/api/v1/session", &body);
        req.headers_mut().insert(header::CONTENT_TYPE, ct.parse().unwrap());
        let r = app.send(req).await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct}");
        assert!(r.headers.get(header::SET_COOKIE).is_none());
    }
    let mut req = json_req(Method::POST, "/api/v1/session", &body);
    req.headers_mut().insert(header::ORIGIN, "https://evil.example".parse().unwrap());
    req.headers_mut().insert(header::HOST, "lianjian.example".parse().unwrap());
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.headers.get(header::SET_COOKIE).is_none());
}

#[tokio::test]
async fn an_unknown_and_a_known_account_get_the_same_answer_and_no_tries_count() {
    let app = App::new().await;
    let known = app.try_sign_in("eeb-officer", "Wrong@2026x").await.err().unwrap();
    let unknown = app.try_sign_in("no-such-user", "Wrong@2026x").await.err().unwrap();
    assert_eq!(known.status, unknown.status);
    assert_eq!(known.json()["detail"], unknown.json()["detail"]);
    assert!(!known.body.contains("再错"), "{}", known.body);
    // The same work: both compare an argon2id hash (timing within a factor, not 26 ms against 3 ms).
    let time = |user: &'static str| {
        let app = &app;
        async move {
            let t = std::time::Instant::now();
            for _ in 0..3 {
                let _ = app.try_sign_in(user, "Wrong@2026x").await;
            }
            t.elapsed().as_secs_f64()
        }
    };
    let (k, u) = (time("msa-officer").await, time("nobody-at-all").await);
    assert!(u > k / 3.0 && u < k * 3.0, "known {k:.3}s, unknown {u:.3}s");
    // After a successful sign-in the user learns how many attempts failed.
    let ok = app.send(sign_in_req("eeb-officer", PASSWORD)).await;
    assert_eq!(ok.json()["failed_sign_ins_before"], 1);
}

#[tokio::test]
async fn one_address_is_throttled_before_it_can_lock_out_a_department() {
    let policy = SecurityPolicy { address_failures: 6, ..SecurityPolicy::default() };
    let app = App::with_settings(Settings::with_policy(policy)).await;
    let attacker = "203.0.113.7:40000";
    let mut throttled = 0;
    for user in ["eeb-officer", "eeb-leader", "msa-officer", "msa-leader"] {
        for _ in 0..3 {
            let r = app.send(from(attacker, sign_in_req(user, "Guess#0000"))).await;
            if r.status == StatusCode::TOO_MANY_REQUESTS {
                throttled += 1;
                assert_eq!(r.json()["code"], "too_many_attempts");
            }
        }
    }
    assert_eq!(throttled, 6, "after six failures the address is refused");
    // Nobody got locked out (5 failures would lock one account); from another address all sign in.
    for user in ["eeb-officer", "eeb-leader", "msa-officer", "msa-leader"] {
        let r = app.send(from("198.51.100.2:50000", sign_in_req(user, PASSWORD))).await;
        assert_eq!(r.status, StatusCode::OK, "{user}: {}", r.body);
    }
}

#[tokio::test]
async fn wrong_old_passwords_count_toward_the_lockout() {
    let policy = SecurityPolicy { lockout_threshold: 3, ..SecurityPolicy::default() };
    let app = App::with_settings(Settings::with_policy(policy)).await;
    let s = app.sign_in("eeb-leader").await;
    for attempt in 1..=3 {
        let f = [("old_password", "Guess#1234"), ("new_password", "Another#2026"), ("_csrf", &s.csrf)];
        let r = app.send(form("/account/password", Some(&s), &f)).await;
        assert!(r.status.is_client_error(), "attempt {attempt}: {}", r.status);
    }
    let user = app.db.store.user_by_username("eeb-leader").await.unwrap().unwrap();
    assert!(user.locked_until.is_some(), "three wrong old passwords lock the account");
    assert!(app.try_sign_in("eeb-leader", PASSWORD).await.is_err());
}

// ---- 5. Audit and API hygiene ----

#[tokio::test]
async fn sign_in_entries_record_the_connection_address_and_forwarded_only_from_trusted_proxies() {
    let settings = Settings {
        trusted_proxies: lianjian_web::settings::parse_proxies(&["10.0.0.0/8".into()]).unwrap(),
        ..Settings::default()
    };
    let app = App::with_settings(settings).await;
    let mut direct = from("192.0.2.10:1234", sign_in_req("eeb-officer", PASSWORD));
    direct.headers_mut().insert("x-forwarded-for", "<script>x</script>".parse().unwrap());
    assert_eq!(app.send(direct).await.status, StatusCode::OK);
    let mut proxied = from("10.1.1.1:1234", sign_in_req("msa-officer", PASSWORD));
    proxied.headers_mut().insert("x-forwarded-for", "198.51.100.77, 10.2.2.2".parse().unwrap());
    assert_eq!(app.send(proxied).await.status, StatusCode::OK);
    let mut forged = from("10.1.1.1:1234", sign_in_req("eeb-leader", PASSWORD));
    forged.headers_mut().insert("x-forwarded-for", "<script>x</script>".parse().unwrap());
    assert_eq!(app.send(forged).await.status, StatusCode::OK);
    let entries = audit(&app, "session.sign_in").await;
    let ip_of = |user: &str| {
        entries.iter().find(|e| e["actor"]["user"] == user).map(|e| e["actor"]["ip"].clone()).unwrap()
    };
    assert_eq!(ip_of("eeb-officer"), "192.0.2.10", "a direct client's header is not believed");
    assert_eq!(ip_of("msa-officer"), "198.51.100.77", "a trusted proxy's forwarded client");
    assert_eq!(ip_of("eeb-leader"), "10.1.1.1", "junk from a proxy is not stored");
}

#[tokio::test]
async fn untrusted_input_in_the_audit_chain_is_capped_and_marked() {
    let app = App::new().await;
    let huge = "x".repeat(100 * 1024);
    let _ = app.send(sign_in_req(&huge, "Wrong@2026x")).await;
    let entries = audit(&app, "session.sign_in_failed").await;
    let id = entries[0]["object"]["id"].as_str().unwrap();
    assert!(id.chars().count() < 200, "stored {} characters", id.chars().count());
    assert!(id.contains("截断") && id.contains("102400"), "{id}");
    assert!(app.db.store.audit_verify().await.unwrap().is_ok());
}

#[tokio::test]
async fn a_json_body_beyond_its_limit_is_413_problem_json() {
    let app = App::new().await;
    let big = format!("{{\"username\": \"{}\", \"password\": \"x\"}}", "y".repeat(3 * 1024 * 1024));
    let r = app.send(json_req(Method::POST, "/api/v1/session", &big)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", &r.body[..r.body.len().min(300)]);
    assert_eq!(r.json()["code"], "payload_too_large");
}

#[tokio::test]
async fn path_and_query_errors_and_405_under_the_api_are_chinese_problem_json() {
    let app = App::new().await;
    let s: Session = app.sign_in("eeb-officer").await;
    for (req, status) in [
        (get("/api/v1/plans/abc", Some(&s)), StatusCode::BAD_REQUEST),
        (get("/api/v1/findings?limit=lots", Some(&s)), StatusCode::BAD_REQUEST),
        (json_req(Method::PUT, "/api/v1/me", "{}"), StatusCode::METHOD_NOT_ALLOWED),
    ] {
        let r = app.send(req).await;
        assert_eq!(r.status, status, "{}", r.body);
        assert!(
            r.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/problem+json"),
            "{:?}",
            r.headers
        );
        let detail = r.json()["detail"].as_str().unwrap().to_owned();
        assert!(detail.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "not Chinese: {detail}");
    }
}

#[tokio::test]
async fn the_registry_api_takes_a_snapshot_bigger_than_two_megabytes_and_refuses_one_beyond_its_limit() {
    let app = App::new().await;
    let t = lianjian_app::App::new(app.db.store.clone())
        .create_token(&Actor::system("t"), "eeb-leader", "x")
        .await
        .unwrap();
    // 3 MB of whitespace around an empty snapshot: over axum's default, well under the registry's.
    let padded = format!("{}{{\"institutions\": []}}", " ".repeat(3 << 20));
    let r = app.send(bearer(Method::POST, "/api/v1/registry", &t, &padded)).await;
    assert!(r.status.is_success(), "{} {}", r.status, &r.body[..r.body.len().min(300)]);
    let huge = " ".repeat(lianjian_web::limits::REGISTRY_SNAPSHOT + 1);
    let r = app.send(bearer(Method::POST, "/api/v1/registry", &t, &huge)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.json()["detail"].as_str().unwrap().contains("64 MB"), "{}", r.body);
}
