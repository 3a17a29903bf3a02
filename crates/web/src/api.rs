//! The JSON API under `/api/v1`. Every route is registered through `utoipa_axum::routes!`, so the
//! OpenAPI document served at `/api/v1/openapi.json` is generated from the handlers themselves.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use axum_extra::extract::cookie::{Cookie, CookieJar};
use lianjian_domain::org::Permission;
use lianjian_store::audit::AuditFilter;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{self, ApiCaller, ClientAddress, SESSION_COOKIE};
use crate::error::{ApiResult, AppError, Problem};
use crate::extract::{ApiBytes, ApiQuery};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "联监 Lianjian API",
        version = "1",
        description = "生态环境监测机构综合监管平台接口。错误均为 RFC 9457 problem JSON。"
    ),
    components(schemas(Problem))
)]
struct ApiDoc;

/// The API router and its OpenAPI document.
pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(create_session, delete_session))
        .routes(routes!(me))
        .routes(routes!(change_password))
        .routes(routes!(audit_entries))
        .routes(routes!(audit_head))
        .routes(routes!(crate::plans::api::list))
        .routes(routes!(crate::plans::api::one))
        .routes(routes!(crate::plans::api::record))
        .routes(routes!(crate::plans::api::tasks))
        .routes(routes!(crate::plans::api::task))
        .routes(routes!(crate::institutions::api::list))
        .routes(routes!(crate::institutions::api::one))
        .routes(routes!(crate::institutions::api::standing))
        .routes(routes!(crate::institutions::api::export, crate::institutions::api::import))
        .routes(routes!(crate::inspectors::api::list))
        .routes(routes!(crate::items::api::list))
        .routes(routes!(crate::partner_lists::api::board))
        .routes(routes!(crate::reports::api::upload_reports))
        .routes(routes!(crate::reports::api::validate_reports))
        .routes(routes!(crate::reports::api::batch))
        .routes(routes!(crate::reports::api::batch_findings))
        .routes(routes!(crate::reports::api::recheck))
        .routes(routes!(crate::reports::api::findings))
        .split_for_parts();
    // Applied to the whole document, after every route has added its operation.
    let mut doc = doc;
    utoipa::Modify::modify(&crate::openapi::Conventions, &mut doc);
    let doc_json = doc.clone();
    let router = router.route(
        "/api/v1/openapi.json",
        axum::routing::get(move || {
            let doc = doc_json.clone();
            async move { Json(doc) }
        }),
    );
    (router, doc)
}

/// A JSON body whose errors are 400 problems naming the offending field.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for ApiJson<T> {
    type Rejection = crate::error::ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let ApiBytes(bytes) = ApiBytes::from_request(req, state).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Deserialize a JSON body; errors are 400 problems naming the offending field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, crate::error::ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let inner = e.inner().to_string();
        let path = e.path().to_string();
        let field =
            if let Some(missing) = inner.split('`').nth(1).filter(|_| inner.starts_with("missing field")) {
                if path == "." {
                    missing.to_owned()
                } else {
                    format!("{path}.{missing}")
                }
            } else if path == "." {
                "body".to_owned()
            } else {
                path
            };
        crate::error::ApiError(AppError::bad(&field, format!("请求 JSON 无效(字段 {field}):{inner}")))
    })
}

#[derive(Deserialize, ToSchema)]
pub struct SignIn {
    username: String,
    password: String,
}

/// The caller as the API describes it.
#[derive(Serialize, ToSchema)]
pub struct Me {
    username: String,
    display_name: String,
    /// Department code: EEB, MSA, AGRI, PLAN, WATER, TRANSPORT, GREEN, INST, OPS.
    department: String,
    role: String,
    institution_uscc: Option<String>,
    must_change_password: bool,
    /// Send back as `X-CSRF-Token` on state-changing requests made with the session cookie.
    csrf_token: Option<String>,
    /// On sign-in only: failed sign-ins on this account since the last successful one.
    #[serde(skip_serializing_if = "Option::is_none")]
    failed_sign_ins_before: Option<i64>,
}

