//! Registry import from the web (upload → preview → confirm) and the registry API for other systems.

use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use lianjian_domain::org::Permission;
use lianjian_exchange::SheetLimits;
use lianjian_registry::{Problem, Snapshot, Standing};
use lianjian_store::registry::ImportOutcome;
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::auth::{random_token, ApiCaller, Caller, CsrfQuery, PageCaller};
use crate::error::{ApiResult, AppError, PageResult, Problem as ProblemJson};
use crate::extract::{ApiPath, ApiQuery};
use crate::pages::{field, FormData};
use crate::registry::parse_day;
use crate::templates::render;
use crate::upload::read_upload;
use crate::xlsx::download;
use crate::AppState;

/// Uploads up to this size are accepted (a city's registry as XLSX is tens of megabytes).
pub const MAX_UPLOAD: usize = 256 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/registry/import", get(import_page).post(import_upload))
        .route("/registry/import/confirm", post(import_confirm))
        .route("/registry/template.xlsx", get(template))
        .route("/registry/export.json", get(export_json))
        .route("/registry/export-full.xlsx", get(export_xlsx))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD))
}

/// A problem as the import page lists it.
#[derive(Debug, Serialize)]
pub struct ProblemView {
    pub location: String,
    pub field: String,
    pub reason: String,
}

impl From<&Problem> for ProblemView {
    fn from(p: &Problem) -> Self {
        ProblemView {
            location: format!("{} {}", p.uscc.as_deref().unwrap_or("(文件)"), p.path),
            field: p.field.clone(),
            reason: p.reason.clone(),
        }
    }
}

