//! Monitoring-report upload and the off-site check on the platform 报告报送与非现场检查: the pages
//! and the API over `lianjian_app::reports`.
//!
//! Institutions upload their reports (JSON Lines, exchange-formats §2) through the page or
//! `POST /api/v1/reports`; officers and the city feed may upload any institution's. Each batch is
//! stored as submitted and checked in the background by the app's workers
//! (`lianjian_app::worker`, started by [`crate::serve`]); findings land on the worklist of the
//! department their duty code routes to (`/eeb/findings`, `/msa/findings`), on the report page and
//! on the institution's page, with their evidence, and export to Excel. A re-check after a registry
//! correction is one click. An institution can check a small batch before filing it.
//!
//! Handlers check the permission matrix, call `state.app`, and render; who sees which batch and
//! which finding is the app's (and the domain's) rule, applied in every read.

pub mod api;
pub mod config;
pub mod pages;

/// Largest upload accepted by the page and the API (a city feed's daily batch).
pub const MAX_UPLOAD: usize = 64 * 1024 * 1024;

pub fn router() -> axum::Router<crate::AppState> {
    pages::router()
}
