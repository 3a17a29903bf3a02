//! One application error for the HTTP edge. The user sees a Chinese sentence that says what to do; the
//! API returns RFC 9457 problem JSON with a stable `code`; the log keeps the cause. Internals never leak.

use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use lianjian_store::StoreError;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("请先登录")]
    Unauthenticated,
    #[error("{0}")]
    SignInRefused(String),
    #[error("无权访问此页面或执行此操作")]
    Forbidden,
    #[error("请求已过期或来源不明(CSRF 校验失败),请刷新页面后重试")]
    Csrf,
    #[error("{0}")]
    NotFound(String),
    #[error("{message}")]
    BadRequest { field: Option<String>, code: &'static str, message: String },
    /// The step is not allowed in the present state, or a value is taken (409).
    #[error("{message}")]
    Conflict { code: &'static str, field: Option<String>, message: String },
    /// Forbidden by a rule the message names (403), beyond the permission matrix's plain 403.
    #[error("{0}")]
    ForbiddenBecause(String),
    /// A password-signed-in session must change its password before anything else.
    #[error("请先修改口令:首次登录或口令被重置后,须修改口令才能继续使用")]
    PasswordChangeRequired,
    /// Too many failed attempts from one address (the per-address throttle).
    #[error("{0}")]
    TooManyAttempts(String),
    /// The body is larger than the limit of its upload kind.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The path exists, the method does not.
    #[error("此地址不支持 {0} 请求方法")]
    MethodNotAllowed(String),
    /// The body's media type is not the one this endpoint reads.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Understood and refused as a whole by a rule (422): `code` is the stable machine code, `field`
    /// the offending field if one, `lines` every offending line of an upload (1-based) with its reason.
    #[error("{message}")]
    Unprocessable {
        code: &'static str,
        field: Option<String>,
        message: String,
        lines: Vec<lianjian_store::reports::Refused>,
    },
    #[error("服务器内部错误,请稍后重试或联系系统管理员")]
    Internal(String),
}

impl AppError {
    pub fn bad(field: &str, message: impl Into<String>) -> AppError {
        AppError::BadRequest { field: Some(field.to_owned()), code: "bad_request", message: message.into() }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated | AppError::SignInRefused(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden
            | AppError::ForbiddenBecause(_)
            | AppError::Csrf
            | AppError::PasswordChangeRequired => StatusCode::FORBIDDEN,
            AppError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Stable machine code; the UI and partner systems key on it.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::SignInRefused(_) => "sign_in_refused",
            AppError::Forbidden | AppError::ForbiddenBecause(_) => "forbidden",
            AppError::Csrf => "csrf",
            AppError::NotFound(_) => "not_found",
            AppError::BadRequest { code, .. } | AppError::Conflict { code, .. } => code,
            AppError::PasswordChangeRequired => "password_change_required",
            AppError::TooManyAttempts(_) => "too_many_attempts",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::MethodNotAllowed(_) => "method_not_allowed",
            AppError::UnsupportedMediaType(_) => "unsupported_media_type",
            AppError::Unprocessable { code, .. } => code,
            AppError::Internal(_) => "internal",
        }
    }

    /// The RFC 9457 problem response used under `/api/v1`.
    pub fn problem(&self) -> Response {
        if let AppError::Internal(cause) = self {
            tracing::error!(%cause, "internal error");
        }
        let field = match self {
            AppError::BadRequest { field, .. }
            | AppError::Unprocessable { field, .. }
            | AppError::Conflict { field, .. } => field.clone(),
            _ => None,
        };
        let lines = match self {
            AppError::Unprocessable { lines, .. } if !lines.is_empty() => Some(lines.clone()),
            _ => None,
        };
        let body = Problem {
            r#type: format!("https://lianjian.invalid/problems/{}", self.code()),
            title: self.status().canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status().as_u16(),
            detail: self.to_string(),
            code: self.code(),
            field,
            lines,
        };
        let mut resp = (self.status(), axum::Json(body)).into_response();
        resp.headers_mut()
            .insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/problem+json"));
        resp
    }
}

/// RFC 9457 problem details, plus our stable `code` and the offending `field` when there is one.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    pub r#type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The offending lines of an upload refused as a whole: `{line, reason}` each.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub lines: Option<Vec<lianjian_store::reports::Refused>>,
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => AppError::NotFound(format!("未找到:{what}")),
            // The constraint is for the log; the user gets a sentence (no database text reaches a user).
            StoreError::Conflict(constraint) => {
                tracing::info!(%constraint, "write refused by a uniqueness rule");
                AppError::Conflict {
                    code: "conflict",
                    field: None,
                    message: "该记录已存在(与已有记录重复),请检查后重试".into(),
                }
            }
            StoreError::MissingReference(constraint) => {
                tracing::info!(%constraint, "write refused by a foreign key");
                AppError::Conflict {
                    code: "missing_reference",
                    field: None,
                    message: "所引用的记录不存在或已被替换,请刷新页面后重试".into(),
                }
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<lianjian_app::Error> for AppError {
    fn from(e: lianjian_app::Error) -> Self {
        use lianjian_app::Error as E;
        match e {
            E::Invalid(i) => AppError::BadRequest { field: i.field, code: i.code, message: i.message },
            E::Refused { code, field, message, lines } => AppError::Unprocessable {
                code,
                field,
                message,
                lines: lines
                    .into_iter()
                    .map(|l| lianjian_store::reports::Refused { line: l.line, reason: l.reason })
                    .collect(),
            },
            E::State { code, message } => AppError::Conflict { code, field: None, message },
            E::Conflict(i) => AppError::Conflict { code: i.code, field: i.field, message: i.message },
            E::NotFound(what) => AppError::NotFound(what),
            E::Forbidden(why) => AppError::ForbiddenBecause(why),
            E::SignInRefused(m) => AppError::SignInRefused(m),
            E::Throttled(m) => AppError::TooManyAttempts(m),
            E::Store(s) => s.into(),
            E::Internal(cause) => AppError::Internal(cause),
        }
    }
}

/// Pages render errors as a small Chinese page (the API wraps handlers to use [`AppError::problem`]).
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::Unauthenticated => axum::response::Redirect::to("/login").into_response(),
            other => {
                if let AppError::Internal(cause) = &other {
                    tracing::error!(%cause, "internal error");
                }
                let msg = crate::templates::escape(&other.to_string());
                let body = format!(
                    "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>出错了</title>\
                     <link rel=\"stylesheet\" href=\"/assets/site.css\"></head><body><main class=\"error-page\">\
                     <h1>{}</h1><p>{msg}</p><p><a href=\"/\">返回首页</a></p></main></body></html>",
                    other.status().as_u16()
                );
                (other.status(), Html(body)).into_response()
            }
        }
    }
}

/// An API result: errors become problem JSON.
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.problem()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
pub type PageResult<T> = Result<T, AppError>;
