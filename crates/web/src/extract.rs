//! Extractors whose rejections are Chinese and name the parameter, never axum's English plain text:
//! for the `/api/v1` routes, problem JSON (RFC 9457) for path and query parameters and raw bodies
//! with their size limit (413); for pages, typed form bodies ([`PageForm`]). And the one reading of a
//! day a page or the API is asked about ([`parse_day`]).

use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use time::Date;

use crate::error::{ApiError, AppError};
use crate::limits;

/// Path parameters (`/api/v1/plans/{id}`).
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(ApiPath(v)),
            Err(e) => Err(ApiError(path_error(&e))),
        }
    }
}

fn path_error(e: &PathRejection) -> AppError {
    use axum::extract::path::ErrorKind;
    let PathRejection::FailedToDeserializePathParams(inner) = e else {
        return AppError::Internal(format!("path extraction: {e}"));
    };
    match inner.kind() {
        ErrorKind::ParseErrorAtKey { key, value, expected_type } => AppError::bad(
            key,
            format!("路径参数 {key} 的值“{}”无效,应为{}", clip(value), type_zh(expected_type)),
        ),
        ErrorKind::ParseError { value, expected_type }
        | ErrorKind::ParseErrorAtIndex { value, expected_type, .. } => {
            AppError::bad("path", format!("路径参数“{}”无效,应为{}", clip(value), type_zh(expected_type)))
        }
        _ => AppError::bad("path", "路径参数无效"),
    }
}

/// Query parameters (`?on=2026-12-01&limit=50`), deserialized with the failing parameter named.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de).map(ApiQuery).map_err(|e| {
            let field = e.path().to_string();
            let field = if field == "." { "query".to_owned() } else { field };
            let inner = e.inner().to_string();
            let why = if inner.starts_with("missing field") {
                "缺少此参数"
            } else if inner.contains("unknown variant") {
                "不是允许的取值"
            } else if inner.contains("digit") || inner.contains("integer") || inner.contains("number") {
                "应为整数"
            } else {
                "格式不对"
            };
            ApiError(AppError::bad(&field, format!("查询参数 {field} 无效:{why}")))
        })
    }
}

/// A JSON action's body (sign-in, a decision, a small record): at most [`limits::JSON_BODY`]; beyond
/// it 413, a broken one 400.
pub struct ApiBytes(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for ApiBytes {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        read_limited(req.into_body(), limits::JSON_BODY, "JSON 请求").await.map(ApiBytes)
    }
}

/// Read a whole body of at most `limit` bytes: beyond it a 413 naming the limit of this kind of
/// upload (`what`), a body that breaks off a 400.
pub async fn read_limited(body: Body, limit: usize, what: &str) -> Result<Bytes, ApiError> {
    match http_body_util::BodyExt::collect(http_body_util::Limited::new(body, limit)).await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => Err(ApiError(
            AppError::PayloadTooLarge(format!("{what}的请求体超过上限 {}", limits::human(limit))),
        )),
        Err(_) => Err(ApiError(AppError::bad("body", "无法读取请求体(传输中断或格式错误)"))),
    }
}

fn clip(value: &str) -> String {
    let kept: String = value.chars().take(40).collect();
    if kept.len() < value.len() {
        format!("{kept}…")
    } else {
        kept
    }
}

fn type_zh(rust_type: &str) -> &'static str {
    match rust_type {
        "i64" | "i32" | "u64" | "u32" | "usize" => "整数",
        "bool" => "true 或 false",
        _ => "规定的格式",
    }
}

/// Paging of a list: `limit` rows (1..=`max_limit`, default `default_limit`) after `offset`
/// (0..=[`MAX_OFFSET`]); out of range is a 400 naming the parameter, never a silent clamp.
pub fn paging(
    limit: Option<i64>,
    offset: Option<i64>,
    default_limit: i64,
    max_limit: i64,
) -> Result<(i64, i64), ApiError> {
    let limit = limit.unwrap_or(default_limit);
    if !(1..=max_limit).contains(&limit) {
        return Err(ApiError(AppError::bad("limit", format!("limit 应在 1 至 {max_limit} 之间"))));
    }
    let offset = offset.unwrap_or(0);
    if !(0..=MAX_OFFSET).contains(&offset) {
        return Err(ApiError(AppError::bad("offset", format!("offset 应在 0 至 {MAX_OFFSET} 之间"))));
    }
    Ok((limit, offset))
}

/// The largest `offset` a list accepts (documented in each list's parameters).
pub const MAX_OFFSET: i64 = 100_000_000;

/// A page of a list answered as of a day: the rows in an array, the paging, and the day.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct DatedPage<T> {
    pub rows: Vec<T>,
    pub limit: i64,
    pub offset: i64,
    /// Rows matching the filters, all pages.
    pub total: i64,
    /// The day the rows are answered for.
    #[serde(with = "lianjian_domain::date::ymd")]
    #[schema(value_type = String, format = Date)]
    pub on: Date,
}

impl<T> DatedPage<T> {
    /// The page `offset..offset + limit` of `all`, each row shown by `view`.
    pub fn of<U>(all: &[U], limit: i64, offset: i64, on: Date, view: impl Fn(&U) -> T) -> DatedPage<T> {
        let rows = all.iter().skip(offset as usize).take(limit as usize).map(view).collect();
        DatedPage { rows, limit, offset, total: all.len() as i64, on }
    }
}

/// `YYYY-MM-DD` in `field`, or `today` (the platform clock's, China Standard Time) when it is absent
/// or blank.
pub fn parse_day(field: &str, s: &Option<String>, today: Date) -> Result<Date, AppError> {
    match s.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(today),
        Some(t) => lianjian_domain::date::parse(t)
            .ok_or_else(|| AppError::bad(field, format!("日期“{t}”无效,应为 YYYY-MM-DD"))),
    }
}

/// Like [`parse_day`], but a blank field is `None`.
pub fn parse_day_opt(field: &str, s: &Option<String>) -> Result<Option<Date>, AppError> {
    match s.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(_) => parse_day(field, s, Date::MIN).map(Some),
    }
}

/// A page's form body (`application/x-www-form-urlencoded`) as a typed struct: repeated keys fill a
/// `Vec` (check boxes), a field that does not read is a 400 page naming it. At most
/// [`limits::JSON_BODY`].
pub struct PageForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for PageForm<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_limited(req.into_body(), limits::JSON_BODY, "表单").await.map_err(|e| e.0)?;
        let de = serde_html_form::Deserializer::from_bytes(&bytes);
        serde_path_to_error::deserialize(de).map(PageForm).map_err(|e| {
            let field = e.path().to_string();
            AppError::bad(&field, format!("表单字段 {field} 无效,请检查后重新提交"))
        })
    }
}
