//! The legal parameters 法定参数 page (`/params`; the security parameters are the security
//! administrator's, on the security page in `admin.rs`): every number the platform applies, its basis, how sure we are
//! of it (`[U]` values are flagged for confirmation), its value today and its history; the system
//! administrator adds effective-dated values.

use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use lianjian_domain::org::Permission;
use lianjian_domain::params::{Confidence, ParamKey};
use minijinja::context;
use serde::Deserialize;

use crate::auth::{Caller, PageCaller};
use crate::error::{AppError, PageResult};
use crate::extract::{parse_day, PageForm};
use crate::templates::render;
use crate::AppState;

/// A value for a parameter from a day on, with its basis.
#[derive(Deserialize)]
struct SetForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    value: String,
    #[serde(default)]
    note: String,
}

/// A year's holiday file and where it comes from.
#[derive(Deserialize)]
struct CalendarForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    note: String,
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/params", get(page).post(set))
        .route("/params/calendar", axum::routing::post(add_calendar))
}

fn can_view(caller: &Caller) -> bool {
    caller.can(Permission::SupervisorWorkspace) || caller.can(Permission::ManageAccounts)
}

async fn render_page(state: &AppState, caller: &Caller, error: Option<String>) -> PageResult<Response> {
    let today = state.app.today();
    let set = state.app.param_set().await?;
    let entries = state.app.param_entries().await?;
    let fmt = lianjian_domain::date::format;
    let rows: Vec<minijinja::Value> = ParamKey::ALL
        .iter()
        .map(|&k| {
            let info = k.info();
            let (from, value, operator) = set.entry_on(k, today);
            let defaults: Vec<String> =
                info.defaults.iter().map(|(d, v)| format!("{} 起 {v}", fmt(*d))).collect();
            let history: Vec<String> = entries
                .iter()
                .filter(|e| e.key == k)
                .map(|e| format!("{} 起 {}({},{})", e.effective_from, e.value, e.set_by, e.note))
                .collect();
            context! {
                code => info.code, label => info.label, unit => info.unit.label(), basis => info.basis,
                mark => info.confidence.mark(), confidence => info.confidence.label(),
                unconfirmed => info.confidence == Confidence::Unconfirmed,
                security => k.is_security(),
                value => value, from => fmt(from), operator => operator,
                defaults => defaults.join(";"), history => history.join(";"),
            }
        })
        .collect();
    let calendar = state.app.calendar().await?;
    let years: Vec<minijinja::Value> = calendar
        .known_years()
        .into_iter()
        .map(|y| context! { year => y, papers => calendar.papers(y).join(" ") })
        .collect();
    let next_year = today.year() + 1;
    let ctx = context! {
        rows => rows, can_edit => caller.can(Permission::ManageAccounts), error => error, today => fmt(today),
        years => years, next_year => next_year, next_year_missing => !calendar.is_known_year(next_year),
    };
    let status = if ctx.get_attr("error").is_ok_and(|e| !e.is_none()) {
        axum::http::StatusCode::BAD_REQUEST
    } else {
        axum::http::StatusCode::OK
    };
    Ok((
        status,
        Html(render(&state.templates, "legal_params.html", "法定参数", "/params", Some(caller), ctx)?),
    )
        .into_response())
}

async fn page(State(state): State<AppState>, PageCaller(caller): PageCaller) -> PageResult<Response> {
    if !can_view(&caller) {
        return Err(AppError::Forbidden);
    }
    render_page(&state, &caller, None).await
}

async fn set(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    PageForm(form): PageForm<SetForm>,
) -> PageResult<Response> {
    caller.check_form(Permission::ManageAccounts, &form.csrf)?;
    let key = ParamKey::from_code(&form.key).ok_or_else(|| AppError::bad("key", "请选择参数"))?;
    let from = parse_day("from", &form.from, state.app.today())?;
    let value: i64 = form.value.trim().parse().map_err(|_| AppError::bad("value", "参数值必须是整数"))?;
    match state.app.set_param(&caller.actor(), key, from, value, &form.note).await.map_err(AppError::from) {
        Ok(()) => Ok(Redirect::to("/params").into_response()),
        Err(e) => again(&state, &caller, e).await,
    }
}

/// Add a year's official holiday calendar (holiday-cn JSON, from the State Council notice).
async fn add_calendar(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    PageForm(form): PageForm<CalendarForm>,
) -> PageResult<Response> {
    caller.check_form(Permission::ManageAccounts, &form.csrf)?;
    let added = state.app.add_calendar_year(&caller.actor(), &form.content, &form.note).await;
    match added.map_err(AppError::from) {
        Ok((_, recount)) if recount.pending > 0 => Ok(Redirect::to("/deadlines").into_response()),
        Ok(_) => Ok(Redirect::to("/params").into_response()),
        Err(e) => again(&state, &caller, e).await,
    }
}

/// The page again with the refusal shown, under the refusal's status; an internal error is not shown.
async fn again(state: &AppState, caller: &Caller, e: AppError) -> PageResult<Response> {
    if matches!(e, AppError::Internal(_)) {
        return Err(e);
    }
    let mut page = render_page(state, caller, Some(e.to_string())).await?;
    *page.status_mut() = e.status();
    Ok(page)
}
