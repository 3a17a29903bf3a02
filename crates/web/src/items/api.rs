//! The item list's read API (supervisors): the list in force on a day, or every item's latest version.

use axum::extract::State;
use axum::Json;
use lianjian_domain::items::Item;
use lianjian_domain::org::Permission;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::ApiCaller;
use crate::error::{ApiResult, Problem};
use crate::extract::{paging, parse_day, ApiQuery, DatedPage};
use crate::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// The day the list was in force (`YYYY-MM-DD`); today when absent.
    #[param(value_type = Option<String>, format = Date)]
    on: Option<String>,
    /// Rows per page, 1–1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
    /// Rows to skip, 0–100000000.
    #[param(minimum = 0, maximum = 100_000_000)]
    offset: Option<i64>,
}

/// One item 抽查事项 as it stood on the day.
#[derive(Serialize, ToSchema)]
pub struct ItemApi {
    /// `SJ-EEB-2-01`: the duty code and the item's number under it.
    code: String,
    /// `EEB` or `MSA`.
    department: String,
    /// Duty code, e.g. `EEB-2`.
    duty: String,
    /// Legal basis 检查依据.
    basis: String,
    /// What is checked 检查内容.
    content: String,
    /// `on_site`, `off_site` or `document_review`.
    method: String,
    version: i64,
    #[schema(value_type = String, format = Date)]
    valid_from: String,
    #[schema(value_type = Option<String>, format = Date)]
    valid_to: Option<String>,
}

fn api_of(i: &Item) -> ItemApi {
    ItemApi {
        code: i.code.clone(),
        department: i.department.code().to_owned(),
        duty: i.duty.code().to_owned(),
        basis: i.basis.clone(),
        content: i.content.clone(),
        method: i.method.code().to_owned(),
        version: i.version,
        valid_from: lianjian_domain::date::format(i.valid_from),
        valid_to: i.valid_to.map(lianjian_domain::date::format),
    }
}

/// The random-inspection item list 随机抽查事项清单 in force on a day, by code (supervisors).
#[utoipa::path(get, path = "/api/v1/items", tag = "items", params(ListQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = DatedPage<ItemApi>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<DatedPage<ItemApi>>> {
    caller.require(Permission::SupervisorWorkspace)?;
    let (limit, offset) = paging(q.limit, q.offset, 100, 1000)?;
    let on = parse_day("on", &q.on, state.app.today())?;
    let all = state.app.items(Some(on)).await?;
    Ok(Json(DatedPage::of(&all, limit, offset, on, api_of)))
}
