//! The HTTP edge of Lianjian 联监: zh-CN server-rendered pages and the `/api/v1` JSON API.
//!
//! Handlers are thin: extractors authenticate ([`auth`]), the handler checks the permission matrix of
//! `lianjian_domain::org`, calls the store or a domain function, and renders. The server holds no
//! state of its own beyond the database, so several processes can run behind a load balancer.

pub mod admin;
pub mod api;
pub mod auth;
pub mod deadlines_page;
pub mod error;
pub mod extract;
pub mod inspectors;
pub mod institutions;
pub mod items;
pub mod legal_params;
pub mod limits;
pub mod nav;
pub mod openapi;
pub mod pages;
pub mod partner_lists;
pub mod plans;
pub mod reports;
pub mod settings;
pub mod templates;
pub mod upload;
pub mod xlsx;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use lianjian_app::App;
use lianjian_domain::security::SecurityPolicy;
use lianjian_store::Store;
pub use settings::Settings;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// What every handler gets: the use cases, the operator's settings and the templates. Handlers reach
/// the database only through the use cases.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub settings: Arc<Settings>,
    pub templates: Arc<minijinja::Environment<'static>>,
}

impl AppState {
    pub fn new(store: Store, settings: Settings) -> AppState {
        let app = match settings.fixed_policy {
            Some(p) => App::with_fixed_policy(store, p),
            None => App::new(store),
        };
        AppState { app, settings: Arc::new(settings), templates: Arc::new(templates::environment()) }
    }

    /// The security policy in force (password, lockout, throttle, idle timeout).
    pub async fn policy(&self) -> Result<SecurityPolicy, error::AppError> {
        Ok(self.app.policy().await?)
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
        .merge(institutions::router())
        .merge(inspectors::router())
        .merge(items::router())
        .merge(partner_lists::router())
        .merge(legal_params::router())
        .merge(deadlines_page::router())
        .merge(reports::config::router())
        .merge(reports::router())
        .merge(api)
        .route("/healthz", get(healthz))
        .route("/assets/site.css", get(site_css))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
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
    match state.app.ping().await {
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

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> axum::response::Response {
    let e = error::AppError::MethodNotAllowed(method.to_string());
    if uri.path().starts_with("/api/") {
        e.problem()
    } else {
        e.into_response()
    }
}

/// Serve until Ctrl-C or SIGTERM, then finish in-flight requests.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let sweeping = state.clone();
    // Idle sessions and stale address failures are refused or ignored on use anyway; this only keeps
    // the tables small.
    let sweeper = tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            tick.tick().await;
            if let Err(e) = sweeping.app.sweep().await {
                tracing::warn!(error = %e, "session sweep failed");
            }
        }
    });
    // Off-site checks of uploaded batches run in the background (one per core of a district server).
    let workers = lianjian_app::worker::spawn_workers(state.app.clone(), 2);
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
