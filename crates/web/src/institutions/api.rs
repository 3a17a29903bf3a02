//! The registry API for other systems: the directory with the page's filters, one institution as of
//! a day, its standing, and the snapshot out and in (exchange-formats §1). Supervisors read
//! everything; an institution's account reads its own institution; any signed-in partner may ask an
//! institution's standing before hiring it.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use lianjian_app::institutions::ImportOutcome;
use lianjian_domain::date::{ymd, ymd_opt};
use lianjian_domain::org::{Category, Permission};
use lianjian_registry::flags::Flag;
use lianjian_registry::{Institution, Snapshot, Standing};
use lianjian_store::institutions::DirectoryRow;
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::{IntoParams, ToSchema};

use super::DirectoryQuery;
use crate::auth::{ApiCaller, Caller};
use crate::error::{ApiResult, AppError, Problem as ProblemJson};
use crate::extract::{paging, parse_day, ApiPath, ApiQuery, DatedPage};
use crate::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StandingQuery {
    /// Day `YYYY-MM-DD` (China Standard Time); today when absent.
    #[param(value_type = Option<String>, format = Date)]
    on: Option<String>,
}

/// The institution a path names (normalised) and the day asked about: an institution's account
/// asks about its own institution only; everyone else as the route allows.
fn institution_on(
    state: &AppState,
    caller: &Caller,
    uscc: &str,
    q: &StandingQuery,
) -> Result<(String, Date), AppError> {
    let uscc = uscc.trim().to_uppercase();
    if caller.can(Permission::InstitutionWorkspace) && caller.user.institution_uscc.as_deref() != Some(&uscc)
    {
        return Err(AppError::Forbidden);
    }
    Ok((uscc, parse_day("on", &q.on, state.app.today())?))
}

/// An institution's standing on a day: certificates in force, restriction (R10/R11). Partner
/// departments call this before hiring an institution.
#[utoipa::path(get, path = "/api/v1/institutions/{uscc}/standing", tag = "registry",
    params(("uscc" = String, Path, description = "统一社会信用代码(18 位)", pattern = "^[0-9A-Za-z]{18}$"), StandingQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Standing on the day"), (status = 400, body = ProblemJson),
        (status = 403, body = ProblemJson), (status = 404, body = ProblemJson)))]
pub async fn standing(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(uscc): ApiPath<String>,
    ApiQuery(q): ApiQuery<StandingQuery>,
) -> ApiResult<Json<Standing>> {
    let (uscc, on) = institution_on(&state, &caller, &uscc, &q)?;
    Ok(Json(state.app.standing(&uscc, on).await?))
}

/// The directory's filters and paging.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Part of the institution's name.
    name: Option<String>,
    /// The start of the unified social credit code.
    uscc: Option<String>,
    /// A monitoring category (`water`, `air`, …, or its Chinese name): some scope entry of some
    /// certificate is in it.
    category: Option<String>,
    /// `in_force`, `valid`, `suspended`, `revoked`, `cancelled` or `expired`: some certificate is so
    /// on the day.
    status: Option<String>,
    /// With `method`: some certificate in force on the day covers this parameter by this method.
    parameter: Option<String>,
    /// With `parameter`: the method standard (compared after the §5 folding).
    method: Option<String>,
    /// The day `YYYY-MM-DD` (China Standard Time) the filters and the rows' standing are on; today
    /// when absent.
    #[param(value_type = Option<String>, format = Date)]
    on: Option<String>,
    /// Rows per page, 1–1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
    /// Rows to skip, 0–100000000.
    #[param(minimum = 0, maximum = 100_000_000)]
    offset: Option<i64>,
}

/// A certificate's number and its state on the day.
#[derive(Serialize, ToSchema)]
pub struct CertificateStateApi {
    no: String,
    /// `valid`, `suspended`, `revoked`, `cancelled`, `expired`, `not_yet_issued` or `no_status`.
    status: String,
}

