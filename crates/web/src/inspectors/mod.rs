//! The inspector register 检查人员名录库 at the edge: the list with its filters and Excel export, an
//! inspector's page with periods and conflicts, the leaders' forms ([`pages`]), and the read API
//! ([`api`]).

pub mod api;
pub mod pages;

use axum::routing::{get, post};
use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inspectors", get(pages::list).post(pages::add))
        .route("/inspectors/export.xlsx", get(pages::list_xlsx))
        .route("/inspectors/{code}", get(pages::detail))
        .route("/inspectors/{code}/conflicts", post(pages::declare_conflict))
        .route("/inspectors/{code}/{action}", post(pages::activity))
}
