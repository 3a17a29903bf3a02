//! Who is calling: sessions (cookie) and API tokens (Bearer), idle expiry, CSRF, permission checks.

use std::net::{IpAddr, SocketAddr};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum_extra::extract::cookie::{Cookie, SameSite};
use lianjian_domain::org::{allows, Department, Permission};
use lianjian_store::audit::Actor;
use lianjian_store::users::User;

use crate::error::{ApiError, AppError};
use crate::{AppState, Settings};

pub const SESSION_COOKIE: &str = "lj_session";

/// The signed-in caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub via: Via,
    pub ip: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Via {
    Session { token_hash: String, csrf: String },
    Token,
}

impl Caller {
    pub fn can(&self, p: Permission) -> bool {
        allows(self.user.role, self.user.department, p)
    }

    pub fn require(&self, p: Permission) -> Result<(), AppError> {
        if self.can(p) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// A supervisor workspace is scoped to the caller's own department.
    pub fn require_workspace(&self, d: Department) -> Result<(), AppError> {
        self.require(Permission::SupervisorWorkspace)?;
        if self.user.department == d {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn actor(&self) -> Actor {
        Actor {
            user: self.user.username.clone(),
            department: self.user.department.code().to_owned(),
            role: self.user.role.code().to_owned(),
            ip: self.ip.clone(),
        }
    }

    pub fn csrf(&self) -> &str {
        match &self.via {
            Via::Session { csrf, .. } => csrf,
            Via::Token => "",
        }
    }

    /// A posted page form: the caller holds `p`, and the form carries this session's CSRF token.
    pub fn check_form(&self, p: Permission, csrf: &str) -> Result<(), AppError> {
        self.require(p)?;
        self.check_csrf(Some(csrf))
    }

    /// Check the `_csrf` field of a posted form.
    pub fn check_form_csrf(&self, form: &std::collections::HashMap<String, String>) -> Result<(), AppError> {
        self.check_csrf(form.get("_csrf").map(String::as_str))
    }

    /// Check the CSRF token of a state-changing request made with the session cookie.
    pub fn check_csrf(&self, presented: Option<&str>) -> Result<(), AppError> {
        match &self.via {
            Via::Token => Ok(()),
            Via::Session { csrf, .. } => {
                if presented.is_some_and(|p| constant_time_eq(p.as_bytes(), csrf.as_bytes())) {
                    Ok(())
                } else {
                    Err(AppError::Csrf)
                }
            }
        }
    }
}

/// The CSRF token of a multipart upload, carried in the query string because the body is the file.
#[derive(Debug, serde::Deserialize)]
pub struct CsrfQuery {
    #[serde(rename = "_csrf")]
    pub csrf: Option<String>,
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub use lianjian_app::password::{random_token, token_hash};

/// The client's address: the connection's, or — only when the connection comes from a proxy the
/// operator declared trusted — the right-most address in `X-Forwarded-For` that is not itself a
/// trusted proxy. Anything in the header that is not an IP address makes the header ignored.
pub fn client_ip(settings: &Settings, headers: &HeaderMap, peer: Option<SocketAddr>) -> Option<String> {
    let peer = peer?.ip();
    if !settings.is_trusted_proxy(peer) {
        return Some(peer.to_string());
    }
    let forwarded: Option<Vec<IpAddr>> = headers
        .get_all("x-forwarded-for")
        .iter()
        .map(|v| v.to_str().ok())
        .collect::<Option<Vec<&str>>>()
        .and_then(|values| {
            values.iter().flat_map(|v| v.split(',')).map(|a| a.trim().parse::<IpAddr>().ok()).collect()
        });
    let client = forwarded.and_then(|list| list.into_iter().rev().find(|a| !settings.is_trusted_proxy(*a)));
    Some(client.unwrap_or(peer).to_string())
}

/// The caller's address as [`client_ip`] finds it, for handlers that sign in.
pub struct ClientAddress(pub Option<String>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(client_ip(&state.settings, &parts.headers, peer_of(parts))))
    }
}

fn peer_of(parts: &Parts) -> Option<SocketAddr> {
    parts.extensions.get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0)
}

/// A sign-in posted from another site is refused (login CSRF): when the browser sends `Origin`, it
/// must be this host.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()), host) {
        (Some(origin), Some(host)) => origin.split_once("://").map(|(_, h)| h == host).unwrap_or(false),
        (None, _) => true,
        (Some(_), None) => false,
    }
}

