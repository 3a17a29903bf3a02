//! The item list's pages: the list in force on a day (for supervisors with the leaders' add and
//! revise forms; for everyone on the public page), and its Excel export, public like the list.

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use lianjian_domain::items::{ItemChanges, ItemMethod, NewItem};
use lianjian_domain::org::{Duty, Permission};
use minijinja::context;
use serde::Deserialize;

use crate::auth::{MaybeCaller, PageCaller};
use crate::error::{AppError, PageResult};
use crate::extract::{parse_day, PageForm};
use crate::templates::render;
use crate::xlsx::{xlsx_response, Cell};
use crate::AppState;

#[derive(Deserialize)]
pub(super) struct OnQuery {
    on: Option<String>,
}

/// A new item, as the list page's form posts it.
#[derive(Deserialize)]
pub(super) struct AddForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    duty: Duty,
    #[serde(default)]
    basis: String,
    #[serde(default)]
    content: String,
    method: ItemMethod,
    /// In force from (`YYYY-MM-DD`; today when blank).
    #[serde(default)]
    from: Option<String>,
}

/// A revision: blank fields are kept as they are.
#[derive(Deserialize)]
pub(super) struct ReviseForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    basis: Option<String>,
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    method: Option<String>,
    /// In force from (`YYYY-MM-DD`; today when blank).
    #[serde(default)]
    from: Option<String>,
}

async fn item_rows(state: &AppState, on: time::Date) -> PageResult<Vec<minijinja::Value>> {
    Ok(state
        .app
        .items(Some(on))
        .await?
        .iter()
        .map(|i| {
            context! { code => i.code, department => i.department.zh(), duty => i.duty.code(), duty_zh => i.duty.zh(),
                       basis => i.basis, content => i.content, method => i.method.zh(), method_code => i.method.code(),
                       version => i.version, valid_from => lianjian_domain::date::format(i.valid_from) }
        })
        .collect())
}

pub(super) async fn list(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Query(q): Query<OnQuery>,
) -> PageResult<Html<String>> {
    caller.require(Permission::SupervisorWorkspace)?;
    let on = parse_day("on", &q.on, state.app.today())?;
    let duties: Vec<minijinja::Value> =
        Duty::ALL.iter().map(|d| context! { code => d.code(), zh => d.zh() }).collect();
    let methods: Vec<minijinja::Value> =
        ItemMethod::ALL.iter().map(|m| context! { code => m.code(), zh => m.zh() }).collect();
    let ctx = context! { items => item_rows(&state, on).await?, on => lianjian_domain::date::format(on),
    can_edit => caller.can(Permission::LeaderApproval), duties => duties, methods => methods, public => false };
    Ok(Html(render(&state.templates, "items_list.html", "随机抽查事项清单", "/items", Some(&caller), ctx)?))
}

pub(super) async fn public_list(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    Query(q): Query<OnQuery>,
) -> PageResult<Html<String>> {
    let on = parse_day("on", &q.on, state.app.today())?;
    let ctx = context! { items => item_rows(&state, on).await?, on => lianjian_domain::date::format(on), can_edit => false, public => true };
    Ok(Html(render(
        &state.templates,
        "items_list.html",
        "随机抽查事项清单",
        "/public/items",
        caller.as_ref(),
        ctx,
    )?))
}

/// The item list is public, so is its Excel export.
pub(super) async fn list_xlsx(
    State(state): State<AppState>,
    Query(q): Query<OnQuery>,
) -> PageResult<Response> {
    let on = parse_day("on", &q.on, state.app.today())?;
    let rows: Vec<Vec<Cell>> = state
        .app
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
                Cell::Text(i.method.zh().to_owned()),
                Cell::Int(i.version),
                Cell::Date(i.valid_from),
            ]
        })
        .collect();
    let headers = ["事项编号", "部门", "职责", "检查依据", "检查内容", "检查方式", "版本", "生效日期"];
    xlsx_response("抽查事项清单", &headers, &rows, "随机抽查事项清单.xlsx")
}

pub(super) async fn add(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    PageForm(form): PageForm<AddForm>,
) -> PageResult<Response> {
    caller.check_form(Permission::LeaderApproval, &form.csrf)?;
    let new = NewItem { duty: form.duty, basis: form.basis, content: form.content, method: form.method };
    let from = parse_day("from", &form.from, state.app.today())?;
    state.app.add_item(&caller.actor(), new, from).await?;
    Ok(Redirect::to("/items").into_response())
}

pub(super) async fn revise(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(code): Path<String>,
    PageForm(form): PageForm<ReviseForm>,
) -> PageResult<Response> {
    caller.check_form(Permission::LeaderApproval, &form.csrf)?;
    let given = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let method = given(form.method)
        .map(|m| m.parse::<ItemMethod>().map_err(|e| AppError::bad("method", e.to_string())))
        .transpose()?;
    let changes = ItemChanges { basis: given(form.basis), content: given(form.content), method };
    let from = parse_day("from", &form.from, state.app.today())?;
    state.app.revise_item(&caller.actor(), &code, changes, from).await?;
    Ok(Redirect::to("/items").into_response())
}
