//! Tasks 检查任务 in the inspectors' workspace, recusal 回避 from the task page, and the Excel
//! exports of a plan's pool and tasks.

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use lianjian_domain::org::Permission;
use minijinja::context;
use serde::Deserialize;

use super::pages::{after, done_message, DoneQuery};
use super::{categories_zh, task_view};
use crate::auth::PageCaller;
use crate::error::{AppError, PageResult};
use crate::templates::render;
use crate::xlsx::{xlsx_response, Cell};
use crate::AppState;

#[derive(Deserialize)]
pub(super) struct RecuseForm {
    _csrf: Option<String>,
    target: String,
    #[serde(default)]
    inspector: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    back: String,
}

/// A team member withdraws themself (no inspector given: the caller's own); a leader of a
/// participating department may record it for them (the use case decides).
pub(super) async fn recuse(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(id): Path<i64>,
    Form(form): Form<RecuseForm>,
) -> PageResult<Response> {
    caller.require(Permission::SupervisorWorkspace)?;
    caller.check_csrf(form._csrf.as_deref())?;
    let inspector = Some(form.inspector.as_str());
    let r = state.app.recuse(&caller.actor(), id, &form.target, inspector, &form.reason).await;
    match (r, form.back.parse::<i64>()) {
        (Ok(_), Ok(task)) => Ok(Redirect::to(&format!("/tasks/{task}?done=recused")).into_response()),
        (r, _) => after(&state, &caller, id, r.map(|_| "recused").map_err(AppError::from)).await,
    }
}

pub(super) async fn pool_xlsx(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    caller.require(Permission::SupervisorWorkspace)?;
    let plan = state.app.plan(id).await?;
    let rows: Vec<Vec<Cell>> = state
        .app
        .plan_pool(id)
        .await?
        .into_iter()
        .map(|p| {
            vec![
                Cell::Text(p.uscc),
                Cell::Text(p.name),
                Cell::Text(p.stratum.code().to_owned()),
                Cell::Text(categories_zh(&p.categories)),
                Cell::Text(p.sources.iter().map(|s| s.zh()).collect::<Vec<_>>().join("、")),
                Cell::Text(p.excluded_reason.unwrap_or_else(|| "列入".into())),
            ]
        })
        .collect();
    let headers = ["统一社会信用代码", "机构名称", "信用等级", "监测类别", "来源", "是否列入抽查对象库"];
    xlsx_response("抽查对象库", &headers, &rows, &format!("{}-v{}-抽查对象库.xlsx", plan.code, plan.version))
}

pub(super) async fn tasks_xlsx(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    caller.require(Permission::SupervisorWorkspace)?;
    let plan = state.app.plan(id).await?;
    let rows: Vec<Vec<Cell>> = state
        .app
        .plan_tasks(id)
        .await?
        .iter()
        .map(task_view)
        .map(|t| {
            let due = t.due_with_mark();
            vec![
                Cell::Text(t.order.to_string()),
                Cell::Text(t.uscc),
                Cell::Text(t.name),
                Cell::Text(t.stratum),
                Cell::Text(
                    t.members
                        .iter()
                        .map(|m| format!("{} {}({})", m.0, m.1, m.2))
                        .collect::<Vec<_>>()
                        .join("、"),
                ),
                Cell::Text(t.items.join("、")),
                Cell::Text(due),
            ]
        })
        .collect();
    let headers = ["序号", "统一社会信用代码", "机构名称", "信用等级", "检查组", "检查事项", "完成期限"];
    xlsx_response("检查任务", &headers, &rows, &format!("{}-v{}-检查任务.xlsx", plan.code, plan.version))
}

pub(super) async fn my_tasks(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Html<String>> {
    caller.require(Permission::SupervisorWorkspace)?;
    let code = state.app.inspector_of_user(&caller.user.username).await?;
    let tasks: Vec<_> = match &code {
        Some(c) => state.app.tasks_for_inspector(c).await?.iter().map(task_view).collect(),
        None => Vec::new(),
    };
    let ctx = context! { inspector => code, tasks => tasks };
    Ok(Html(render(&state.templates, "plan_tasks.html", "检查任务", "/tasks", Some(&caller), ctx)?))
}

pub(super) async fn task_page(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> PageResult<Html<String>> {
    caller.require(Permission::SupervisorWorkspace)?;
    let task = state.app.task(id).await?;
    let items = state.app.items(None).await?;
    let item_rows: Vec<(String, String, String)> = task
        .items
        .iter()
        .filter_map(|c| items.iter().find(|i| &i.code == c))
        .map(|i| (i.code.clone(), i.basis.clone(), i.content.clone()))
        .collect();
    let mine = state.app.inspector_of_user(&caller.user.username).await?;
    let on_team = mine.as_deref().is_some_and(|c| task.has_member(c));
    let ctx = context! {
        task => task_view(&task),
        item_rows => item_rows,
        on_team => on_team,
        flash => q.done.as_deref().and_then(done_message),
    };
    Ok(Html(render(&state.templates, "plan_task.html", "检查任务", "/tasks", Some(&caller), ctx)?))
}