/// One institution of the directory, as of the list's day.
#[derive(Serialize, ToSchema)]
pub struct InstitutionRowApi {
    /// 统一社会信用代码.
    uscc: String,
    name: String,
    district: Option<String>,
    /// At least one certificate is in force on the day.
    certificate_in_force: bool,
    certificates: Vec<CertificateStateApi>,
    /// Category codes of the certificates' scope entries.
    categories: Vec<String>,
    /// Under a restriction on the day (R10/R11).
    restricted: bool,
    /// Rule checks for an officer's look (`staff_elsewhere`, `expiring_without_renewal`).
    #[schema(value_type = Vec<Object>)]
    flags: Vec<Flag>,
}

fn row_api(r: DirectoryRow) -> InstitutionRowApi {
    InstitutionRowApi {
        uscc: r.uscc,
        name: r.name,
        district: r.district,
        certificate_in_force: r.certificate_in_force_today,
        certificates: r
            .certificates
            .into_iter()
            .map(|(no, s)| CertificateStateApi { no, status: s.as_str().to_owned() })
            .collect(),
        categories: r.categories,
        restricted: r.restricted_today,
        flags: r.flags,
    }
}

/// The directory 机构名录 with the page's filters, ordered by USCC (supervisors).
#[utoipa::path(get, path = "/api/v1/institutions", tag = "registry", params(ListQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = DatedPage<InstitutionRowApi>), (status = 400, body = ProblemJson),
        (status = 401, body = ProblemJson), (status = 403, body = ProblemJson)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<DatedPage<InstitutionRowApi>>> {
    caller.require(Permission::SupervisorWorkspace)?;
    let (limit, offset) = paging(q.limit, q.offset, 50, 1000)?;
    let directory = DirectoryQuery {
        name: q.name,
        uscc: q.uscc,
        category: q.category,
        status: q.status,
        parameter: q.parameter,
        method: q.method,
        on: q.on,
        page: None,
    };
    let (filter, on) = directory.filter(state.app.today())?;
    let (rows, total) = state.app.directory(&filter, limit, offset).await?;
    Ok(Json(DatedPage { rows: rows.into_iter().map(row_api).collect(), limit, offset, total, on }))
}

/// A scope entry in force on the day.
#[derive(Serialize, ToSchema)]
pub struct ScopeApi {
    #[schema(value_type = String)]
    category: Category,
    parameter: String,
    method: String,
}

/// A certificate with its state and its scope on the day.
#[derive(Serialize, ToSchema)]
pub struct CertificateApi {
    no: String,
    issuer: Option<String>,
    #[serde(with = "ymd")]
    #[schema(value_type = String, format = Date)]
    issued_on: Date,
    #[serde(with = "ymd")]
    #[schema(value_type = String, format = Date)]
    expires_on: Date,
    /// The state on the day (as in the list).
    status: String,
    in_force: bool,
    scope: Vec<ScopeApi>,
}

/// A person registered with the institution on the day.
#[derive(Serialize, ToSchema)]
pub struct PersonApi {
    person_id: String,
    name: String,
    /// Categories a signatory signs for; roles of staff.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    categories: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    roles: Vec<String>,
}

/// An institution as of a day: its particulars, its certificates with their state and scope on the
/// day, the signatories and staff registered that day, its instruments, its standing.
#[derive(Serialize, ToSchema)]
pub struct InstitutionApi {
    uscc: String,
    name: String,
    district: Option<String>,
    address: Option<String>,
    legal_rep: Option<String>,
    phone: Option<String>,
    #[serde(with = "ymd")]
    #[schema(value_type = String, format = Date)]
    on: Date,
    certificate_in_force: bool,
    restricted: bool,
    restriction_basis: Option<String>,
    certificates: Vec<CertificateApi>,
    signatories: Vec<PersonApi>,
    staff: Vec<PersonApi>,
    /// `{"id", "name"}` each.
    #[schema(value_type = Vec<Object>)]
    instruments: Vec<lianjian_registry::Instrument>,
    /// When the institution is restricted, the restriction's end (`null`: open).
    #[serde(with = "ymd_opt")]
    #[schema(value_type = Option<String>, format = Date)]
    restricted_until: Option<Date>,
}

