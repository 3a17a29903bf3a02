//! The inspector registry 检查人员名录库, the item list 随机抽查事项清单 (一单, public too) and the
//! partner-department list board and upload (R11).

use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use lianjian_domain::calendar::Calendar;
use lianjian_domain::items::ItemMethod;
use lianjian_domain::org::{Category, Department, Duty, Permission};
use lianjian_domain::partner::Period;
use lianjian_store::inspectors::{ConflictReason, InspectorFilter, NewInspector};
use lianjian_store::items::{ItemChanges, NewItem};
use lianjian_store::partner_lists::{Commission, PartnerListRow};
use lianjian_store::registry::today_cst;
use minijinja::context;
use serde::Deserialize;

use crate::auth::{Caller, MaybeCaller, PageCaller};
use crate::error::{AppError, PageResult};
use crate::pages::{field, FormData};
use crate::registry::parse_day;
use crate::templates::render;
use crate::xlsx::{download, xlsx_response, Cell};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inspectors", get(inspectors_page).post(inspector_add))
        .route("/inspectors/export.xlsx", get(inspectors_xlsx))
        .route("/inspectors/{code}", get(inspector_page))
        .route("/inspectors/{code}/conflicts", post(conflict_declare))
        .route("/inspectors/{code}/{action}", post(inspector_activity))
        .route("/items", get(items_page).post(item_add))
        .route("/items/export.xlsx", get(items_xlsx))
        .route("/items/{code}/revise", post(item_revise))
        .route("/public/items", get(public_items))
        .route("/partner-lists", get(board_page))
        .route("/partner-lists/export.xlsx", get(board_xlsx))
        .route("/partner-lists/template.xlsx", get(partner_template))
        .route("/partner/upload", get(partner_upload_page).post(partner_upload))
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024))
}

fn redirect(to: String) -> Response {
    Redirect::to(&to).into_response()
}

fn guard_form(
    caller: &Caller,
    form: &std::collections::HashMap<String, String>,
    p: Permission,
) -> PageResult<()> {
    caller.require(p)?;
    caller.check_csrf(form.get("_csrf").map(String::as_str))
}

fn day_field(form: &std::collections::HashMap<String, String>, name: &str) -> PageResult<time::Date> {
    parse_day(name, &form.get(name).cloned())
}

// ---- inspectors --------------------------------------------------------------------------------

#[derive(Deserialize, Default, serde::Serialize)]
struct InspectorQuery {
    department: Option<String>,
    specialty: Option<String>,
    active_on: Option<String>,
}

impl InspectorQuery {
    fn filter(&self) -> PageResult<InspectorFilter> {
        let department = match self.department.as_deref().filter(|s| !s.is_empty()) {
            Some(d) => Some(d.parse::<Department>().map_err(|e| AppError::bad("department", e.to_string()))?),
            None => None,
        };
        let specialty = match self.specialty.as_deref().filter(|s| !s.is_empty()) {
            Some(c) => Some(c.parse::<Category>().map_err(|e| AppError::bad("specialty", e.to_string()))?),
            None => None,
        };
        let active_on = match self.active_on.as_deref().filter(|s| !s.is_empty()) {
            Some(_) => Some(parse_day("active_on", &self.active_on)?),
            None => None,
        };
        Ok(InspectorFilter { department, specialty, active_on })
    }
}

fn specialties_zh(cs: &[Category]) -> String {
    cs.iter().map(|c| c.zh()).collect::<Vec<_>>().join("、")
}

async fn render_inspectors(
    state: &AppState,
    caller: &Caller,
    q: &InspectorQuery,
    error: Option<String>,
) -> PageResult<Response> {
    let today = today_cst();
    let rows: Vec<minijinja::Value> = state
        .store
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

async fn inspectors_page(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Query(q): Query<InspectorQuery>,
) -> PageResult<Response> {
    caller.require(Permission::SupervisorWorkspace)?;
    render_inspectors(&state, &caller, &q, None).await
}

async fn inspectors_xlsx(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Query(q): Query<InspectorQuery>,
) -> PageResult<Response> {
    caller.require(Permission::SupervisorWorkspace)?;
    let today = today_cst();
    let rows: Vec<Vec<Cell>> = state
        .store
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

async fn inspector_add(
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
    let from = day_field(&form, "from")?;
    match state.store.add_inspector(&caller.actor(), new, from).await {
        Ok(v) => Ok(redirect(format!("/inspectors/{}", v.code))),
        Err(e) => match AppError::from(e) {
            AppError::BadRequest { message, .. } | AppError::Conflict(message) => {
                render_inspectors(&state, &caller, &InspectorQuery::default(), Some(message)).await
            }
            other => Err(other),
        },
    }
}

async fn inspector_page(
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
                        active => i.is_active_on(today_cst()) },
        periods => periods, conflicts => conflicts, can_edit => caller.can(Permission::LeaderApproval),
        today => fmt(today_cst()),
    };
    Ok(Html(render(&state.templates, "inspector.html", &i.name, "/inspectors", Some(&caller), ctx)?))
}

