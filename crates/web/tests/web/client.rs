//! A tiny in-process client: one router, one cookie jar per signed-in user.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use lianjian_app::accounts::NewAccount;
use lianjian_domain::org::{Department, Role};
use lianjian_store::audit::Actor;
use lianjian_store::testing::{self, TestDb};
use lianjian_web::{AppState, Settings};
use tower::ServiceExt;

pub const PASSWORD: &str = "Test@2026x";

pub struct App {
    pub db: TestDb,
    pub state: AppState,
    pub router: Router,
}

#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

/// (username, department, role, institution)
pub const ROLES: &[(&str, Department, Role, Option<&str>)] = &[
    ("eeb-officer", Department::Eeb, Role::Officer, None),
    ("eeb-leader", Department::Eeb, Role::Leader, None),
    ("msa-officer", Department::Msa, Role::Officer, None),
    ("msa-leader", Department::Msa, Role::Leader, None),
    ("water-liaison", Department::Water, Role::Liaison, None),
    ("inst-user", Department::Inst, Role::Institution, Some("91310113MA1GL0QY3R")),
    ("city-feed", Department::Ops, Role::Feed, None),
    ("sysadmin", Department::Ops, Role::SystemAdmin, None),
    ("secadmin", Department::Ops, Role::SecurityAdmin, None),
    ("auditadmin", Department::Ops, Role::AuditAdmin, None),
];

impl App {
    pub async fn new() -> App {
        App::with_settings(Settings::default()).await
    }

    /// An app whose clock starts on `day`, whatever the test run's clock says.
    pub async fn on_day(day: time::Date) -> App {
        let mut db = testing::fresh().await.expect("test database");
        db.store = db.store.clone().with_clock(lianjian_store::Clock::starting_on(day));
        App::over(db, Settings::default()).await
    }

    pub async fn with_settings(settings: Settings) -> App {
        let db = testing::fresh().await.expect("test database");
        App::over(db, settings).await
    }

    async fn over(db: TestDb, settings: Settings) -> App {
        let state = AppState::new(db.store.clone(), settings);
        for (name, department, role, inst) in ROLES {
            lianjian_app::App::new(db.store.clone())
                .create_user(
                    &Actor::system("test"),
                    NewAccount {
                        username: (*name).into(),
                        display_name: format!("测试{name}"),
                        department: *department,
                        role: *role,
                        institution_uscc: inst.map(str::to_owned),
                        password: PASSWORD.into(),
                        must_change_password: false,
                    },
                )
                .await
                .unwrap();
        }
        let router = lianjian_web::app(state.clone());
        App { db, state, router }
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        Resp { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    /// Sign in through the API; returns the session (cookie header value and CSRF token).
    pub async fn sign_in(&self, username: &str) -> Session {
        self.try_sign_in(username, PASSWORD).await.expect("sign-in")
    }

    pub async fn try_sign_in(&self, username: &str, password: &str) -> Result<Session, Resp> {
        let body = serde_json::json!({"username": username, "password": password}).to_string();
        let r = self.send(json_req(Method::POST, "/api/v1/session", &body)).await;
        if r.status != StatusCode::OK {
            return Err(r);
        }
        let cookie = r
            .headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .unwrap()
            .to_owned();
        let csrf = r.json()["csrf_token"].as_str().unwrap().to_owned();
        Ok(Session { cookie, csrf })
    }
}

#[derive(Clone)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

pub fn json_req(method: Method, uri: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

pub fn get(uri: &str, session: Option<&Session>) -> Request<Body> {
    let mut b = Request::builder().method(Method::GET).uri(uri);
    if let Some(s) = session {
        b = b.header(header::COOKIE, &s.cookie);
    }
    b.body(Body::empty()).unwrap()
}

/// A form post; `fields` are URL-encoded.
pub fn form(uri: &str, session: Option<&Session>, fields: &[(&str, &str)]) -> Request<Body> {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut b = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(s) = session {
        b = b.header(header::COOKIE, &s.cookie);
    }
    b.body(Body::from(body)).unwrap()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
