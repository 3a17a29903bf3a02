//! The institution registry 机构名录库 at the edge: the directory with its filters, an institution's
//! page with its standing on any day, flags and timeline, the public directory ([`pages`]); the
//! import from a file, upload → preview → confirm ([`import`]); and the API for other systems
//! ([`api`]): the directory, one institution as of a day, its standing, the snapshot in and out.
//! URLs are contracts and keep their names (`/registry…`, `/public/institutions…`,
//! `/api/v1/registry`, `/api/v1/institutions…`).

pub mod api;
pub mod import;
pub mod pages;

use axum::routing::{get, post};
use axum::Router;
use lianjian_domain::org::Category;
use lianjian_registry::{CertificateState, Status};
use lianjian_store::institutions::{CertificateFilter, DirectoryFilter};
use serde::{Deserialize, Serialize};
use time::Date;

use crate::error::AppError;
use crate::extract::parse_day;
use crate::AppState;

pub fn router() -> Router<AppState> {
    let import_routes = Router::new()
        .route("/registry/import", get(import::page).post(import::upload))
        .route("/registry/import/confirm", post(import::confirm))
        .layer(axum::extract::DefaultBodyLimit::max(import::MAX_UPLOAD));
    Router::new()
        .route("/registry", get(pages::directory))
        .route("/registry/export.xlsx", get(pages::directory_xlsx))
        .route("/registry/institutions/{uscc}", get(pages::detail))
        .route("/registry/institutions/{uscc}/scope.xlsx", get(pages::scope_xlsx))
        .route("/registry/template.xlsx", get(import::template))
        .route("/registry/export.json", get(import::export_json))
        .route("/registry/export-full.xlsx", get(import::export_xlsx))
        .route("/public/institutions", get(pages::public_directory))
        .route("/public/institutions/export.xlsx", get(pages::public_directory_xlsx))
        .route("/public/institutions/{uscc}/scope.xlsx", get(pages::public_scope_xlsx))
        .route("/public/institutions/{uscc}", get(pages::public_detail))
        .merge(import_routes)
}

/// The directory's filters, as the page's query string names them (the API's list takes the same
/// names, `api::ListQuery`).
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct DirectoryQuery {
    /// Part of the institution's name.
    pub name: Option<String>,
    /// The start of the unified social credit code.
    pub uscc: Option<String>,
    /// A category code or its Chinese name: some scope entry of some certificate is in it.
    pub category: Option<String>,
    /// `in_force`, a status code or `expired`: some certificate is so on the day.
    pub status: Option<String>,
    /// With `method`: some certificate in force on the day covers this parameter by this method.
    pub parameter: Option<String>,
    pub method: Option<String>,
    /// The day `YYYY-MM-DD`; today when absent.
    pub on: Option<String>,
    /// The page number (the API pages with `limit` and `offset` instead).
    pub page: Option<i64>,
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

fn status_filter(code: &str) -> Result<CertificateFilter, AppError> {
    match code {
        "in_force" => Ok(CertificateFilter::InForce),
        "expired" => Ok(CertificateFilter::Expired),
        other => Status::ALL
            .iter()
            .find(|s| s.as_str() == other)
            .cloned()
            .map(CertificateFilter::Status)
            .ok_or_else(|| AppError::bad("status", format!("证书状态“{other}”无效"))),
    }
}

impl DirectoryQuery {
    /// The store's filter and the day it asks about.
    pub fn filter(&self, today: Date) -> Result<(DirectoryFilter, Date), AppError> {
        let on = parse_day("on", &self.on, today)?;
        let category = match non_empty(&self.category) {
            None => None,
            Some(c) => Some(c.parse::<Category>().map_err(|e| AppError::bad("category", e.to_string()))?),
        };
        let can_test = match (non_empty(&self.parameter), non_empty(&self.method)) {
            (Some(p), Some(m)) => Some((p, m, on)),
            (None, None) => None,
            _ => return Err(AppError::bad("method", "按“可检测”查询时,检测项目和方法标准都要填写")),
        };
        let status = non_empty(&self.status).map(|s| status_filter(&s)).transpose()?.map(|f| (f, on));
        Ok((
            DirectoryFilter {
                name_contains: non_empty(&self.name),
                uscc_prefix: non_empty(&self.uscc).map(|u| u.to_uppercase()),
                category,
                certificate_status_on: status,
                can_test,
                today: Some(on),
            },
            on,
        ))
    }
}

/// The Chinese label and status colour of a certificate's state.
pub fn state_view(state: &CertificateState) -> (&'static str, &'static str) {
    match state {
        CertificateState::Status(Status::Valid) => ("有效", "ok"),
        CertificateState::Status(Status::Suspended) => ("暂停", "warn"),
        CertificateState::Status(Status::Revoked) => ("撤销", "bad"),
        CertificateState::Status(Status::Cancelled) => ("注销", "bad"),
        CertificateState::Status(_) => ("其他", "warn"),
        CertificateState::Expired => ("已过期", "bad"),
        CertificateState::NotYetIssued => ("尚未发证", "warn"),
        CertificateState::NoStatus => ("无状态", "warn"),
    }
}
