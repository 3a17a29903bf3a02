//! The read-only plan API, public like the portal (plans, one plan, its record), and the task API,
//! for the supervising departments like the task pages (the caller's tasks, one task).

use axum::extract::State;
use axum::Json;
use lianjian_domain::org::Permission;
use lianjian_domain::plans::{Plan, PlanStatus, Task};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::auth::{ApiCaller, MaybeCaller};
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiPath, ApiQuery};
use crate::AppState;

/// A stratum 分层 (credit grade) and its ratio.
#[derive(Serialize, ToSchema)]
pub struct StratumApi {
    /// Credit grade A–E.
    key: String,
    /// Ratio in permille (‰).
    permille: i64,
}

/// An entropy declaration.
#[derive(Serialize, ToSchema)]
pub struct EntropyApi {
    /// `department-secret` or `public`.
    kind: String,
    /// Department code (EEB, MSA) or the public source's name.
    label: String,
    /// SHA-256 of the department secret, lowercase hex.
    commitment: Option<String>,
    /// The value, once the draw has run (or failed).
    value: Option<String>,
}

/// A plan version 抽查计划 as published.
#[derive(Serialize, ToSchema)]
pub struct PlanApi {
    id: i64,
    /// `2026-H2-JOINT-01`, the same for every version.
    code: String,
    version: i64,
    /// The draw's `plan_id`.
    draw_id: String,
    period: String,
    title: String,
    /// Department codes.
    departments: Vec<String>,
    /// Item codes from the random-inspection item list.
    items: Vec<String>,
    /// draft | frozen | drawn | superseded.
    status: String,
    strata: Vec<StratumApi>,
    team_size: i64,
    year_cap: i64,
    due_working_days: i64,
    freeze_on: Option<String>,
    /// SHA-256 of the canonical frozen inputs (spec §1), lowercase hex.
    inputs_digest: Option<String>,
    /// The engine's message when the draw failed.
    draw_error: Option<String>,
    drawn_on: Option<String>,
    superseded_by: Option<i64>,
    entropy: Vec<EntropyApi>,
    /// Where the record is, once drawn.
    record_url: Option<String>,
}

fn api_of(p: &Plan) -> PlanApi {
    let show = p.values_public();
    PlanApi {
        id: p.id,
        code: p.code.clone(),
        version: p.version,
        draw_id: p.draw_id.clone(),
        period: p.period.clone(),
        title: p.title.clone(),
        departments: p.departments.iter().map(|d| d.code().to_owned()).collect(),
        items: p.items.clone(),
        status: p.status.code().to_owned(),
        strata: p
            .strata
            .iter()
            .map(|s| StratumApi { key: s.grade.code().to_owned(), permille: s.permille })
            .collect(),
        team_size: p.team_size,
        year_cap: p.year_cap,
        due_working_days: p.due_working_days,
        freeze_on: p.freeze_on.map(lianjian_registry::date::format),
        inputs_digest: p.inputs_digest.clone(),
        draw_error: p.draw_error.clone(),
        drawn_on: p.drawn_on.map(lianjian_registry::date::format),
        superseded_by: p.superseded_by,
        entropy: p
            .entropy
            .iter()
            .map(|e| EntropyApi {
                kind: e.kind.code().to_owned(),
                label: e.label.clone(),
                commitment: e.commitment.clone(),
                value: if show { e.value.clone() } else { None },
            })
            .collect(),
        record_url: (p.status == PlanStatus::Drawn).then(|| format!("/api/v1/plans/{}/record", p.id)),
    }
}

/// Plans, newest first. Anyone sees frozen plans and later; EEB and MSA staff also see drafts.
#[utoipa::path(get, path = "/api/v1/plans", tag = "plans",
    responses((status = 200, body = Vec<PlanApi>)))]
pub async fn list(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
) -> ApiResult<Json<Vec<PlanApi>>> {
    let staff = caller.as_ref().is_some_and(|c| c.can(Permission::SupervisorWorkspace));
    Ok(Json(state.app.plans(staff).await?.iter().map(api_of).collect()))
}

/// One plan version with its strata, inputs digest and entropy declarations.
#[utoipa::path(get, path = "/api/v1/plans/{id}", tag = "plans",
    params(("id" = i64, Path, description = "Plan version id")),
    responses((status = 200, body = PlanApi), (status = 404, body = Problem)))]