/// Deactivate (`/deactivate`) or reactivate (`/reactivate`) an inspector: never a deletion.
async fn inspector_activity(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path((code, action)): Path<(String, String)>,
    Form(form): FormData,
) -> PageResult<Response> {
    guard_form(&caller, &form, Permission::LeaderApproval)?;
    let (actor, day, reason) = (caller.actor(), day_field(&form, "on")?, field(&form, "reason"));
    match action.as_str() {
        "deactivate" => state.store.deactivate_inspector(&actor, &code, day, reason).await?,
        "reactivate" => state.store.reactivate_inspector(&actor, &code, day, reason).await?,
        other => return Err(AppError::NotFound(format!("操作 {other}"))),
    };
    Ok(redirect(format!("/inspectors/{code}")))
}

async fn conflict_declare(
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
        _ => Some(day_field(&form, "to")?),
    };
    state
        .store
        .declare_conflict(&caller.actor(), &code, uscc.as_str(), reason, day_field(&form, "from")?, to)
        .await?;
    Ok(redirect(format!("/inspectors/{code}")))
}

// ---- item list ---------------------------------------------------------------------------------

fn method_zh(m: ItemMethod) -> &'static str {
    match m {
        ItemMethod::OnSite => "现场检查",
        ItemMethod::OffSite => "非现场检查",
        ItemMethod::DocumentReview => "书面检查",
    }
}

async fn item_rows(state: &AppState, on: time::Date) -> PageResult<Vec<minijinja::Value>> {
    Ok(state
        .store
        .items(Some(on))
        .await?
        .iter()
        .map(|i| {
            context! { code => i.code, department => i.department.zh(), duty => i.duty.code(), duty_zh => i.duty.zh(),
                       basis => i.basis, content => i.content, method => method_zh(i.method), method_code => i.method.code(),
                       version => i.version, valid_from => lianjian_registry::date::format(i.valid_from) }
        })
        .collect())
}

#[derive(Deserialize)]
struct OnQuery {
    on: Option<String>,
}

async fn items_page(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Query(q): Query<OnQuery>,
) -> PageResult<Html<String>> {
    caller.require(Permission::SupervisorWorkspace)?;
    let on = parse_day("on", &q.on)?;
    let duties: Vec<minijinja::Value> =
        Duty::ALL.iter().map(|d| context! { code => d.code(), zh => d.zh() }).collect();
    let methods: Vec<minijinja::Value> =
        ItemMethod::ALL.iter().map(|m| context! { code => m.code(), zh => method_zh(*m) }).collect();
    let ctx = context! { items => item_rows(&state, on).await?, on => lianjian_registry::date::format(on),
    can_edit => caller.can(Permission::LeaderApproval), duties => duties, methods => methods, public => false };
    Ok(Html(render(&state.templates, "items.html", "随机抽查事项清单", "/items", Some(&caller), ctx)?))
}

async fn public_items(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    Query(q): Query<OnQuery>,
) -> PageResult<Html<String>> {
    let on = parse_day("on", &q.on)?;
    let ctx = context! { items => item_rows(&state, on).await?, on => lianjian_registry::date::format(on), can_edit => false, public => true };
    Ok(Html(render(
        &state.templates,
        "items.html",
        "随机抽查事项清单",
        "/public/items",
        caller.as_ref(),
        ctx,
    )?))
}

/// The item list is public, so is its Excel export.
async fn items_xlsx(State(state): State<AppState>, Query(q): Query<OnQuery>) -> PageResult<Response> {
    let on = parse_day("on", &q.on)?;
    let rows: Vec<Vec<Cell>> = state
        .store
        .items(Some(on))
        .await?
        .iter()
        .map(|i| {
            vec![
                Cell::Text(i.code.clone()),
                Cell::Text(i.department.zh().to_owned()),
                Cell::Text(format!("{} {}", i.duty.code(), i.duty.zh())),
                Cell::Text(i.basis.clone()),
                Cell::Text(i.content.clone()),
                Cell::Text(method_zh(i.method).to_owned()),
                Cell::Int(i.version),
                Cell::Date(i.valid_from),
            ]
        })
        .collect();
    let headers = ["事项编号", "部门", "职责", "检查依据", "检查内容", "检查方式", "版本", "生效日期"];
    xlsx_response("抽查事项清单", &headers, &rows, "随机抽查事项清单.xlsx")
}