fn me_of(caller: &auth::Caller) -> Me {
    let u = &caller.user;
    Me {
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        department: u.department.code().to_owned(),
        role: u.role.code().to_owned(),
        institution_uscc: u.institution_uscc.clone(),
        must_change_password: u.must_change_password,
        csrf_token: match &caller.via {
            auth::Via::Session { csrf, .. } => Some(csrf.clone()),
            auth::Via::Token => None,
        },
        failed_sign_ins_before: None,
    }
}

/// Sign in; sets the session cookie. The body must be `application/json`, and a browser's `Origin`
/// must be this host (login CSRF). Failures get one answer whether or not the account exists; too
/// many failures from one address answer 429 for a while.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = SignIn,
    responses((status = 200, body = Me), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 415, body = Problem), (status = 429, body = Problem)))]
async fn create_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientAddress(ip): ClientAddress,
    jar: CookieJar,
    ApiBytes(body): ApiBytes,
) -> ApiResult<Response> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(AppError::UnsupportedMediaType("登录请求体须为 application/json".into()).into());
    }
    if !auth::same_origin(&headers) {
        return Err(AppError::Csrf.into());
    }
    let body: SignIn = parse_json(&body)?;
    let signed = state.app.sign_in(&body.username, &body.password, ip.clone()).await?;
    let user = signed.user;
    let session = state.app.start_session(&user, ip.as_deref()).await?;
    let csrf = session.csrf;
    let caller = auth::Caller { user, via: auth::Via::Session { token_hash: String::new(), csrf }, ip };
    let jar = jar.add(auth::session_cookie(session.token, auth::is_https(&state, &headers)));
    let me = Me { failed_sign_ins_before: Some(signed.failures_before), ..me_of(&caller) };
    Ok((jar, Json(me)).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordChange {
    old_password: String,
    new_password: String,
}

/// Change one's own password. The caller's other sessions end (API tokens are left alone); a wrong
/// old password counts toward the lockout. Allowed, with `/api/v1/me` and sign-out, before a
/// required change.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "session", request_body = PasswordChange,
    security(("bearer" = []), ("session" = [])),
    responses((status = 204), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn change_password(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    let keep = match &caller.via {
        auth::Via::Session { token_hash, .. } => Some(token_hash.as_str()),
        auth::Via::Token => None,
    };
    let passwords = (body.old_password.as_str(), body.new_password.as_str());
    state.app.change_password(&caller.actor(), &caller.user, passwords, keep).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sign out the current session.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session",
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn delete_session(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    jar: CookieJar,
) -> ApiResult<Response> {
    if let auth::Via::Session { token_hash, .. } = &caller.via {
        state.app.sign_out(&caller.actor(), token_hash).await?;
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/").build());
    Ok((jar, StatusCode::NO_CONTENT).into_response())
}

/// The signed-in caller (session cookie or `Authorization: Bearer` token).
#[utoipa::path(get, path = "/api/v1/me", tag = "session",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
async fn me(ApiCaller(caller): ApiCaller) -> Json<Me> {
    Json(me_of(&caller))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    user: Option<String>,
    /// Action prefix, e.g. `session.` or `user.create`.
    action: Option<String>,
    object: Option<String>,
    /// Entries per page, 1–1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
    /// Entries to skip, 0–100000000.
    #[param(minimum = 0, maximum = 100_000_000)]
    offset: Option<i64>,
}

/// Search the audit log, newest first (audit administrator only).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Entries as in lianjian-audit-v1"), (status = 403, body = Problem)))]
async fn audit_entries(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Vec<serde_json::Value>>> {
    caller.require(Permission::ReadAudit)?;
    let (limit, offset) = crate::extract::paging(q.limit, q.offset, 100, 1000)?;
    let f = AuditFilter { user: q.user, action: q.action, object_id: q.object, from_seq: None };
    Ok(Json(state.app.audit_search(&f, limit, offset).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Head {
    seq: i64,
    hash: String,
}

/// The newest audit hash (the head), for publication.
#[utoipa::path(get, path = "/api/v1/audit/head", tag = "audit",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Head), (status = 403, body = Problem)))]
async fn audit_head(State(state): State<AppState>, ApiCaller(caller): ApiCaller) -> ApiResult<Json<Head>> {
    caller.require(Permission::ReadAudit)?;
    let (seq, hash) = state.app.audit_head().await?;
    Ok(Json(Head { seq, hash }))
}
