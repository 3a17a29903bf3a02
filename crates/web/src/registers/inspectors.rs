//! The inspector registry 检查人员名录库 pages.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use lianjian_domain::org::{Category, Department, Permission};
use lianjian_store::inspectors::{ConflictReason, InspectorFilter, NewInspector};

use minijinja::context;
use serde::Deserialize;

use crate::auth::{Caller, PageCaller};
use crate::error::{AppError, PageResult};
use crate::pages::{field, FormData};
use crate::registry::parse_day;
use crate::templates::render;
use crate::xlsx::{xlsx_response, Cell};
use crate::AppState;

use super::{day_field, guard_form, redirect};

#[derive(Deserialize, Default, serde::Serialize)]
pub(super) struct InspectorQuery {
    department: Option<String>,
    specialty: Option<String>,
    active_on: Option<String>,
}

impl InspectorQuery {
    fn filter(&self, today: time::Date) -> PageResult<InspectorFilter> {
        let department = match self.department.as_deref().filter(|s| !s.is_empty()) {
            Some(d) => Some(d.parse::<Department>().map_err(|e| AppError::bad("department", e.to_string()))?),
            None => None,
        };
        let specialty = match self.specialty.as_deref().filter(|s| !s.is_empty()) {
            Some(c) => Some(c.parse::<Category>().map_err(|e| AppError::bad("specialty", e.to_string()))?),
            None => None,
        };
        let active_on = match self.active_on.as_deref().filter(|s| !s.is_empty()) {
            Some(_) => Some(parse_day("active_on", &self.active_on, today)?),
            None => None,
        };
        Ok(InspectorFilter { department, specialty, active_on })
    }
}

pub(super) fn specialties_zh(cs: &[Category]) -> String {
    cs.iter().map(|c| c.zh()).collect::<Vec<_>>().join("、")
}

pub(super) async fn render_inspectors(
    state: &AppState,
    caller: &Caller,
    q: &InspectorQuery,
    error: Option<String>,
) -> PageResult<Response> {
    let today = state.store.today();
    let rows: Vec<minijinja::Value> = state
        .store
        .inspectors(&q.filter(state.store.today())?)
        .await?
        .iter()
        .map(|i| {
            context! { code => i.code, name => i.name, department => i.department.zh(), cert => i.enforcement_cert_no,
                       specialties => specialties_zh(&i.specialties), max_tasks => i.max_tasks_per_plan,
                       active => i.is_active_on(today), conflicts => i.conflicts_on(today).count() }
        })
        .collect();
    let categories: Vec<minijinja::Value> =
        Category::ALL.iter().map(|c| context! { code => c.code(), zh => c.zh() }).collect();
    let ctx = context! { rows => rows, q => q, categories => categories, error => error,
    can_edit => caller.can(Permission::LeaderApproval), today => lianjian_registry::date::format(today) };
    let status = if ctx.get_attr("error").map(|e| !e.is_none()).unwrap_or(false) {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Html(render(
            &state.templates,
            "inspectors.html",
            "检查人员名录库",
            "/inspectors",
            Some(caller),
            ctx,
        )?),
    )
        .into_response())
}

pub(super) async fn inspectors_page(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Query(q): Query<InspectorQuery>,
) -> PageResult<Response> {
    caller.require(Permission::SupervisorWorkspace)?;
    render_inspectors(&state, &caller, &q, None).await
}

pub(super) async fn inspectors_xlsx(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Query(q): Query<InspectorQuery>,
) -> PageResult<Response> {
    caller.require(Permission::SupervisorWorkspace)?;
    let today = state.store.today();
    let rows: Vec<Vec<Cell>> = state
        .store
        .inspectors(&q.filter(state.store.today())?)
        .await?
        .iter()
        .map(|i| {
            vec![
                Cell::Text(i.code.clone()),
                Cell::Text(i.name.clone()),
                Cell::Text(i.department.zh().to_owned()),
                Cell::Text(i.enforcement_cert_no.clone()),
                Cell::Text(specialties_zh(&i.specialties)),
                Cell::Int(i.max_tasks_per_plan),
                Cell::Text(if i.is_active_on(today) { "在岗" } else { "停用" }.to_owned()),
            ]
        })
        .collect();
    let headers = ["编号", "姓名", "部门", "执法证号", "专业领域", "每计划最多任务", "状态"];
    xlsx_response("检查人员", &headers, &rows, "检查人员名录.xlsx")
}