pub async fn one(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<PlanApi>> {
    let staff = caller.as_ref().is_some_and(|c| c.can(Permission::SupervisorWorkspace));
    let plan = if staff { state.app.plan(id).await? } else { state.app.published_plan(id).await? };
    Ok(Json(api_of(&plan)))
}

/// The current draw record (protocol `lianjian-draw-v1`, with any recusals), exactly as published:
/// verify it with `lianjian draw verify RECORD.json`.
#[utoipa::path(get, path = "/api/v1/plans/{id}/record", tag = "plans",
    params(("id" = i64, Path, description = "Plan version id")),
    responses((status = 200, description = "The lianjian-draw-v1 record"), (status = 404, body = Problem)))]
pub async fn record(State(state): State<AppState>, ApiPath(id): ApiPath<i64>) -> ApiResult<Json<Value>> {
    let plan = state.app.published_plan(id).await?;
    let stored = state.app.plan_record(id).await?.ok_or_else(|| {
        crate::error::AppError::NotFound(format!("抽查计划 {} 尚未抽取,没有结果记录", plan.draw_id))
    })?;
    Ok(Json(stored.record))
}

/// A member of a task's team 检查组, as the team now stands.
#[derive(Serialize, ToSchema)]
pub struct TaskMemberApi {
    /// 0-based slot in the team.
    slot: i64,
    /// Inspector code, e.g. `EEB-0007`.
    code: String,
    name: String,
    /// Department code: EEB or MSA.
    department: String,
}

/// An inspection task 检查任务: one drawn target with its team, the plan's items and the due date.
#[derive(Serialize, ToSchema)]
pub struct TaskApi {
    id: i64,
    plan_id: i64,
    /// The plan's code, the same for every version (`2026-H2-JOINT-01`).
    plan_code: String,
    plan_version: i64,
    plan_title: String,
    /// 0-based order of the target in the draw record.
    target_order: i64,
    institution_uscc: String,
    institution_name: String,
    /// Credit grade (stratum) A–E.
    stratum: String,
    /// `YYYY-MM-DD`.
    due_on: String,
    /// Counted on a year without a State Council notice (shown as 预估).
    due_on_provisional: bool,
    /// The notice is in and the recounted date differs: a leader is to decide.
    due_on_pending_review: bool,
    /// Item codes from the random-inspection item list.
    items: Vec<String>,
    members: Vec<TaskMemberApi>,
}

fn task_api(t: Task) -> TaskApi {
    TaskApi {
        id: t.id,
        plan_id: t.plan_id,
        plan_code: t.plan_code,
        plan_version: t.plan_version,
        plan_title: t.plan_title,
        target_order: t.target_order,
        institution_uscc: t.institution_uscc,
        institution_name: t.institution_name,
        stratum: t.stratum.code().to_owned(),
        due_on: lianjian_registry::date::format(t.due_on),
        due_on_provisional: t.due_on_provisional,
        due_on_pending_review: t.due_on_pending_review,
        items: t.items,
        members: t
            .members
            .into_iter()
            .map(|m| TaskMemberApi { slot: m.slot, code: m.code, name: m.name, department: m.department })
            .collect(),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskQuery {
    /// Rows per page, 1–1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
    /// Rows to skip, 0–100000000.
    #[param(minimum = 0, maximum = 100_000_000)]
    offset: Option<i64>,
}

/// A page of tasks, with how many there are in all.
#[derive(Serialize, ToSchema)]
pub struct TaskList {
    rows: Vec<TaskApi>,
    limit: i64,
    offset: i64,
    total: i64,
}

/// The caller's tasks, newest draw first: an officer's are those whose team includes the inspector
/// their account is linked to (none if not linked); a leader's are the tasks of the plans their
/// department takes part in.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "plans", params(TaskQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = TaskList), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
pub async fn tasks(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(q): ApiQuery<TaskQuery>,
) -> ApiResult<Json<TaskList>> {
    caller.require(Permission::SupervisorWorkspace)?;
    let (limit, offset) = crate::extract::paging(q.limit, q.offset, 100, 1000)?;
    let page = state.app.visible_tasks(&caller.actor(), limit, offset).await?;
    Ok(Json(TaskList {
        rows: page.rows.into_iter().map(task_api).collect(),
        limit,
        offset,
        total: page.total,
    }))
}

/// One task the caller may see (as in their list); any other is not found.
#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "plans",
    params(("id" = i64, Path, description = "Task id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = TaskApi), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn task(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<TaskApi>> {
    caller.require(Permission::SupervisorWorkspace)?;
    Ok(Json(task_api(state.app.visible_task(&caller.actor(), id).await?)))
}
