//! Partner-department lists 协作部门机构名单 (R11) at the edge: the submission board, its Excel export,
//! the list template and a liaison's upload ([`pages`]), and the board's read API ([`api`]). The
//! board is the supervisors' and the liaisons' — a liaison sees its own department's rows only.

pub mod api;
pub mod pages;

use axum::routing::get;
use axum::Router;
use lianjian_domain::org::{Department, Permission};

use crate::auth::Caller;
use crate::error::AppError;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/partner-lists", get(pages::board))
        .route("/partner-lists/export.xlsx", get(pages::board_xlsx))
        .route("/partner-lists/template.xlsx", get(pages::template))
        .route("/partner/upload", get(pages::upload_page).post(pages::upload))
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024))
}

/// Who may read the board, and whose rows: every department's for a supervisor, its own for a
/// partner liaison; anyone else is refused.
pub fn board_scope(caller: &Caller) -> Result<Option<Department>, AppError> {
    if caller.can(Permission::SupervisorWorkspace) {
        Ok(None)
    } else if caller.can(Permission::PartnerWorkspace) {
        Ok(Some(caller.user.department))
    } else {
        Err(AppError::Forbidden)
    }
}
