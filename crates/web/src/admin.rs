//! The three administrators' pages (三员分立): accounts (system), security (security), audit (audit).

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use lianjian_domain::org::{Department, Permission, Role};
use lianjian_store::audit::AuditFilter;
use minijinja::context;
use serde::Serialize;

use crate::auth::PageCaller;
use crate::error::{AppError, PageResult};
use crate::pages::{field, FormData};
use crate::templates::render;
use crate::AppState;
use lianjian_app::accounts::NewAccount;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(users_page).post(users_create))
        .route("/admin/security", get(security_page))
        .route("/admin/security/unlock", post(security_unlock))
        .route("/admin/security/active", post(security_active))
        .route("/admin/security/tokens", post(security_token_create))
        .route("/admin/security/tokens/{id}/revoke", post(security_token_revoke))
        .route("/admin/security/params", post(security_param_set))
        .route("/admin/audit", get(audit_page))
        .route("/admin/audit/export", get(audit_export))
}

#[derive(Serialize)]
struct UserRow {
    username: String,
    display_name: String,
    department_zh: &'static str,
    role_zh: &'static str,
    institution_uscc: Option<String>,
    active: bool,
    locked: bool,
}

async fn user_rows(state: &AppState) -> PageResult<Vec<UserRow>> {
    let now = state.app.now_ms();
    Ok(state
        .app
        .users()
        .await?
        .into_iter()
        .map(|u| UserRow {
            locked: u.locked_until.is_some_and(|t| t > now),
            username: u.username,
            display_name: u.display_name,
            department_zh: u.department.zh(),
            role_zh: u.role.zh(),
            institution_uscc: u.institution_uscc,
            active: u.active,
        })
        .collect())
}

#[derive(Serialize)]
struct Code {
    code: &'static str,
    zh: &'static str,
}

async fn render_users(
    state: &AppState,
    caller: &crate::auth::Caller,
    error: Option<String>,
) -> PageResult<String> {
    let departments: Vec<Code> =
        Department::ALL.iter().map(|d| Code { code: d.code(), zh: d.zh() }).collect();
    let roles: Vec<Code> = Role::ALL.iter().map(|r| Code { code: r.code(), zh: r.zh() }).collect();
    let ctx = context! { users => user_rows(state).await?, departments => departments, roles => roles, error => error };
    render(&state.templates, "admin_users.html", "账户管理", "/admin/users", Some(caller), ctx)
}

