//! The read-only plan API, public like the portal: plans, one plan, its record.

use axum::extract::State;
use axum::Json;
use lianjian_domain::org::Permission;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::values_public;
use crate::auth::MaybeCaller;
use crate::error::{ApiResult, AppError, Problem};
use crate::extract::ApiPath;
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

fn api_of(p: &lianjian_store::plans::Plan) -> PlanApi {
    let show = values_public(p);
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
                kind: e.kind.clone(),
                label: e.label.clone(),
                commitment: e.commitment.clone(),
                value: if show { e.value.clone() } else { None },
            })
            .collect(),
        record_url: (p.status == lianjian_store::plans::PlanStatus::Drawn)
            .then(|| format!("/api/v1/plans/{}/record", p.id)),
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
    Ok(Json(state.store.plans(staff).await?.iter().map(api_of).collect()))
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
    let plan = if staff {
        state.store.plan(id).await?.ok_or_else(|| AppError::NotFound(format!("抽查计划 {id} 不存在")))?
    } else {
        super::public::published(&state, id).await?
    };
    Ok(Json(api_of(&plan)))
}

/// The current draw record (protocol `lianjian-draw-v1`, with any recusals), exactly as published:
/// verify it with `lianjian draw verify RECORD.json`.
#[utoipa::path(get, path = "/api/v1/plans/{id}/record", tag = "plans",
    params(("id" = i64, Path, description = "Plan version id")),
    responses((status = 200, description = "The lianjian-draw-v1 record"), (status = 404, body = Problem)))]
pub async fn record(State(state): State<AppState>, ApiPath(id): ApiPath<i64>) -> ApiResult<Json<Value>> {
    let plan = super::public::published(&state, id).await?;
    let stored = state
        .store
        .plan_record(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("抽查计划 {} 尚未抽取,没有结果记录", plan.draw_id)))?;
    Ok(Json(stored.record))
}
