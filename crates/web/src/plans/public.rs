//! The public portal 一公开 of plans: no sign-in. Each frozen plan's items, ratios, inputs digest
//! and entropy declarations, then its record (download) and how anyone can verify it.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use minijinja::context;

use super::{plan_view, task_view};
use crate::auth::MaybeCaller;
use crate::error::{AppError, PageResult};
use crate::templates::render;
use crate::AppState;

pub(super) async fn list_page(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
) -> PageResult<Html<String>> {
    let plans: Vec<_> = state.app.plans(false).await?.iter().map(plan_view).collect();
    let ctx = context! { plans => plans };
    Ok(Html(render(
        &state.templates,
        "public_plans.html",
        "抽查公示",
        "/public/plans",
        caller.as_ref(),
        ctx,
    )?))
}

pub(super) async fn detail_page(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    Path(id): Path<i64>,
) -> PageResult<Html<String>> {
    let plan = state.app.published_plan(id).await?;
    let items = state.app.items(None).await?;
    let item_rows: Vec<(String, String, String)> = plan
        .items
        .iter()
        .filter_map(|c| items.iter().find(|i| &i.code == c))
        .map(|i| (i.code.clone(), i.department.zh().to_owned(), i.content.clone()))
        .collect();
    let pool = state.app.plan_pool(id).await?;
    let candidates = pool.iter().filter(|p| p.excluded_reason.is_none()).count();
    let record = state.app.plan_record(id).await?;
    let check = if record.is_some() { Some(state.app.check_plan_record(id).await?) } else { None };
    let tasks: Vec<_> = state.app.plan_tasks(id).await?.iter().map(task_view).collect();
    let ctx = context! {
        plan => plan_view(&plan),
        item_rows => item_rows,
        candidates => candidates,
        excluded => pool.len() - candidates,
        tasks => tasks,
        seed => record.as_ref().and_then(|r| r.record["seed"].as_str().map(str::to_owned)),
        record_seq => record.as_ref().map(|r| r.seq),
        record_sha256 => record.as_ref().map(|r| r.record_sha256.clone()),
        recusals => record.as_ref().and_then(|r| r.record["recusals"].as_array().map(Vec::len)).unwrap_or(0),
        check_ok => check.as_ref().map(|c| c.is_ok()),
        check_message => check.and_then(|c| c.err()),
    };
    let title = format!("{} 第 {} 版", plan.code, plan.version);
    Ok(Html(render(&state.templates, "public_plan.html", &title, "/public/plans", caller.as_ref(), ctx)?))
}

/// The record as published, for `lianjian draw verify RECORD.json`.
pub(super) async fn record_json(State(state): State<AppState>, Path(id): Path<i64>) -> PageResult<Response> {
    let plan = state.app.published_plan(id).await?;
    let record = state
        .app
        .plan_record(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("抽查计划 {} 尚未抽取,没有结果记录", plan.draw_id)))?;
    let body = serde_json::to_string_pretty(&record.record).map_err(|e| AppError::Internal(e.to_string()))?;
    let disposition = format!("attachment; filename=\"{}-record.json\"", plan.draw_id);
    Ok((
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

pub(super) async fn verify_page(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
) -> PageResult<Html<String>> {
    Ok(Html(render(
        &state.templates,
        "public_plan_verify.html",
        "如何验证抽查结果",
        "/public/plans",
        caller.as_ref(),
        context! {},
    )?))
}
