//! The random-inspection item list 随机抽查事项清单 (一单) at the edge: the supervisors' page with the
//! leaders' forms, the public page and the Excel export ([`pages`]), and the read API ([`api`]).

pub mod api;
pub mod pages;

use axum::routing::{get, post};
use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/items", get(pages::list).post(pages::add))
        .route("/items/export.xlsx", get(pages::list_xlsx))
        .route("/items/{code}/revise", post(pages::revise))
        .route("/public/items", get(pages::public_list))
}
