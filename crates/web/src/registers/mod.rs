//! The inspector registry 检查人员名录库, the item list 随机抽查事项清单 (一单, public too) and the
//! partner-department list board and upload (R11).

use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use lianjian_domain::org::Permission;

use crate::auth::Caller;
use crate::error::PageResult;
use crate::registry::parse_day;
use crate::AppState;

mod inspectors;
mod items;
mod partner;

use inspectors::*;
use items::*;
use partner::*;

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

pub(super) fn redirect(to: String) -> Response {
    Redirect::to(&to).into_response()
}

pub(super) fn guard_form(
    caller: &Caller,
    form: &std::collections::HashMap<String, String>,
    p: Permission,
) -> PageResult<()> {
    caller.require(p)?;
    caller.check_form_csrf(form)
}

pub(super) fn day_field(
    form: &std::collections::HashMap<String, String>,
    name: &str,
    today: time::Date,
) -> PageResult<time::Date> {
    parse_day(name, &form.get(name).cloned(), today)
}
