//! The inspector register's pages: the list (filters, Excel export, the add form for leaders) and an
//! inspector's page (periods, conflicts, deactivate / reactivate, declare a conflict).

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use lianjian_domain::inspectors::{ConflictReason, InspectorFilter, NewInspector};
use lianjian_domain::org::{Category, Department, Permission};
use minijinja::context;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::auth::{Caller, PageCaller};
use crate::error::{AppError, PageResult};
use crate::extract::{parse_day, parse_day_opt, PageForm};
use crate::templates::{render, render_status};
use crate::xlsx::{xlsx_response, Cell};
use crate::AppState;

/// The list's filters (the page's query string; the API's list takes the same names).
#[derive(Deserialize, Default, Serialize)]
pub struct InspectorQuery {
    /// `EEB` or `MSA`.
    pub department: Option<String>,
    /// A monitoring category code (`water`, …) or its Chinese name.
    pub specialty: Option<String>,
    /// Only those on duty that day (`YYYY-MM-DD`).
    pub active_on: Option<String>,
}

impl InspectorQuery {
    pub fn filter(&self) -> PageResult<InspectorFilter> {
        let department = match self.department.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(d) => Some(d.parse::<Department>().map_err(|e| AppError::bad("department", e.to_string()))?),
            None => None,
        };
        let specialty = match self.specialty.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(c) => Some(c.parse::<Category>().map_err(|e| AppError::bad("specialty", e.to_string()))?),
            None => None,
        };
        Ok(InspectorFilter { department, specialty, active_on: parse_day_opt("active_on", &self.active_on)? })
    }
}

/// A new inspector, as the list page's form posts it (the department is the leader's own).
#[derive(Deserialize)]
pub(super) struct AddForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    /// 执法证号.
    #[serde(default)]
    cert: String,
    #[serde(default)]
    max_tasks: Option<String>,
    /// On duty from (`YYYY-MM-DD`; today when blank).
    #[serde(default)]
    from: Option<String>,
    /// One per ticked box.
    #[serde(default)]
    specialty: Vec<Category>,
}

/// A deactivation or a reactivation.
#[derive(Deserialize)]
pub(super) struct ActivityForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    on: Option<String>,
    #[serde(default)]
    reason: String,
}

/// A declared conflict of interest.
#[derive(Deserialize)]
pub(super) struct ConflictForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    uscc: String,
    /// `former_employer`, `relative` or `other` (with `note`).
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

pub(super) fn specialties_zh(cs: &[Category]) -> String {
    cs.iter().map(|c| c.zh()).collect::<Vec<_>>().join("、")
}

async fn render_list(
    state: &AppState,
    caller: &Caller,
    q: &InspectorQuery,
    error: Option<AppError>,
) -> PageResult<Response> {
    let today = state.app.today();
    let rows: Vec<minijinja::Value> = state
        .app
        .inspectors(&q.filter()?)
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
    let status = error.as_ref().map_or(axum::http::StatusCode::OK, AppError::status);
    let ctx = context! { rows => rows, q => q, categories => categories, error => error.map(|e| e.to_string()),
    can_edit => caller.can(Permission::LeaderApproval), today => lianjian_domain::date::format(today) };
    let page = ("inspectors_list.html", "检查人员名录库", "/inspectors");
    render_status(&state.templates, page, caller, ctx, status)
}

pub(super) async fn list(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Query(q): Query<InspectorQuery>,
) -> PageResult<Response> {
    caller.require(Permission::SupervisorWorkspace)?;
    render_list(&state, &caller, &q, None).await
}

pub(super) async fn list_xlsx(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Query(q): Query<InspectorQuery>,
) -> PageResult<Response> {
    caller.require(Permission::SupervisorWorkspace)?;
    let today = state.app.today();
    let rows: Vec<Vec<Cell>> = state
        .app
        .inspectors(&q.filter()?)
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

pub(super) async fn add(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    PageForm(form): PageForm<AddForm>,
) -> PageResult<Response> {
    caller.check_form(Permission::LeaderApproval, &form.csrf)?;
    let max_tasks = match form.max_tasks.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => 5,
        Some(n) => n.parse().map_err(|_| AppError::bad("max_tasks", "每计划最多任务数应为整数"))?,
    };
    let new = NewInspector {
        code: form.code,
        department: caller.user.department,
        name: form.name,
        enforcement_cert_no: form.cert,
        specialties: form.specialty,
        max_tasks_per_plan: max_tasks,
    };
    let from = parse_day("from", &form.from, state.app.today())?;
    match state.app.add_inspector(&caller.actor(), new, from).await.map_err(AppError::from) {
        Ok(v) => Ok(Redirect::to(&format!("/inspectors/{}", v.code)).into_response()),
        // A refusal is shown above the form, under its own status.
        Err(e @ (AppError::BadRequest { .. } | AppError::Conflict { .. })) => {
            render_list(&state, &caller, &InspectorQuery::default(), Some(e)).await
        }
        Err(other) => Err(other),
    }
}

pub(super) async fn detail(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(code): Path<String>,
) -> PageResult<Html<String>> {
    caller.require(Permission::SupervisorWorkspace)?;
    let i = state.app.inspector(&code).await?;
    let fmt = lianjian_domain::date::format;
    let today = state.app.today();
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
                        active => i.is_active_on(today) },
        periods => periods, conflicts => conflicts, can_edit => caller.can(Permission::LeaderApproval),
        today => fmt(today),
    };
    Ok(Html(render(&state.templates, "inspectors_detail.html", &i.name, "/inspectors", Some(&caller), ctx)?))
}

/// Deactivate (`/deactivate`) or reactivate (`/reactivate`) an inspector: never a deletion.
pub(super) async fn activity(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path((code, action)): Path<(String, String)>,
    PageForm(form): PageForm<ActivityForm>,
) -> PageResult<Response> {
    caller.check_form(Permission::LeaderApproval, &form.csrf)?;
    let (actor, day) = (caller.actor(), parse_day("on", &form.on, state.app.today())?);
    match action.as_str() {
        "deactivate" => state.app.deactivate_inspector(&actor, &code, day, &form.reason).await?,
        "reactivate" => state.app.reactivate_inspector(&actor, &code, day, &form.reason).await?,
        other => return Err(AppError::NotFound(format!("操作 {other}"))),
    };
    Ok(Redirect::to(&format!("/inspectors/{code}")).into_response())
}

pub(super) async fn declare_conflict(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(code): Path<String>,
    PageForm(form): PageForm<ConflictForm>,
) -> PageResult<Response> {
    caller.check_form(Permission::LeaderApproval, &form.csrf)?;
    let reason = ConflictReason::from_parts(&form.reason, Some(form.note))
        .ok_or_else(|| AppError::bad("reason", "请选择回避事由"))?;
    let from: Date = parse_day("from", &form.from, state.app.today())?;
    let to = parse_day_opt("to", &form.to)?;
    state.app.declare_conflict(&caller.actor(), &code, &form.uscc, reason, from, to).await?;
    Ok(Redirect::to(&format!("/inspectors/{code}")).into_response())
}
