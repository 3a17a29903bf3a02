//! 期限复核: deadlines counted on a provisional year (预估) whose recount differs once the State
//! Council notice is loaded. A leader of an owning department adopts the recomputed date or keeps
//! the served one; moving a deadline earlier needs a written reason.

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::Form;
use lianjian_domain::org::{Department, Permission, Role};
use lianjian_store::deadlines::DeadlineReview;
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::auth::{Caller, PageCaller};
use crate::error::{AppError, PageResult};
use crate::templates::render;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/deadlines", get(page)).route("/deadlines/{id}", post(decide))
}

#[derive(Serialize)]
struct Row {
    id: i64,
    kind: &'static str,
    subject: String,
    href: String,
    departments: String,
    start_on: String,
    working_days: i64,
    due_on: String,
    recomputed_on: String,
    earlier: bool,
    review: &'static str,
    reviewed_by: String,
    note: String,
    can_decide: bool,
}

fn row(d: &DeadlineReview, caller: &Caller) -> Row {
    let fmt = lianjian_registry::date::format;
    Row {
        id: d.id,
        kind: d.kind.zh(),
        subject: d.subject.clone(),
        href: d.subject_href.clone(),
        departments: d.departments.iter().map(|x| x.zh()).collect::<Vec<_>>().join("、"),
        start_on: fmt(d.start_on),
        working_days: d.working_days,
        due_on: fmt(d.due_on),
        recomputed_on: d.recomputed_on.map(fmt).unwrap_or_default(),
        earlier: d.moves_earlier(),
        review: d.review.zh(),
        reviewed_by: d.reviewed_by.clone().unwrap_or_default(),
        note: d.review_note.clone().unwrap_or_default(),
        can_decide: caller.user.role == Role::Leader && d.departments.contains(&caller.user.department),
    }
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Query(q): Query<DoneQuery>,
) -> PageResult<Html<String>> {
    caller.require(Permission::SupervisorWorkspace)?;
    render_page(&state, &caller, None, q.done.as_deref()).await
}

async fn render_page(
    state: &AppState,
    caller: &Caller,
    error: Option<String>,
    done: Option<&str>,
) -> PageResult<Html<String>> {
    let own: Option<Department> = Some(caller.user.department);
    let pending: Vec<Row> = state.app.deadlines_pending(own).await?.iter().map(|d| row(d, caller)).collect();
    let reviewed: Vec<Row> = state
        .app
        .deadlines_reviewed(50)
        .await?
        .iter()
        .filter(|d| d.departments.contains(&caller.user.department))
        .map(|d| row(d, caller))
        .collect();
    let done = match done {
        Some("adopted") => Some("已采用重算日期,相关期限已更新并记入审计链。"),
        Some("kept") => Some("已保留原期限,并记入审计链。"),
        _ => None,
    };
    let ctx = context! { pending => pending, reviewed => reviewed, error => error, done => done };
    Ok(Html(render(&state.templates, "deadlines.html", "期限复核", "/deadlines", Some(caller), ctx)?))
}

#[derive(Deserialize)]
struct DecideForm {
    _csrf: Option<String>,
    decision: String,
    #[serde(default)]
    note: String,
}

async fn decide(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(id): Path<i64>,
    Form(form): Form<DecideForm>,
) -> PageResult<Response> {
    caller.require(Permission::LeaderApproval)?;
    caller.check_csrf(form._csrf.as_deref())?;
    let adopt = match form.decision.as_str() {
        "adopt" => true,
        "keep" => false,
        _ => return Err(AppError::bad("decision", "请选择“采用重算日期”或“保留原日期”")),
    };
    match state.app.decide_deadline(&caller.actor(), id, adopt, &form.note).await.map_err(AppError::from) {
        Ok(d) => Ok(Redirect::to(&format!("/deadlines?done={}", d.review.code())).into_response()),
        Err(e @ (AppError::Internal(_) | AppError::NotFound(_))) => Err(e),
        Err(e) => {
            let page = render_page(&state, &caller, Some(e.to_string()), None).await?;
            Ok((e.status(), page).into_response())
        }
    }
}
