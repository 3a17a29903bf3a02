//! The random-inspection item list 随机抽查事项清单 (一单), and its public page.

use axum::extract::{Path, Query, State};
use axum::response::{Html, Response};
use axum::Form;
use lianjian_domain::items::ItemMethod;
use lianjian_domain::org::{Duty, Permission};
use lianjian_store::items::{ItemChanges, NewItem};
use minijinja::context;
use serde::Deserialize;

use crate::auth::{MaybeCaller, PageCaller};
use crate::error::{AppError, PageResult};
use crate::pages::{field, FormData};
use crate::registry::parse_day;
use crate::templates::render;
use crate::xlsx::{xlsx_response, Cell};
use crate::AppState;

use super::{day_field, guard_form, redirect};

pub(super) fn method_zh(m: ItemMethod) -> &'static str {
    match m {
        ItemMethod::OnSite => "现场检查",
        ItemMethod::OffSite => "非现场检查",
        ItemMethod::DocumentReview => "书面检查",
    }
}

pub(super) async fn item_rows(state: &AppState, on: time::Date) -> PageResult<Vec<minijinja::Value>> {
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
pub(super) struct OnQuery {
    on: Option<String>,
}

pub(super) async fn items_page(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Query(q): Query<OnQuery>,
) -> PageResult<Html<String>> {
    caller.require(Permission::SupervisorWorkspace)?;
    let on = parse_day("on", &q.on, state.store.today())?;
    let duties: Vec<minijinja::Value> =
        Duty::ALL.iter().map(|d| context! { code => d.code(), zh => d.zh() }).collect();
    let methods: Vec<minijinja::Value> =
        ItemMethod::ALL.iter().map(|m| context! { code => m.code(), zh => method_zh(*m) }).collect();
    let ctx = context! { items => item_rows(&state, on).await?, on => lianjian_registry::date::format(on),
    can_edit => caller.can(Permission::LeaderApproval), duties => duties, methods => methods, public => false };
    Ok(Html(render(&state.templates, "items.html", "随机抽查事项清单", "/items", Some(&caller), ctx)?))
}

pub(super) async fn public_items(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    Query(q): Query<OnQuery>,
) -> PageResult<Html<String>> {
    let on = parse_day("on", &q.on, state.store.today())?;
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
pub(super) async fn items_xlsx(
    State(state): State<AppState>,
    Query(q): Query<OnQuery>,
) -> PageResult<Response> {
    let on = parse_day("on", &q.on, state.store.today())?;
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

pub(super) fn parse_method(s: &str) -> PageResult<ItemMethod> {
    ItemMethod::ALL
        .iter()
        .copied()
        .find(|m| m.code() == s)
        .ok_or_else(|| AppError::bad("method", "请选择检查方式"))
}

pub(super) async fn item_add(
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
    state.store.add_item(&caller.actor(), new, day_field(&form, "from", state.store.today())?).await?;
    Ok(redirect("/items".into()))
}

pub(super) async fn item_revise(
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
    state
        .store
        .revise_item(&caller.actor(), &code, changes, day_field(&form, "from", state.store.today())?)
        .await?;
    Ok(redirect("/items".into()))
}