/// Read an uploaded registry: JSON by content, XLSX by its zip signature (under `limits`, the
/// upload caps in force: a workbook past one is refused with that one problem).
pub fn parse_registry_file(bytes: &[u8], limits: &SheetLimits) -> Result<Snapshot, Vec<ProblemView>> {
    if bytes.starts_with(b"PK\x03\x04") {
        return lianjian_exchange::snapshot_from_xlsx(bytes, limits).map_err(|ps| {
            ps.iter()
                .map(|p| ProblemView {
                    location: match (p.sheet.as_str(), p.row) {
                        ("", _) => "(文件)".to_owned(),
                        (sheet, 0) => format!("工作表“{sheet}”"),
                        (sheet, row) => format!("工作表“{sheet}”第 {row} 行"),
                    },
                    field: p.field.clone(),
                    reason: p.reason.clone(),
                })
                .collect()
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|_| {
        vec![ProblemView {
            location: "(文件)".into(),
            field: String::new(),
            reason: "文件既不是 UTF-8 JSON 也不是 Excel(.xlsx)".into(),
        }]
    })?;
    Snapshot::from_json(text).map_err(|e| {
        vec![ProblemView {
            location: format!("第 {} 行第 {} 列", e.line, e.column),
            field: String::new(),
            reason: e.reason_zh(),
        }]
    })
}

async fn import_page(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Html<String>> {
    caller.require(Permission::RegistryImport)?;
    Ok(Html(render(
        &state.templates,
        "registry_import.html",
        "名录导入",
        "/registry/import",
        Some(&caller),
        context! {},
    )?))
}

fn render_import(
    state: &AppState,
    caller: &Caller,
    ctx: minijinja::Value,
    status: StatusCode,
) -> PageResult<Response> {
    let html =
        render(&state.templates, "registry_import.html", "名录导入", "/registry/import", Some(caller), ctx)?;
    Ok((status, Html(html)).into_response())
}

async fn import_upload(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Query(q): Query<CsrfQuery>,
    multipart: Multipart,
) -> PageResult<Response> {
    caller.require(Permission::RegistryImport)?;
    caller.check_csrf(q.csrf.as_deref())?;
    let (file_name, bytes) = read_upload(multipart, "upload").await?.require_file("请选择要上传的文件")?;
    let limits = SheetLimits::from_params(&state.store.param_set().await?, state.store.today());
    let snapshot = match parse_registry_file(&bytes, &limits) {
        Ok(s) => s,
        Err(problems) => {
            return render_import(
                &state,
                &caller,
                context! { problems => problems, file_name => file_name },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    };
    let preview = state.store.preview_registry_import(&snapshot).await?;
    if !preview.problems.is_empty() {
        let problems: Vec<ProblemView> = preview.problems.iter().map(ProblemView::from).collect();
        return render_import(
            &state,
            &caller,
            context! { problems => problems, file_name => file_name },
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let token = random_token();
    state
        .store
        .stage_upload(&token, caller.user.id, "registry", &file_name, &snapshot.to_canonical_json())
        .await?;
    let count = |c: lianjian_store::registry::Change| preview.items.iter().filter(|i| i.change == c).count();
    let summary = context! {
        created => count(lianjian_store::registry::Change::Created),
        updated => count(lianjian_store::registry::Change::Updated),
        unchanged => count(lianjian_store::registry::Change::Unchanged),
        items => preview.items,
    };
    render_import(
        &state,
        &caller,
        context! { preview => summary, token => token, file_name => file_name },
        StatusCode::OK,
    )
}

async fn import_confirm(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Form(form): FormData,
) -> PageResult<Response> {
    caller.require(Permission::RegistryImport)?;
    caller.check_form_csrf(&form)?;
    let token = field(&form, "token");
    let staged = state
        .store
        .staged_upload(token, caller.user.id)
        .await?
        .ok_or_else(|| AppError::bad("token", "预览已过期或不存在,请重新上传文件"))?;
    let snapshot = Snapshot::from_json(&staged.payload).map_err(|e| AppError::Internal(e.reason_zh()))?;
    let note = Some(field(&form, "note").trim()).filter(|n| !n.is_empty()).map(str::to_owned);
    let note = note.unwrap_or_else(|| format!("网页导入 {}", staged.file_name));
    match state.store.import_registry(&caller.actor(), &snapshot, Some(&note)).await? {
        ImportOutcome::Applied(summary) => {
            state.store.drop_staged_upload(token).await?;
            render_import(&state, &caller, context! { done => summary }, StatusCode::OK)
        }
        ImportOutcome::Refused(problems) => {
            let problems: Vec<ProblemView> = problems.iter().map(ProblemView::from).collect();
            render_import(
                &state,
                &caller,
                context! { problems => problems, file_name => staged.file_name },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

async fn template(PageCaller(caller): PageCaller) -> PageResult<Response> {
    caller.require(Permission::RegistryImport)?;
    Ok(download(lianjian_exchange::registry_template(), XLSX, "机构名录导入模板.xlsx"))
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn export_json(State(state): State<AppState>, PageCaller(caller): PageCaller) -> PageResult<Response> {
    caller.require(Permission::SupervisorWorkspace)?;
    let snapshot = state.store.export_registry().await?;
    Ok(download(snapshot.to_canonical_json().into_bytes(), "application/json", "registry.json"))
}

async fn export_xlsx(State(state): State<AppState>, PageCaller(caller): PageCaller) -> PageResult<Response> {
    caller.require(Permission::SupervisorWorkspace)?;
    let snapshot = state.store.export_registry().await?;
    let bytes =
        lianjian_exchange::snapshot_to_xlsx(&snapshot).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(download(bytes, XLSX, "机构名录.xlsx"))
}

// ---- API -------------------------------------------------------------------------------------

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StandingQuery {
    /// Day `YYYY-MM-DD` (China Standard Time); today when absent.
    #[param(value_type = Option<String>, format = Date)]
    on: Option<String>,
}

/// An institution's standing on a day: certificates in force, restriction (R10/R11). Partner
/// departments call this before hiring an institution.
#[utoipa::path(get, path = "/api/v1/institutions/{uscc}/standing", tag = "registry",
    params(("uscc" = String, Path, description = "统一社会信用代码(18 位)", pattern = "^[0-9A-Za-z]{18}$"), StandingQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Standing on the day"), (status = 404, body = ProblemJson)))]
pub async fn standing(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(uscc): ApiPath<String>,
    ApiQuery(q): ApiQuery<StandingQuery>,
) -> ApiResult<Json<Standing>> {
    let uscc = uscc.trim().to_uppercase();
    if caller.can(Permission::InstitutionWorkspace)
        && caller.user.institution_uscc.as_deref() != Some(uscc.as_str())
    {
        return Err(AppError::Forbidden.into());
    }
    let on = parse_day("on", &q.on, state.store.today())?;
    let standing = state
        .store
        .standing(&uscc, on)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("机构 {uscc} 不在名录中")))?;
    Ok(Json(standing))
}

/// The whole registry as a snapshot (exchange-formats §1).
#[utoipa::path(get, path = "/api/v1/registry", tag = "registry",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Registry snapshot"), (status = 403, body = ProblemJson)))]
pub async fn export_api(State(state): State<AppState>, ApiCaller(caller): ApiCaller) -> ApiResult<Response> {
    caller.require(Permission::SupervisorWorkspace)?;
    let snapshot = state.store.export_registry().await?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], snapshot.to_canonical_json())
        .into_response())
}

/// A registry snapshot (exchange-formats §1): every institution with its certificates, scopes and
/// staff. Validated in full by the registry's own reader; 422 lists every problem.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct SnapshotBody {
    /// Institutions, each as exchange-formats §1 describes.
    #[schema(value_type = Vec<Object>)]
    institutions: Vec<serde_json::Value>,
}

/// Import a registry snapshot: all or nothing. 422 lists every problem.
#[utoipa::path(post, path = "/api/v1/registry", tag = "registry",
    request_body(content = SnapshotBody, content_type = "application/json", description = "Registry snapshot (exchange-formats §1)"),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Applied: counts"), (status = 422, description = "Refused: every problem"),
              (status = 400, body = ProblemJson), (status = 403, body = ProblemJson), (status = 413, body = ProblemJson)))]
pub async fn import_api(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    caller.require(Permission::RegistryImport)?;
    let text = std::str::from_utf8(&body).map_err(|_| AppError::bad("body", "请求体必须是 UTF-8 JSON"))?;
    let snapshot = Snapshot::from_json(text).map_err(|e| {
        AppError::bad("body", format!("第 {} 行第 {} 列:{}", e.line, e.column, e.reason_zh()))
    })?;
    let note = format!("接口导入({})", caller.user.username);
    Ok(match state.store.import_registry(&caller.actor(), &snapshot, Some(&note)).await? {
        ImportOutcome::Applied(summary) => {
            Json(serde_json::json!({"outcome": "applied", "summary": summary})).into_response()
        }
        ImportOutcome::Refused(problems) => {
            let body = serde_json::json!({
                "type": "https://lianjian.invalid/problems/registry_refused", "title": "Unprocessable Entity",
                "status": 422, "code": "registry_refused",
                "detail": format!("名录有 {} 处问题,未导入任何数据", problems.len()),
                "problems": problems.iter().map(|p| serde_json::json!({"uscc": p.uscc, "path": p.path, "field": p.field, "reason": p.reason})).collect::<Vec<_>>(),
            });
            let mut r = (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response();
            r.headers_mut().insert(
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/problem+json"),
            );
            r
        }
    })
}

/// The raw request body (large snapshots are parsed by the registry's own reader, not serde's
/// generic one, so that errors carry line and column).
pub struct RawBody(pub axum::body::Bytes);

impl<S: Send + Sync> axum::extract::FromRequest<S> for RawBody {
    type Rejection = crate::error::ApiError;

    async fn from_request(req: axum::extract::Request, _state: &S) -> Result<Self, Self::Rejection> {
        crate::extract::read_limited(req.into_body(), crate::limits::REGISTRY_SNAPSHOT, "名录快照")
            .await
            .map(RawBody)
    }
}
