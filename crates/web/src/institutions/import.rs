//! Registry import from the web — upload a snapshot (JSON or the registry workbook), see what it
//! would change or every problem that refuses it, confirm — the import template, and the export of
//! the whole registry as JSON or a workbook.

use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, Response};
use lianjian_app::institutions::{Change, ImportOutcome};
use lianjian_domain::org::Permission;
use lianjian_exchange::SheetLimits;
use lianjian_registry::{Problem, Snapshot};
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::auth::{Caller, CsrfQuery, PageCaller};
use crate::error::{AppError, PageResult};
use crate::extract::PageForm;
use crate::templates::{render, render_status};
use crate::upload::read_page_file;
use crate::xlsx::download;
use crate::AppState;

/// Uploads up to this size are accepted (a city's registry as XLSX is tens of megabytes).
pub const MAX_UPLOAD: usize = 256 * 1024 * 1024;

/// The confirmation of a previewed upload.
#[derive(Deserialize)]
pub(super) struct ConfirmForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    /// The staged upload's token, from the preview.
    #[serde(default)]
    token: String,
    /// Why, recorded in the audit chain.
    #[serde(default)]
    note: String,
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

pub(super) async fn page(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Html<String>> {
    caller.require(Permission::RegistryImport)?;
    Ok(Html(render(
        &state.templates,
        "institutions_import.html",
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
    let page = ("institutions_import.html", "名录导入", "/registry/import");
    render_status(&state.templates, page, caller, ctx, status)
}

pub(super) async fn upload(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Query(q): Query<CsrfQuery>,
    multipart: Multipart,
) -> PageResult<Response> {
    let (file_name, bytes, limits) =
        read_page_file(&state, &caller, Permission::RegistryImport, q.csrf.as_deref(), multipart, "upload")
            .await?;
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
    let staged = state.app.stage_registry_import(caller.user.id, &file_name, &snapshot).await?;
    let Some(token) = staged.token else {
        let problems: Vec<ProblemView> = staged.preview.problems.iter().map(ProblemView::from).collect();
        return render_import(
            &state,
            &caller,
            context! { problems => problems, file_name => file_name },
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let preview = staged.preview;
    let count = |c: Change| preview.items.iter().filter(|i| i.change == c).count();
    let summary = context! {
        created => count(Change::Created),
        updated => count(Change::Updated),
        unchanged => count(Change::Unchanged),
        items => preview.items,
    };
    render_import(
        &state,
        &caller,
        context! { preview => summary, token => token, file_name => file_name },
        StatusCode::OK,
    )
}

pub(super) async fn confirm(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    PageForm(form): PageForm<ConfirmForm>,
) -> PageResult<Response> {
    caller.check_form(Permission::RegistryImport, &form.csrf)?;
    let (outcome, file_name) =
        state.app.confirm_registry_import(&caller.actor(), caller.user.id, &form.token, &form.note).await?;
    match outcome {
        ImportOutcome::Applied(summary) => {
            render_import(&state, &caller, context! { done => summary }, StatusCode::OK)
        }
        ImportOutcome::Refused(problems) => {
            let problems: Vec<ProblemView> = problems.iter().map(ProblemView::from).collect();
            render_import(
                &state,
                &caller,
                context! { problems => problems, file_name => file_name },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

pub(super) async fn template(PageCaller(caller): PageCaller) -> PageResult<Response> {
    caller.require(Permission::RegistryImport)?;
    Ok(download(lianjian_exchange::registry_template(), XLSX, "机构名录导入模板.xlsx"))
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub(super) async fn export_json(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Response> {
    caller.require(Permission::SupervisorWorkspace)?;
    let snapshot = state.app.export_registry().await?;
    Ok(download(snapshot.to_canonical_json().into_bytes(), "application/json", "registry.json"))
}

pub(super) async fn export_xlsx(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Response> {
    caller.require(Permission::SupervisorWorkspace)?;
    let snapshot = state.app.export_registry().await?;
    let bytes =
        lianjian_exchange::snapshot_to_xlsx(&snapshot).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(download(bytes, XLSX, "机构名录.xlsx"))
}