async fn users_page(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Html<String>> {
    caller.require(Permission::ManageAccounts)?;
    Ok(Html(render_users(&state, &caller, None).await?))
}

async fn users_create(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Form(form): FormData,
) -> PageResult<Response> {
    caller.require(Permission::ManageAccounts)?;
    caller.check_form_csrf(&form)?;
    let parsed = (|| -> Result<NewAccount, AppError> {
        let department = field(&form, "department")
            .parse::<Department>()
            .map_err(|e| AppError::bad("department", e.to_string()))?;
        let role = field(&form, "role").parse::<Role>().map_err(|e| AppError::bad("role", e.to_string()))?;
        let institution =
            Some(field(&form, "institution").trim()).filter(|s| !s.is_empty()).map(str::to_owned);
        Ok(NewAccount {
            username: field(&form, "username").to_owned(),
            display_name: field(&form, "display_name").trim().to_owned(),
            department,
            role,
            institution_uscc: institution,
            password: field(&form, "password").to_owned(),
            must_change_password: true,
        })
    })();
    let result = match parsed {
        Ok(acc) => state.app.create_user(&caller.actor(), acc).await.map(|_| ()).map_err(AppError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/admin/users").into_response()),
        Err(AppError::BadRequest { message, .. }) | Err(AppError::Conflict { message, .. }) => {
            let html = render_users(&state, &caller, Some(message)).await?;
            Ok((axum::http::StatusCode::BAD_REQUEST, Html(html)).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Serialize)]
struct TokenRow {
    id: i64,
    username: String,
    label: String,
    created: String,
    revoked: bool,
}

#[derive(Serialize)]
struct SecurityParamRow {
    code: &'static str,
    label: &'static str,
    unit: &'static str,
    value: i64,
    from: String,
    min: i64,
    max: i64,
    basis: &'static str,
}

async fn render_security(
    state: &AppState,
    caller: &crate::auth::Caller,
    new_token: Option<String>,
    error: Option<String>,
) -> PageResult<String> {
    let users = state.app.users().await?;
    let tokens: Vec<TokenRow> = state
        .app
        .api_tokens()
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            username: users
                .iter()
                .find(|u| u.id == t.user_id)
                .map(|u| u.username.clone())
                .unwrap_or_default(),
            label: t.label,
            created: crate::format_ms(t.created_at),
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    let p = state.policy().await?;
    let today = state.app.today();
    let set = state.app.param_set().await?;
    let params: Vec<SecurityParamRow> = lianjian_domain::params::ParamKey::SECURITY
        .iter()
        .map(|&k| {
            let info = k.info();
            let (from, value, _) = set.entry_on(k, today);
            let (min, max) = k.bounds().unwrap_or((0, 0));
            SecurityParamRow {
                code: info.code,
                label: info.label,
                unit: info.unit.label(),
                value,
                from: lianjian_registry::date::format(from),
                min,
                max,
                basis: info.basis,
            }
        })
        .collect();
    let ctx = context! {
        users => user_rows(state).await?, tokens => tokens, new_token => new_token, params => params,
        error => error, today => lianjian_registry::date::format(today),
        min_len => p.password_min_len, threshold => p.lockout_threshold,
        lock_minutes => p.lockout_duration_ms / 60_000, idle_minutes => p.idle_timeout_ms / 60_000,
    };
    render(&state.templates, "admin_security.html", "安全管理", "/admin/security", Some(caller), ctx)
}

async fn security_page(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Html<String>> {
    caller.require(Permission::ManageSecurity)?;
    Ok(Html(render_security(&state, &caller, None, None).await?))
}

fn security_guard(caller: &crate::auth::Caller, form: &HashMap<String, String>) -> PageResult<()> {
    caller.require(Permission::ManageSecurity)?;
    caller.check_form_csrf(form)
}

async fn security_unlock(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Form(form): FormData,
) -> PageResult<Redirect> {
    security_guard(&caller, &form)?;
    state.app.unlock(&caller.actor(), field(&form, "username")).await?;
    Ok(Redirect::to("/admin/security"))
}

async fn security_active(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Form(form): FormData,
) -> PageResult<Redirect> {
    security_guard(&caller, &form)?;
    let username = field(&form, "username");
    if username == caller.user.username {
        return Err(AppError::bad("username", "不能停用自己的账户"));
    }
    state.app.set_active(&caller.actor(), username, field(&form, "active") == "1").await?;
    Ok(Redirect::to("/admin/security"))
}

async fn security_token_create(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Form(form): FormData,
) -> PageResult<Html<String>> {
    security_guard(&caller, &form)?;
    let label = field(&form, "label").trim();
    if label.is_empty() {
        return Err(AppError::bad("label", "请填写令牌用途"));
    }
    let secret = state.app.create_token(&caller.actor(), field(&form, "username").trim(), label).await?;
    Ok(Html(render_security(&state, &caller, Some(secret), None).await?))
}

async fn security_token_revoke(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(id): Path<i64>,
    Form(form): FormData,
) -> PageResult<Redirect> {
    security_guard(&caller, &form)?;
    state.app.revoke_token(&caller.actor(), id).await?;
    Ok(Redirect::to("/admin/security"))
}

/// The security administrator sets a security parameter (password, lockout, throttle, idle
/// timeout), within the 等保 floors and ceilings; audited as `param.set`; applies at once here and
/// within half a minute in the other server processes.
async fn security_param_set(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Form(form): FormData,
) -> PageResult<Response> {
    security_guard(&caller, &form)?;
    let key = lianjian_domain::params::ParamKey::from_code(field(&form, "key"))
        .filter(|k| k.is_security())
        .ok_or_else(|| AppError::bad("key", "请选择安全参数"))?;
    let from = crate::extract::parse_day("from", &form.get("from").cloned(), state.app.today())?;
    let Ok(value) = field(&form, "value").trim().parse::<i64>() else {
        let html = render_security(&state, &caller, None, Some("参数值必须是整数".into())).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    };
    match state
        .app
        .set_param(&caller.actor(), key, from, value, field(&form, "note"))
        .await
        .map_err(AppError::from)
    {
        Ok(()) => Ok(Redirect::to("/admin/security").into_response()),
        Err(e @ AppError::Internal(_)) => Err(e),
        Err(e) => {
            let html = render_security(&state, &caller, None, Some(e.to_string())).await?;
            Ok((e.status(), Html(html)).into_response())
        }
    }
}

#[derive(serde::Deserialize, Serialize, Default)]
struct AuditQuery {
    user: Option<String>,
    action: Option<String>,
    object: Option<String>,
    verify: Option<String>,
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_ref().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

async fn audit_page(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Query(q): Query<AuditQuery>,
) -> PageResult<Html<String>> {
    caller.require(Permission::ReadAudit)?;
    let filter = AuditFilter {
        user: non_empty(&q.user),
        action: non_empty(&q.action),
        object_id: non_empty(&q.object),
        from_seq: None,
    };
    let entries = state.app.audit_search(&filter, 500, 0).await?;
    let (head_seq, head_hash) = state.app.audit_head().await?;
    // The audit administrator's first question is whether the chain still verifies: every view
    // answers it (SM3 over each entry; fast for a district's log).
    let v = state.app.audit_verify().await?;
    let verify = Some(context! { ok => v.ok, message => v.message });
    let ctx = context! { entries => entries, head_seq => head_seq, head_hash => head_hash, verify => verify, f => q };
    Ok(Html(render(&state.templates, "admin_audit.html", "审计日志", "/admin/audit", Some(&caller), ctx)?))
}

/// JSON Lines export of the whole chain, exactly the spec's entry form.
async fn audit_export(State(state): State<AppState>, PageCaller(caller): PageCaller) -> PageResult<Response> {
    caller.require(Permission::ReadAudit)?;
    let out = state.app.audit_export(&caller.actor()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-ndjson; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"lianjian-audit.jsonl\""),
        ],
        Body::from(out),
    )
        .into_response())
}
