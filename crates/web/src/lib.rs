//! The HTTP edge of Lianjian 联监: zh-CN server-rendered pages and the `/api/v1` JSON API.
//!
//! Handlers are thin: extractors authenticate ([`auth`]), the handler checks the permission matrix of
//! `lianjian_domain::org`, calls the store or a domain function, and renders. The server holds no
//! state of its own beyond the database, so several processes can run behind a load balancer.

pub mod accounts;
pub mod admin;
pub mod api;
pub mod auth;
pub mod deadlines_page;
pub mod error;
pub mod nav;
pub mod pages;
pub mod params_page;
pub mod plans;
pub mod registers;
pub mod registry;
pub mod registry_import;
pub mod reports;
pub mod templates;
pub mod upload;
pub mod xlsx;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use lianjian_store::Store;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Security and session settings (defaults are the 等保 level-3 values the issue names).
#[derive(Debug, Clone)]
pub struct Settings {
    pub idle_timeout_ms: i64,
    pub lockout_threshold: i64,
    pub lockout_window_ms: i64,
    pub lockout_duration_ms: i64,
    pub password_min_len: usize,
    /// Mark cookies `Secure` even when no proxy says the request came over TLS.
    pub secure_cookies: bool,
}

impl Settings {
    /// The security numbers in force on `day` (等保 level-3 values by default; operator-settable on the
    /// legal-parameters page, read at start).
    pub fn from_params(params: &lianjian_domain::params::ParamSet, day: time::Date) -> Settings {
        use lianjian_domain::params::ParamKey as K;
        let minutes = |k: K| params.value_on(k, day) * 60_000;
        Settings {
            idle_timeout_ms: minutes(K::SessionIdleTimeoutMinutes),
            lockout_threshold: params.value_on(K::LoginLockoutFailures, day),
            lockout_window_ms: minutes(K::LoginLockoutWindowMinutes),
            lockout_duration_ms: minutes(K::LoginLockoutMinutes),
            password_min_len: usize::try_from(params.value_on(K::PasswordMinLength, day)).unwrap_or(8),
            secure_cookies: false,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings::from_params(
            &lianjian_domain::params::ParamSet::defaults(),
            lianjian_domain::clock::Clock::system().today(),
        )
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub settings: Arc<Settings>,
    pub templates: Arc<minijinja::Environment<'static>>,
}

impl AppState {
    pub fn new(store: Store, settings: Settings) -> AppState {
        AppState { store, settings: Arc::new(settings), templates: Arc::new(templates::environment()) }
    }
}

/// The whole application: pages, API, assets and health check, with request ids, tracing and
/// security headers.
pub fn app(state: AppState) -> Router {
    let (api, _doc) = api::router();
    Router::new()
        .merge(pages::router())
        .merge(admin::router())
        .merge(plans::router())
        .merge(registry::router())
        .merge(registers::router())
        .merge(params_page::router())
        .merge(deadlines_page::router())
        .merge(reports::config::router())
        .merge(registry_import::router())
        .merge(reports::router())
        .merge(api)
        .route("/healthz", get(healthz))
        .route("/assets/site.css", get(site_css))
        .fallback(not_found)
        .with_state(state)
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; form-action 'self'; frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// The OpenAPI document of every API route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::router().1
}

async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

async fn site_css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], templates::SITE_CSS)
}

async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    let e = error::AppError::NotFound(format!("页面或接口不存在:{}", uri.path()));
    if uri.path().starts_with("/api/") {
        e.problem()
    } else {
        e.into_response()
    }
}

/// Serve until Ctrl-C or SIGTERM, then finish in-flight requests.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let store = state.store.clone();
    let idle = state.settings.idle_timeout_ms;
    // Idle sessions are refused on use anyway; this only keeps the table small.
    let sweeper = tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            tick.tick().await;
            if let Err(e) = store.expire_sessions(store.now_ms(), idle).await {
                tracing::warn!(error = %e, "session sweep failed");
            }
        }
    });
    // Off-site checks of uploaded batches run in the background (one per core of a district server).
    let workers = reports::spawn_workers(state.store.clone(), 2);
    let app = app(state).into_make_service_with_connect_info::<SocketAddr>();
    let result = axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await;
    sweeper.abort();
    workers.iter().for_each(tokio::task::JoinHandle::abort);
    result
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing in-flight requests");
}

/// An instant (Unix ms) as China Standard Time, to the minute.
pub fn format_ms(ms: i64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map(|t| t.to_offset(lianjian_domain::calendar::CST))
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::Settings;
    use lianjian_domain::params::{ParamKey, ParamSet};
    use time::macros::date;

    #[test]
    fn security_settings_follow_the_parameters_in_force() {
        let d = Settings::default();
        assert_eq!((d.lockout_threshold, d.lockout_window_ms, d.lockout_duration_ms), (5, 900_000, 900_000));
        assert_eq!((d.idle_timeout_ms, d.password_min_len), (1_800_000, 8));
        let mut p = ParamSet::defaults();
        p.set(ParamKey::LoginLockoutFailures, date!(2027 - 01 - 01), 3).unwrap();
        assert_eq!(Settings::from_params(&p, date!(2026 - 12 - 31)).lockout_threshold, 5);
        assert_eq!(Settings::from_params(&p, date!(2027 - 01 - 01)).lockout_threshold, 3);
    }
}