fn parse_method(s: &str) -> PageResult<ItemMethod> {
    ItemMethod::ALL
        .iter()
        .copied()
        .find(|m| m.code() == s)
        .ok_or_else(|| AppError::bad("method", "请选择检查方式"))
}

async fn item_add(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Form(form): FormData,
) -> PageResult<Response> {
    guard_form(&caller, &form, Permission::LeaderApproval)?;
    let duty: Duty = field(&form, "duty")
        .parse()
        .map_err(|e: lianjian_domain::org::UnknownCode| AppError::bad("duty", e.to_string()))?;
    if duty.department() != caller.user.department {
        return Err(AppError::bad("duty", "只能新增本部门职责下的抽查事项"));
    }
    let new = NewItem {
        duty,
        basis: field(&form, "basis").to_owned(),
        content: field(&form, "content").to_owned(),
        method: parse_method(field(&form, "method"))?,
    };
    state.store.add_item(&caller.actor(), new, day_field(&form, "from")?).await?;
    Ok(redirect("/items".into()))
}

async fn item_revise(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(code): Path<String>,
    Form(form): FormData,
) -> PageResult<Response> {
    guard_form(&caller, &form, Permission::LeaderApproval)?;
    let opt = |name: &str| Some(field(&form, name).trim().to_owned()).filter(|s| !s.is_empty());
    let changes = ItemChanges {
        basis: opt("basis"),
        content: opt("content"),
        method: opt("method").map(|m| parse_method(&m)).transpose()?,
    };
    state.store.revise_item(&caller.actor(), &code, changes, day_field(&form, "from")?).await?;
    Ok(redirect("/items".into()))
}

// ---- partner-department lists -----------------------------------------------------------------

async fn board(state: &AppState) -> PageResult<Vec<lianjian_store::partner_lists::BoardRow>> {
    let today = today_cst();
    let periods = Period::recent(today, 4);
    Ok(state.store.partner_submission_board(&Calendar::official(), &periods, today).await?)
}

fn can_see_board(caller: &Caller) -> bool {
    caller.can(Permission::SupervisorWorkspace) || caller.can(Permission::PartnerWorkspace)
}

