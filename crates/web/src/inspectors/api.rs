//! The inspector register's read API (supervisors): the list with the page's filters.

use axum::extract::State;
use axum::Json;
use lianjian_domain::inspectors::InspectorView;
use lianjian_domain::org::Permission;
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::{IntoParams, ToSchema};

use crate::auth::ApiCaller;
use crate::error::{ApiResult, Problem};
use crate::extract::{paging, parse_day, ApiQuery, DatedPage};
use crate::AppState;

/// The list's filters, the day `active` is answered for, and paging.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `EEB` or `MSA`.
    department: Option<String>,
    /// A monitoring category code (`water`, …) or its Chinese name.
    specialty: Option<String>,
    /// Only those on duty that day (`YYYY-MM-DD`).
    #[param(value_type = Option<String>, format = Date)]
    active_on: Option<String>,
    /// The day `active` and `conflicts` are answered for (`YYYY-MM-DD`); `active_on`, else today.
    #[param(value_type = Option<String>, format = Date)]
    on: Option<String>,
    /// Rows per page, 1–1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
    /// Rows to skip, 0–100000000.
    #[param(minimum = 0, maximum = 100_000_000)]
    offset: Option<i64>,
}

/// An inspector of the register.
#[derive(Serialize, ToSchema)]
pub struct InspectorApi {
    /// Register code, e.g. `EEB-0007`.
    code: String,
    name: String,
    /// `EEB` or `MSA`.
    department: String,
    /// On duty on the list's day.
    active: bool,
    /// 执法证号.
    enforcement_cert_no: String,
    /// Category codes.
    specialties: Vec<String>,
    max_tasks_per_plan: i64,
    /// Conflicts of interest in force on the list's day.
    conflicts: usize,
}

fn api_of(i: &InspectorView, on: Date) -> InspectorApi {
    InspectorApi {
        code: i.code.clone(),
        name: i.name.clone(),
        department: i.department.code().to_owned(),
        active: i.is_active_on(on),
        enforcement_cert_no: i.enforcement_cert_no.clone(),
        specialties: i.specialties.iter().map(|c| c.code().to_owned()).collect(),
        max_tasks_per_plan: i.max_tasks_per_plan,
        conflicts: i.conflicts_on(on).count(),
    }
}

/// The inspector register 检查人员名录库, by code, deactivated inspectors included unless
/// `active_on` asks otherwise (supervisors).
#[utoipa::path(get, path = "/api/v1/inspectors", tag = "inspectors", params(ListQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = DatedPage<InspectorApi>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<DatedPage<InspectorApi>>> {
    caller.require(Permission::SupervisorWorkspace)?;
    let (limit, offset) = paging(q.limit, q.offset, 100, 1000)?;
    let filter = super::pages::InspectorQuery {
        department: q.department,
        specialty: q.specialty,
        active_on: q.active_on.clone(),
    }
    .filter()?;
    let on = parse_day("on", &q.on.or(q.active_on), state.app.today())?;
    let all = state.app.inspectors(&filter).await?;
    Ok(Json(DatedPage::of(&all, limit, offset, on, |i| api_of(i, on))))
}