fn institution_api(inst: Institution, on: Date) -> InstitutionApi {
    let standing = inst.standing(on);
    let restriction = inst.restriction_on(on).cloned();
    let certificates = inst
        .certificates
        .iter()
        .map(|c| CertificateApi {
            no: c.no.clone(),
            issuer: c.issuer.clone(),
            issued_on: c.issued_on,
            expires_on: c.expires_on,
            status: c.state_on(on).as_str().to_owned(),
            in_force: c.in_force_on(on),
            scope: c
                .scope
                .iter()
                .filter(|s| s.covers(on))
                .map(|s| ScopeApi {
                    category: s.category,
                    parameter: s.parameter.clone(),
                    method: s.method.clone(),
                })
                .collect(),
        })
        .collect();
    let within = |from: Date, to: Option<Date>| from <= on && to.is_none_or(|t| on <= t);
    InstitutionApi {
        certificate_in_force: standing.certificate_in_force,
        restricted: standing.restricted,
        restriction_basis: standing.restriction_basis,
        restricted_until: restriction.and_then(|r| r.to),
        certificates,
        signatories: inst
            .signatories
            .iter()
            .filter(|s| within(s.from, s.to))
            .map(|s| PersonApi {
                person_id: s.person.id.clone(),
                name: s.person.name.clone(),
                categories: s.categories.iter().map(|c| c.code().to_owned()).collect(),
                roles: Vec::new(),
            })
            .collect(),
        staff: inst
            .staff
            .iter()
            .filter(|s| within(s.from, s.to))
            .map(|s| PersonApi {
                person_id: s.person.id.clone(),
                name: s.person.name.clone(),
                categories: Vec::new(),
                roles: s.roles.clone(),
            })
            .collect(),
        instruments: inst.instruments,
        on,
        uscc: inst.uscc,
        name: inst.name,
        district: inst.district,
        address: inst.address,
        legal_rep: inst.legal_rep,
        phone: inst.phone,
    }
}

/// One institution as of a day (`?on=`, default today): supervisors, or the institution's own
/// account.
#[utoipa::path(get, path = "/api/v1/institutions/{uscc}", tag = "registry",
    params(("uscc" = String, Path, description = "统一社会信用代码(18 位)", pattern = "^[0-9A-Za-z]{18}$"), StandingQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = InstitutionApi), (status = 400, body = ProblemJson),
        (status = 401, body = ProblemJson), (status = 403, body = ProblemJson), (status = 404, body = ProblemJson)))]
pub async fn one(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(uscc): ApiPath<String>,
    ApiQuery(q): ApiQuery<StandingQuery>,
) -> ApiResult<Json<InstitutionApi>> {
    if !caller.can(Permission::SupervisorWorkspace) && !caller.can(Permission::InstitutionWorkspace) {
        return Err(AppError::Forbidden.into());
    }
    let (uscc, on) = institution_on(&state, &caller, &uscc, &q)?;
    Ok(Json(institution_api(state.app.institution(&uscc).await?, on)))
}

/// The whole registry as a snapshot (exchange-formats §1).
#[utoipa::path(get, path = "/api/v1/registry", tag = "registry",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Registry snapshot"), (status = 403, body = ProblemJson)))]
pub async fn export(State(state): State<AppState>, ApiCaller(caller): ApiCaller) -> ApiResult<Response> {
    caller.require(Permission::SupervisorWorkspace)?;
    let snapshot = state.app.export_registry().await?;
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

/// Import a registry snapshot: all or nothing. 422 (`registry_refused`) lists every problem.
#[utoipa::path(post, path = "/api/v1/registry", tag = "registry",
    request_body(content = SnapshotBody, content_type = "application/json", description = "Registry snapshot (exchange-formats §1)"),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Applied: counts"), (status = 422, description = "Refused: every problem"),
              (status = 400, body = ProblemJson), (status = 403, body = ProblemJson), (status = 413, body = ProblemJson)))]
pub async fn import(
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
    Ok(match state.app.import_registry(&caller.actor(), &snapshot, Some(&note)).await? {
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