pub(super) async fn inspector_add(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Form(form): FormData,
) -> PageResult<Response> {
    guard_form(&caller, &form, Permission::LeaderApproval)?;
    let specialties = form
        .iter()
        .filter(|(k, v)| k.starts_with("spec_") && v.as_str() == "on")
        .filter_map(|(k, _)| k.trim_start_matches("spec_").parse::<Category>().ok())
        .collect();
    let new = NewInspector {
        code: field(&form, "code").trim().to_owned(),
        department: caller.user.department,
        name: field(&form, "name").trim().to_owned(),
        enforcement_cert_no: field(&form, "cert").trim().to_owned(),
        specialties,
        max_tasks_per_plan: field(&form, "max_tasks").trim().parse().unwrap_or(5),
    };
    let from = day_field(&form, "from", state.store.today())?;
    match state.store.add_inspector(&caller.actor(), new, from).await {
        Ok(v) => Ok(redirect(format!("/inspectors/{}", v.code))),
        Err(e) => match AppError::from(e) {
            AppError::BadRequest { message, .. } | AppError::Conflict { message, .. } => {
                render_inspectors(&state, &caller, &InspectorQuery::default(), Some(message)).await
            }
            other => Err(other),
        },
    }
}

pub(super) async fn inspector_page(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(code): Path<String>,
) -> PageResult<Html<String>> {
    caller.require(Permission::SupervisorWorkspace)?;
    let i =
        state.store.inspector(&code).await?.ok_or_else(|| AppError::NotFound(format!("检查人员 {code}")))?;
    let fmt = lianjian_registry::date::format;
    let periods: Vec<minijinja::Value> = i
        .periods
        .iter()
        .map(|p| context! { from => fmt(p.from), to => p.deactivated_on.map(fmt), start_note => p.start_note, end_note => p.end_note })
        .collect();
    let conflicts: Vec<minijinja::Value> = i
        .conflicts
        .iter()
        .map(|c| context! { uscc => c.institution_uscc, reason => c.reason.zh(), from => fmt(c.from), to => c.to.map(fmt) })
        .collect();
    let ctx = context! {
        i => context! { code => i.code, name => i.name, department => i.department.zh(), cert => i.enforcement_cert_no,
                        specialties => specialties_zh(&i.specialties), max_tasks => i.max_tasks_per_plan,
                        active => i.is_active_on(state.store.today()) },
        periods => periods, conflicts => conflicts, can_edit => caller.can(Permission::LeaderApproval),
        today => fmt(state.store.today()),
    };
    Ok(Html(render(&state.templates, "inspector.html", &i.name, "/inspectors", Some(&caller), ctx)?))
}

/// Deactivate (`/deactivate`) or reactivate (`/reactivate`) an inspector: never a deletion.
pub(super) async fn inspector_activity(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path((code, action)): Path<(String, String)>,
    Form(form): FormData,
) -> PageResult<Response> {
    guard_form(&caller, &form, Permission::LeaderApproval)?;
    let (actor, day, reason) =
        (caller.actor(), day_field(&form, "on", state.store.today())?, field(&form, "reason"));
    match action.as_str() {
        "deactivate" => state.store.deactivate_inspector(&actor, &code, day, reason).await?,
        "reactivate" => state.store.reactivate_inspector(&actor, &code, day, reason).await?,
        other => return Err(AppError::NotFound(format!("操作 {other}"))),
    };
    Ok(redirect(format!("/inspectors/{code}")))
}

pub(super) async fn conflict_declare(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(code): Path<String>,
    Form(form): FormData,
) -> PageResult<Response> {
    guard_form(&caller, &form, Permission::LeaderApproval)?;
    let reason = match field(&form, "reason") {
        "former_employer" => ConflictReason::FormerEmployer,
        "relative" => ConflictReason::Relative,
        _ => ConflictReason::Other(field(&form, "note").trim().to_owned()),
    };
    let uscc = lianjian_domain::uscc::Uscc::parse(field(&form, "uscc"))
        .map_err(|e| AppError::bad("uscc", e.to_string()))?;
    let to = match field(&form, "to").trim() {
        "" => None,
        _ => Some(day_field(&form, "to", state.store.today())?),
    };
    state
        .store
        .declare_conflict(
            &caller.actor(),
            &code,
            uscc.as_str(),
            reason,
            day_field(&form, "from", state.store.today())?,
            to,
        )
        .await?;
    Ok(redirect(format!("/inspectors/{code}")))
}
