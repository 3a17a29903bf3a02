//! The leaders' pages: the plan list, creating a plan, grades and account links, the plan page and
//! the draw meeting (commit, freeze, reveal, public value, re-plan). Each button: the permission
//! matrix and the CSRF token here, then the use case, which decides who of the departments may act.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use lianjian_domain::org::{Department, Permission};
use lianjian_domain::plans::{EntropyKind, Grade, NewPlan, PlanStatus, RecordKind, RevealOutcome};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::{plan_view, task_view};
use crate::auth::{Caller, PageCaller};
use crate::error::{AppError, PageResult};
use crate::templates::render;
use crate::AppState;

#[derive(Serialize)]
struct ItemChoice {
    code: String,
    department: &'static str,
    content: String,
}

async fn item_choices(state: &AppState) -> PageResult<Vec<ItemChoice>> {
    Ok(state
        .app
        .items(Some(state.app.today()))
        .await?
        .into_iter()
        .filter(|i| i.department.is_supervisor())
        .map(|i| ItemChoice { code: i.code, department: i.department.zh(), content: i.content })
        .collect())
}

async fn render_list(
    state: &AppState,
    caller: &Caller,
    flash: Option<(String, &'static str)>,
    status: StatusCode,
) -> PageResult<Response> {
    caller.require(Permission::SupervisorWorkspace)?;
    let plans: Vec<_> = state.app.plans(true).await?.iter().map(plan_view).collect();
    let ctx = context! {
        plans => plans,
        items => item_choices(state).await?,
        grades => Grade::ALL.iter().map(|g| g.code()).collect::<Vec<_>>(),
        leader => caller.can(Permission::LeaderApproval),
        today => lianjian_registry::date::format(state.app.today()),
        flash => flash.as_ref().map(|f| f.0.clone()),
        flash_kind => flash.as_ref().map(|f| f.1),
    };
    let html = render(&state.templates, "plan_list.html", "抽查计划", "/plans", Some(caller), ctx)?;
    Ok((status, Html(html)).into_response())
}

pub(super) async fn list_page(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Response> {
    render_list(&state, &caller, None, StatusCode::OK).await
}

/// After a form on the list: the list with the message, or the list again with the refusal.
async fn list_after(
    state: &AppState,
    caller: &Caller,
    result: Result<String, AppError>,
) -> PageResult<Response> {
    match result {
        Ok(message) => render_list(state, caller, Some((message, "ok")), StatusCode::OK).await,
        Err(e @ (AppError::BadRequest { .. } | AppError::Conflict { .. })) => {
            render_list(state, caller, Some((e.to_string(), "error")), e.status()).await
        }
        Err(other) => Err(other),
    }
}

/// A leader's button: the permission and the CSRF token.
fn leader(caller: &Caller, csrf: Option<&str>) -> PageResult<()> {
    caller.require(Permission::LeaderApproval)?;
    caller.check_csrf(csrf)
}

#[derive(Deserialize)]
pub(super) struct CreateForm {
    _csrf: Option<String>,
    period: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    departments: Vec<String>,
    #[serde(default)]
    items: Vec<String>,
    #[serde(default)]
    team_size: String,
    #[serde(default)]
    public_label: String,
}

impl CreateForm {
    fn new_plan(self) -> Result<NewPlan, AppError> {
        let departments = self
            .departments
            .iter()
            .map(|d| d.parse::<Department>().map_err(|e| AppError::bad("departments", e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        let team_size = match self.team_size.trim() {
            "" => None,
            t => Some(t.parse().map_err(|_| AppError::bad("team_size", format!("“{t}”不是整数")))?),
        };
        Ok(NewPlan {
            period: self.period,
            title: self.title,
            departments,
            items: self.items,
            team_size,
            public_label: Some(self.public_label),
            year_cap: None,
            due_working_days: None,
        })
    }
}

pub(super) async fn create(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Form(form): Form<CreateForm>,
) -> PageResult<Response> {
    leader(&caller, form._csrf.as_deref())?;
    let created = match form.new_plan() {
        Ok(new) => state.app.create_plan(&caller.actor(), new).await.map_err(AppError::from),
        Err(e) => Err(e),
    };
    match created {
        Ok(plan) => Ok(Redirect::to(&format!("/plans/{}?done=created", plan.id)).into_response()),
        Err(e) => list_after(&state, &caller, Err(e)).await,
    }
}

#[derive(Deserialize)]
pub(super) struct GradeForm {
    _csrf: Option<String>,
    uscc: String,
    grade: String,
    #[serde(default)]
    valid_from: String,
    basis: String,
}

pub(super) async fn set_grade(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Form(form): Form<GradeForm>,
) -> PageResult<Response> {
    leader(&caller, form._csrf.as_deref())?;
    let result: Result<String, AppError> = async {
        let grade = Grade::parse(&form.grade).ok_or_else(|| AppError::bad("grade", "信用等级应为 A–E"))?;
        let from = crate::extract::parse_day("valid_from", &Some(form.valid_from), state.app.today())?;
        let e = state.app.set_grade(&caller.actor(), &form.uscc, grade, from, &form.basis).await?;
        Ok(format!(
            "已将 {} 的信用等级设为 {},自 {} 起适用",
            e.institution_uscc,
            e.grade.code(),
            lianjian_registry::date::format(e.valid_from)
        ))
    }
    .await;
    list_after(&state, &caller, result).await
}

#[derive(Deserialize)]
pub(super) struct LinkForm {
    _csrf: Option<String>,
    inspector: String,
    username: String,
}

pub(super) async fn link_account(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Form(form): Form<LinkForm>,
) -> PageResult<Response> {
    leader(&caller, form._csrf.as_deref())?;
    let result = state.app.link_inspector_account(&caller.actor(), &form.inspector, &form.username).await;
    let done = || format!("已将检查人员 {} 关联到账户 {}", form.inspector.trim(), form.username.trim());
    list_after(&state, &caller, result.map(|()| done()).map_err(AppError::from)).await
}

#[derive(Deserialize, Default)]
pub(super) struct DoneQuery {
    pub(super) done: Option<String>,
}

pub(super) fn done_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "created" => "计划已创建(草拟)。请参加部门的负责人分别提交秘密的承诺值,然后冻结。",
        "committed" => "承诺值已提交。系统只保存秘密的 SHA-256 承诺值;请妥善保管秘密,抽取会上揭示。",
        "frozen" => "计划已冻结:输入和输入摘要已公布,抽查对象库不再变化。",
        "revealed" => "秘密与承诺值一致,已接受。",
        "drawn" => "全部随机数已到齐,抽取完成,结果已公布,检查任务已下达。",
        "replanned" => "已生成新版本(草拟);旧版本作废。",
        "recused" => "回避已完成:替补人员按公开规则抽取,新的记录已公布。",
        _ => return None,
    })
}

pub(super) async fn render_detail(
    state: &AppState,
    caller: &Caller,
    id: i64,
    flash: Option<(String, &'static str)>,
    status: StatusCode,
) -> PageResult<Response> {
    caller.require(Permission::SupervisorWorkspace)?;
    let app = &state.app;
    let plan = app.plan(id).await?;
    let items = state.app.items(None).await?;
    let item_rows: Vec<(String, String, String)> = plan
        .items
        .iter()
        .map(|code| {
            let i = items.iter().find(|i| &i.code == code);
            (
                code.clone(),
                i.map(|i| i.department.zh().to_owned()).unwrap_or_default(),
                i.map(|i| i.content.clone()).unwrap_or_default(),
            )
        })
        .collect();
    let pool = app.plan_pool(id).await?;
    let candidates = pool.iter().filter(|p| p.excluded_reason.is_none()).count();
    let excluded: Vec<_> = pool
        .iter()
        .filter(|p| p.excluded_reason.is_some())
        .map(|p| (p.uscc.clone(), p.name.clone(), p.excluded_reason.clone().unwrap_or_default()))
        .collect();
    let conflicts: Vec<_> = app
        .plan_conflicts(id)
        .await?
        .into_iter()
        .map(|c| (c.inspector_code, c.institution_uscc, c.kind.zh(), c.reason))
        .collect();
    let tasks: Vec<_> = app.plan_tasks(id).await?.iter().map(task_view).collect();
    let records = app.plan_records(id).await?;
    let check = if records.is_empty() { None } else { Some(app.check_plan_record(id).await?) };
    let recusals: Vec<_> = records
        .iter()
        .filter(|r| r.kind == RecordKind::Recusal)
        .filter_map(|r| {
            let e = r.record["recusals"].as_array()?.last()?;
            Some((
                r.seq,
                e["target"].as_str()?.to_owned(),
                e["withdrawn"].as_str()?.to_owned(),
                e["replacement"].as_str()?.to_owned(),
                r.note.clone().unwrap_or_default(),
                crate::format_ms(r.created_at),
            ))
        })
        .collect();
    let my_secret = plan.secret_of(caller.user.department);
    let leader = caller.can(Permission::LeaderApproval) && plan.takes_part(caller.user.department);
    let open = plan.status == PlanStatus::Frozen && plan.draw_error.is_none();
    let public_open = plan.entropy.iter().any(|e| e.kind == EntropyKind::Public && e.value.is_none());
    let ctx = context! {
        plan => plan_view(&plan),
        item_rows => item_rows,
        candidates => candidates,
        pool_size => pool.len(),
        excluded => excluded,
        conflicts => conflicts,
        tasks => tasks,
        record_seq => records.last().map(|r| r.seq),
        check_ok => check.as_ref().map(|c| c.is_ok()),
        check_message => check.and_then(|c| c.err()),
        recusals => recusals,
        my_department => caller.user.department.zh(),
        can_commit => leader && plan.status == PlanStatus::Draft,
        committed => my_secret.is_some_and(|e| e.commitment.is_some()),
        can_freeze => leader && plan.status == PlanStatus::Draft,
        can_reveal => leader && open && my_secret.is_some_and(|e| e.value.is_none()),
        can_public => leader && open && public_open,
        can_replan => leader && matches!(plan.status, PlanStatus::Draft | PlanStatus::Frozen),
        my_inspector => app.inspector_of_user(&caller.user.username).await?,
        flash => flash.as_ref().map(|f| f.0.clone()),
        flash_kind => flash.as_ref().map(|f| f.1),
    };
    let title = format!("{} 第 {} 版", plan.code, plan.version);
    let html = render(&state.templates, "plan_detail.html", &title, "/plans", Some(caller), ctx)?;
    Ok((status, Html(html)).into_response())
}

pub(super) async fn detail_page(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> PageResult<Response> {
    let flash = q.done.as_deref().and_then(done_message).map(|m| (m.to_owned(), "ok"));
    render_detail(&state, &caller, id, flash, StatusCode::OK).await
}

/// After a button: back to the plan with a message, or the plan again with the refusal.
pub(super) async fn after(
    state: &AppState,
    caller: &Caller,
    id: i64,
    result: Result<&'static str, AppError>,
) -> PageResult<Response> {
    match result {
        Ok(done) => Ok(Redirect::to(&format!("/plans/{id}?done={done}")).into_response()),
        Err(e @ (AppError::BadRequest { .. } | AppError::Conflict { .. })) => {
            render_detail(state, caller, id, Some((e.to_string(), "error")), e.status()).await
        }
        Err(other) => Err(other),
    }
}

/// The freeze button: nothing but the token.
#[derive(Deserialize)]
pub(super) struct ButtonForm {
    _csrf: Option<String>,
}

/// A department's secret, committed before the freeze or revealed at the meeting.
#[derive(Deserialize)]
pub(super) struct SecretForm {
    _csrf: Option<String>,
    #[serde(default)]
    secret: String,
}

/// The declared public value, once known.
#[derive(Deserialize)]
pub(super) struct ValueForm {
    _csrf: Option<String>,
    #[serde(default)]
    value: String,
}

/// Why a new version is made.
#[derive(Deserialize)]
pub(super) struct NoteForm {
    _csrf: Option<String>,
    #[serde(default)]
    note: String,
}

pub(super) async fn commit(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(id): Path<i64>,
    Form(form): Form<SecretForm>,
) -> PageResult<Response> {
    leader(&caller, form._csrf.as_deref())?;
    let r = state.app.commit_secret(&caller.actor(), id, caller.user.department, &form.secret).await;
    after(&state, &caller, id, r.map(|_| "committed").map_err(AppError::from)).await
}

pub(super) async fn freeze(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(id): Path<i64>,
    Form(form): Form<ButtonForm>,
) -> PageResult<Response> {
    leader(&caller, form._csrf.as_deref())?;
    let r = state.app.freeze_plan(&caller.actor(), id).await;
    after(&state, &caller, id, r.map(|_| "frozen").map_err(AppError::from)).await
}

fn outcome(o: RevealOutcome) -> Result<&'static str, AppError> {
    match o {
        RevealOutcome::Waiting { .. } => Ok("revealed"),
        RevealOutcome::Drawn { .. } => Ok("drawn"),
        // The plan page shows the engine's message from the plan itself.
        RevealOutcome::Failed { message } => {
            Err(AppError::Conflict { code: "draw_failed", field: None, message })
        }
    }
}

pub(super) async fn reveal(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(id): Path<i64>,
    Form(form): Form<SecretForm>,
) -> PageResult<Response> {
    leader(&caller, form._csrf.as_deref())?;
    let r = state.app.reveal_secret(&caller.actor(), id, caller.user.department, &form.secret).await;
    after(&state, &caller, id, r.map_err(AppError::from).and_then(outcome)).await
}

pub(super) async fn public_value(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(id): Path<i64>,
    Form(form): Form<ValueForm>,
) -> PageResult<Response> {
    leader(&caller, form._csrf.as_deref())?;
    let r = state.app.enter_public_value(&caller.actor(), id, &form.value).await;
    after(&state, &caller, id, r.map_err(AppError::from).and_then(outcome)).await
}

pub(super) async fn replan(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(id): Path<i64>,
    Form(form): Form<NoteForm>,
) -> PageResult<Response> {
    leader(&caller, form._csrf.as_deref())?;
    match state.app.replan(&caller.actor(), id, &form.note).await {
        Ok(p) => Ok(Redirect::to(&format!("/plans/{}?done=replanned", p.id)).into_response()),
        Err(e) => after(&state, &caller, id, Err(e.into())).await,
    }
}