/// Whether cookies must be `Secure`: configured, or the request arrived over TLS at a proxy.
pub fn is_https(state: &AppState, headers: &HeaderMap) -> bool {
    state.settings.secure_cookies
        || headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https")
}

pub fn session_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/")
        .build()
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|raw| {
        raw.split(';').filter_map(|kv| Cookie::parse(kv.trim().to_owned()).ok()).find_map(|c| {
            if c.name() == name {
                Some(c.value().to_owned())
            } else {
                None
            }
        })
    })
}

/// Authenticate from a Bearer token or the session cookie. `Ok(None)` = anonymous.
pub async fn authenticate(parts: &Parts, state: &AppState) -> Result<Option<Caller>, AppError> {
    let ip = client_ip(&state.settings, &parts.headers, peer_of(parts));
    if let Some(auth) = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let token = auth.strip_prefix("Bearer ").ok_or(AppError::Unauthenticated)?;
        return match state.app.token_user(token.trim()).await? {
            Some(user) => Ok(Some(Caller { user, via: Via::Token, ip })),
            None => Err(AppError::Unauthenticated),
        };
    }
    let Some(token) = cookie_value(&parts.headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let Some((session, user)) = state.app.session_user(&token).await? else {
        return Ok(None);
    };
    Ok(Some(Caller {
        user,
        via: Via::Session { token_hash: token_hash(&token), csrf: session.csrf_token },
        ip,
    }))
}

/// A page caller: anonymous callers are sent to the sign-in page; a pending password change is forced.
pub struct PageCaller(pub Caller);

impl FromRequestParts<AppState> for PageCaller {
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        match authenticate(parts, state).await {
            Ok(Some(c)) => {
                if c.user.must_change_password && parts.uri.path() != "/account/password" {
                    return Err(axum::response::Redirect::to("/account/password").into_response());
                }
                Ok(PageCaller(c))
            }
            Ok(None) => Err(AppError::Unauthenticated.into_response()),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// A page that anyone may see, signed in or not.
pub struct MaybeCaller(pub Option<Caller>);

impl FromRequestParts<AppState> for MaybeCaller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(MaybeCaller(authenticate(parts, state).await.unwrap_or(None)))
    }
}

/// What a password-signed-in session that must change its password may still call: who it is, sign
/// out, and the change itself. (API tokens are made for systems and are not affected.)
const BEFORE_PASSWORD_CHANGE: &[(&str, &str)] =
    &[("GET", "/api/v1/me"), ("DELETE", "/api/v1/session"), ("POST", "/api/v1/me/password")];

/// An API caller: anonymous is a 401 problem; session callers must send `X-CSRF-Token` on writes,
/// and a session whose password must be changed may call nothing but [`BEFORE_PASSWORD_CHANGE`].
pub struct ApiCaller(pub Caller);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let caller = authenticate(parts, state).await?.ok_or(AppError::Unauthenticated)?;
        if !parts.method.is_safe() {
            let presented = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
            caller.check_csrf(presented)?;
        }
        if caller.user.must_change_password && matches!(caller.via, Via::Session { .. }) {
            let call = (parts.method.as_str(), parts.uri.path());
            if !BEFORE_PASSWORD_CHANGE.contains(&call) {
                return Err(AppError::PasswordChangeRequired.into());
            }
        }
        Ok(ApiCaller(caller))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_eq_compares_exactly() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
