//! The submission board's read API: supervisors see every reporting department, a partner liaison
//! its own department's rows only — as on the /partner-lists page.

use axum::extract::State;
use axum::Json;
use lianjian_app::partner_lists::BoardRow;
use lianjian_domain::partner::Period;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::board_scope;
use crate::auth::ApiCaller;
use crate::error::{ApiResult, AppError, Problem};
use crate::extract::{paging, parse_day, ApiQuery, DatedPage};
use crate::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardQuery {
    /// The board's day (`YYYY-MM-DD`): submissions after it are ignored; today when absent.
    #[param(value_type = Option<String>, format = Date)]
    on: Option<String>,
    /// How many periods, the newest first (1–12, default 4).
    #[param(minimum = 1, maximum = 12)]
    periods: Option<i64>,
    /// Rows per page, 1–1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
    /// Rows to skip, 0–100000000.
    #[param(minimum = 0, maximum = 100_000_000)]
    offset: Option<i64>,
}

/// A department's list for a period on the board's day.
#[derive(Serialize, ToSchema)]
pub struct BoardRowApi {
    /// `EEB`, `AGRI`, `PLAN`, `WATER`, `TRANSPORT` or `GREEN`.
    department: String,
    /// `2025` (the year) or `2025H1` (its first half).
    period: String,
    /// The plan's due date.
    #[schema(value_type = String, format = Date)]
    due: String,
    /// The due date moved to a working day.
    #[schema(value_type = Option<String>, format = Date)]
    deadline: Option<String>,
    /// The deadline rests on a year without a State Council notice (预估).
    deadline_provisional: bool,
    /// `submitted` (with `on`, `late`, `late_by_working_days`, `provisional`), `missing` (with
    /// `overdue_working_days`, `provisional`) or `not_yet_due`.
    #[schema(value_type = Object)]
    state: lianjian_domain::partner::SubmissionState,
    /// Versions submitted by the board's day.
    versions: i64,
    /// Rows of the latest version.
    rows: i64,
    #[schema(value_type = Option<String>, format = Date)]
    latest_on: Option<String>,
}

fn api_of(r: &BoardRow) -> BoardRowApi {
    let fmt = lianjian_domain::date::format;
    BoardRowApi {
        department: r.department.code().to_owned(),
        period: r.period.code(),
        due: fmt(r.due),
        deadline: r.deadline.map(fmt),
        deadline_provisional: r.deadline_provisional,
        state: r.state,
        versions: r.versions,
        rows: r.rows,
        latest_on: r.latest_on.map(fmt),
    }
}

/// Partner-list submission status 名单报送情况 (R11): per reporting department and period, submitted
/// on time, late by so many working days, missing, or not yet due.
#[utoipa::path(get, path = "/api/v1/partner-lists", tag = "partner-lists", params(BoardQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = DatedPage<BoardRowApi>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn board(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(q): ApiQuery<BoardQuery>,
) -> ApiResult<Json<DatedPage<BoardRowApi>>> {
    let only = board_scope(&caller)?;
    let (limit, offset) = paging(q.limit, q.offset, 100, 1000)?;
    let n = q.periods.unwrap_or(4);
    if !(1..=12).contains(&n) {
        return Err(AppError::bad("periods", "periods 应在 1 至 12 之间").into());
    }
    let on = parse_day("on", &q.on, state.app.today())?;
    let all = state.app.partner_board(&Period::recent(on, n as usize), on, only).await?;
    Ok(Json(DatedPage::of(&all, limit, offset, on, api_of)))
}