async fn board_page(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Html<String>> {
    if !can_see_board(&caller) {
        return Err(AppError::Forbidden);
    }
    let fmt = lianjian_registry::date::format;
    let rows: Vec<minijinja::Value> = board(&state)
        .await?
        .iter()
        .filter(|r| !caller.can(Permission::PartnerWorkspace) || r.department == caller.user.department)
        .map(|r| {
            let css = match r.state {
                lianjian_domain::partner::SubmissionState::Submitted { late: false, .. } => "ok",
                lianjian_domain::partner::SubmissionState::Submitted { .. } => "warn",
                lianjian_domain::partner::SubmissionState::Missing { .. } => "bad",
                lianjian_domain::partner::SubmissionState::NotYetDue => "",
            };
            context! { department => r.department.zh(), period => r.period.zh(), due => fmt(r.due), deadline => r.deadline.map(fmt),
                       state => r.state.zh(), css => css, rows => r.rows, versions => r.versions }
        })
        .collect();
    let ctx = context! { rows => rows, can_upload => caller.can(Permission::PartnerWorkspace) };
    Ok(Html(render(
        &state.templates,
        "partner_board.html",
        "名单报送情况",
        "/partner-lists",
        Some(&caller),
        ctx,
    )?))
}

async fn board_xlsx(State(state): State<AppState>, PageCaller(caller): PageCaller) -> PageResult<Response> {
    if !can_see_board(&caller) {
        return Err(AppError::Forbidden);
    }
    let rows: Vec<Vec<Cell>> = board(&state)
        .await?
        .iter()
        .filter(|r| !caller.can(Permission::PartnerWorkspace) || r.department == caller.user.department)
        .map(|r| {
            vec![
                Cell::Text(r.department.zh().to_owned()),
                Cell::Text(r.period.zh()),
                Cell::Date(r.due),
                r.deadline.map(Cell::Date).unwrap_or(Cell::Empty),
                Cell::Text(r.state.zh()),
                Cell::Int(r.rows),
            ]
        })
        .collect();
    xlsx_response(
        "名单报送",
        &["报送部门", "报送期间", "应报日期", "顺延截止日", "报送情况", "名单行数"],
        &rows,
        "名单报送情况.xlsx",
    )
}

async fn partner_template(PageCaller(caller): PageCaller) -> PageResult<Response> {
    if !can_see_board(&caller) {
        return Err(AppError::Forbidden);
    }
    Ok(download(
        lianjian_exchange::partner_list_template(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "协作部门名单模板.xlsx",
    ))
}

async fn partner_upload_page(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Html<String>> {
    caller.require(Permission::PartnerWorkspace)?;
    let periods: Vec<String> = Period::recent(today_cst(), 4).iter().map(|p| p.code()).collect();
    let ctx = context! { periods => periods };
    Ok(Html(render(
        &state.templates,
        "partner_upload.html",
        "名单报送",
        "/partner/upload",
        Some(&caller),
        ctx,
    )?))
}

#[derive(Deserialize)]
struct CsrfQuery {
    _csrf: Option<String>,
}

async fn partner_upload(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Query(q): Query<CsrfQuery>,
    mut multipart: Multipart,
) -> PageResult<Response> {
    caller.require(Permission::PartnerWorkspace)?;
    caller.check_csrf(q._csrf.as_deref())?;
    let mut file = None;
    while let Some(part) =
        multipart.next_field().await.map_err(|e| AppError::bad("file", format!("上传失败:{e}")))?
    {
        if part.name() == Some("file") {
            let name = part.file_name().unwrap_or("upload.xlsx").to_owned();
            let bytes = part.bytes().await.map_err(|e| AppError::bad("file", format!("上传失败:{e}")))?;
            file = Some((name, bytes));
        }
    }
    let (name, bytes) = file.ok_or_else(|| AppError::bad("file", "请选择要上传的文件"))?;
    let kind =
        lianjian_exchange::FileKind::from_file_name(&name).unwrap_or(lianjian_exchange::FileKind::Xlsx);
    let periods: Vec<String> = Period::recent(today_cst(), 4).iter().map(|p| p.code()).collect();
    let render_problems = |problems: Vec<String>| -> PageResult<Response> {
        let ctx = context! { periods => periods, problems => problems, file_name => name };
        let html = render(
            &state.templates,
            "partner_upload.html",
            "名单报送",
            "/partner/upload",
            Some(&caller),
            ctx,
        )?;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
    };
    let rows = match lianjian_exchange::parse_partner_list(&bytes, kind) {
        Ok(rows) => rows,
        Err(problems) => return render_problems(problems.iter().map(ToString::to_string).collect()),
    };
    // One file, one department and one period: the uploader's own.
    let mut groups: std::collections::BTreeMap<String, Vec<PartnerListRow>> = Default::default();
    let mut problems = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        if r.department != caller.user.department {
            problems.push(format!(
                "第 {} 行:报送部门“{}”不是本部门({})",
                i + 2,
                r.department.zh(),
                caller.user.department.zh()
            ));
            continue;
        }
        let commission = if r.commission.code() == "government" {
            Commission::Government
        } else {
            Commission::Enforcement
        };
        groups.entry(r.period.clone()).or_default().push(PartnerListRow {
            uscc: r.uscc.clone(),
            institution_name: r.institution_name.clone(),
            category: r.category,
            project: r.project.clone(),
            commission,
        });
    }
    if groups.len() > 1 {
        problems.push(format!("一个文件只能报送一个期间,本文件含 {} 个期间", groups.len()));
    }
    if !problems.is_empty() {
        return render_problems(problems);
    }
    let Some((period, rows)) = groups.into_iter().next() else {
        return render_problems(vec!["文件中没有名单行".into()]);
    };
    let period: Period = period
        .parse()
        .map_err(|e: lianjian_domain::partner::PeriodError| AppError::bad("period", e.to_string()))?;
    match state
        .store
        .submit_partner_list(&caller.actor(), caller.user.department, period, rows, today_cst())
        .await
    {
        Ok(_) => Ok(redirect("/partner-lists".into())),
        Err(lianjian_store::partner_lists::PartnerListError::BadRows(ps)) => {
            render_problems(ps.iter().map(ToString::to_string).collect())
        }
        Err(e) => Err(e.into()),
    }
}
