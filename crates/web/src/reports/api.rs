//! The reports API: upload a batch (JSON Lines), check without filing, follow a batch's check,
//! read findings, request a re-check.

use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use lianjian_app::reports::{BatchView, FindingQuery, MAX_VALIDATE_BYTES};
use lianjian_domain::org::Permission;
use lianjian_store::reports::{FindingRow, NewFinding, Refused};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::MAX_UPLOAD;
use crate::auth::ApiCaller;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiPath, ApiQuery};
use crate::AppState;

async fn read_body(body: Body, limit: usize) -> Result<axum::body::Bytes, crate::error::ApiError> {
    crate::extract::read_limited(body, limit, "监测报告").await
}

/// A body of JSON Lines: one monitoring report (exchange-formats §2) per line. Any line is taken —
/// a line that cannot be read is itself a finding (OFF-C01) — but the body must hold at least one
/// line that is not blank.
pub struct ReportLines;

impl utoipa::PartialSchema for ReportLines {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .pattern(Some(r"\S"))
            .description(Some("JSON Lines:每行一份监测报告(exchange-formats §2)"))
            .into()
    }
}

impl ToSchema for ReportLines {}

/// The result of a pre-submission check.
#[derive(Debug, Serialize, ToSchema)]
pub struct Validation {
    /// Lines checked.
    pub lines: usize,
    /// Lines refused (blank lines). A batch with another institution's report is refused whole (422).
    #[schema(value_type = Vec<Object>)]
    pub refused: Vec<Refused>,
    pub errors: u64,
    pub warnings: u64,
    /// Findings as exchange-formats §3.
    #[schema(value_type = Vec<Object>)]
    pub findings: Vec<NewFinding>,
}

impl From<lianjian_app::reports::Validation> for Validation {
    fn from(v: lianjian_app::reports::Validation) -> Validation {
        Validation {
            lines: v.lines,
            refused: v.refused,
            errors: v.errors,
            warnings: v.warnings,
            findings: v.findings,
        }
    }
}

/// What an upload created.
#[derive(Serialize, ToSchema)]
pub struct Uploaded {
    pub batch_id: i64,
    /// The check run queued for the batch.
    pub run_id: i64,
    /// Report lines stored.
    pub accepted: usize,
    /// Lines refused, with their 1-based line number and the reason.
    #[schema(value_type = Vec<Object>)]
    pub refused: Vec<Refused>,
    /// Follow the check here.
    pub status_url: String,
}

/// Upload monitoring reports (JSON Lines, one report per line, exchange-formats §2). The batch is
/// stored as submitted and checked in the background; `202` with the batch id (blank lines are
/// listed in `refused`). Institution accounts may upload only their own institution's reports: a
/// batch with any line that names another institution — or that the engine and a general JSON
/// reader read differently, so that it may — is refused as a whole, `422` problem JSON with code
/// `reports_not_own` and every such line in `lines`; nothing is stored. Officers and the city
/// feed's token may upload any institution's.
#[utoipa::path(post, path = "/api/v1/reports", tag = "reports",
    request_body(content = ReportLines, content_type = "application/x-ndjson", description = "JSON Lines"),
    security(("bearer" = []), ("session" = [])),
    responses((status = 202, body = Uploaded), (status = 400, body = Problem), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn upload_reports(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    body: Body,
) -> ApiResult<Response> {
    let bytes = read_body(body, MAX_UPLOAD).await?;
    let up = state.app.submit_reports(&caller.actor(), &caller.user, None, &bytes).await?;
    let out = Uploaded {
        batch_id: up.batch_id,
        run_id: up.run_id,
        accepted: up.accepted,
        refused: up.refused,
        status_url: format!("/api/v1/reports/batches/{}", up.batch_id),
    };
    Ok((StatusCode::ACCEPTED, Json(out)).into_response())
}

/// Pre-submission check 报送前自查: check up to 500 reports against the registry as it is now,
/// without filing them. Nothing is stored except an audit entry. The same ownership rule as the
/// upload: `422` (`reports_not_own`) for an institution's batch with another institution's line.
#[utoipa::path(post, path = "/api/v1/reports/validate", tag = "reports",
    request_body(content = ReportLines, content_type = "application/x-ndjson", description = "JSON Lines"),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Validation), (status = 400, body = Problem), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn validate_reports(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    body: Body,
) -> ApiResult<Json<Validation>> {
    let bytes = read_body(body, MAX_VALIDATE_BYTES + 1).await?;
    Ok(Json(state.app.validate_reports(&caller.actor(), &caller.user, &bytes).await?.into()))
}

/// A batch, its check runs (newest first) and how many current findings it has.
#[utoipa::path(get, path = "/api/v1/reports/batches/{id}", tag = "reports",
    params(("id" = i64, Path, description = "批次编号")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Batch with runs"), (status = 404, body = Problem)))]
pub async fn batch(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<BatchView>> {
    Ok(Json(state.app.report_batch(&caller.user, id).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Also findings superseded by a re-check.
    history: Option<bool>,
}

/// Findings of a batch (current result; with `history=true` also the superseded ones).
#[utoipa::path(get, path = "/api/v1/reports/batches/{id}/findings", tag = "reports",
    params(("id" = i64, Path, description = "批次编号"), HistoryQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Findings"), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn batch_findings(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> ApiResult<Json<Vec<FindingRow>>> {
    Ok(Json(state.app.batch_findings(&caller.user, id, q.history.unwrap_or(false)).await?))
}

/// Re-check a batch against the registry as it is now (after a correction); the new result
/// supersedes the old one, which is kept as history. `202` with the new run.
#[utoipa::path(post, path = "/api/v1/reports/batches/{id}/recheck", tag = "reports",
    params(("id" = i64, Path, description = "批次编号")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 202, description = "Run queued"), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn recheck(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    caller.require(Permission::SupervisorWorkspace)?;
    let sub = state.app.recheck(&caller.actor(), id, None).await?;
    Ok((StatusCode::ACCEPTED, Json(sub)).into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorklistQuery {
    rule: Option<String>,
    institution: Option<String>,
    history: Option<bool>,
    /// Rows per page, 1–5000 (default 200).
    #[param(minimum = 1, maximum = 5000)]
    limit: Option<i64>,
    /// Rows to skip, 0–100000000.
    #[param(minimum = 0, maximum = 100_000_000)]
    offset: Option<i64>,
}

/// The caller's department's worklist: findings routed to it by duty code (EEB-* or MSA-*).
#[utoipa::path(get, path = "/api/v1/findings", tag = "reports", params(WorklistQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Findings"), (status = 403, body = Problem)))]
pub async fn findings(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(q): ApiQuery<WorklistQuery>,
) -> ApiResult<Json<Vec<FindingRow>>> {
    caller.require(Permission::SupervisorWorkspace)?;
    let (limit, offset) = crate::extract::paging(q.limit, q.offset, 200, 5000)?;
    let query = FindingQuery {
        rule: q.rule,
        institution: q.institution,
        severity: None,
        history: q.history.unwrap_or(false),
    };
    Ok(Json(state.app.worklist(caller.user.department, &query, limit, offset).await?.rows))
}
