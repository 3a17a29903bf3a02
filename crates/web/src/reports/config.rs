//! The off-site engine's configuration page 非现场检查配置: the regulator's own method-standard
//! table and engine thresholds 规则阈值, shown, downloaded and uploaded through
//! `lianjian_app::reports::config` (which validates with the engine's own parsers, versions and
//! audits).

use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use lianjian_domain::org::Permission;
use lianjian_store::offsite_config::ConfigKind;
use minijinja::context;

use crate::auth::{Caller, CsrfQuery, PageCaller};
use crate::error::{AppError, PageResult};
use crate::templates::render;
use crate::upload::{read_upload, Upload};
use crate::xlsx::download;
use crate::{format_ms, AppState};

/// The upload form (multipart): which kind of file, the file, and the basis of the change.
struct ConfigForm {
    kind: ConfigKind,
    note: String,
    bytes: axum::body::Bytes,
}

impl ConfigForm {
    fn read(mut upload: Upload) -> Result<ConfigForm, AppError> {
        let kind = match upload.fields.remove("kind").as_deref() {
            Some("methods") => ConfigKind::Methods,
            Some("rules") => ConfigKind::Rules,
            _ => return Err(AppError::bad("kind", "请选择上传的是方法标准表还是规则阈值")),
        };
        let note = upload.fields.remove("note").unwrap_or_default();
        let (_, bytes) = upload.require_file("请选择文件")?;
        Ok(ConfigForm { kind, note, bytes })
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/offsite/config", get(page).post(upload))
        .route("/offsite/config/methods.csv", get(methods_csv))
        .route("/offsite/config/rules.json", get(rules_json))
}

fn can_view(c: &Caller) -> bool {
    c.can(Permission::SupervisorWorkspace) || c.can(Permission::RegistryImport)
}

async fn render_page(
    state: &AppState,
    caller: &Caller,
    problems: Vec<String>,
    status: StatusCode,
) -> PageResult<Response> {
    let history: Vec<_> = state
        .app
        .engine_config_history(20)
        .await?
        .into_iter()
        .map(|(kind, v)| {
            context! { kind => kind.code(), id => v.id, note => v.note, set_by => v.set_by,
            at => format_ms(v.created_at), lines => v.content.lines().count() }
        })
        .collect();
    let config = state.app.engine_config().await?;
    let rules = serde_json::to_string_pretty(&config.thresholds).unwrap_or_default();
    let merged: Vec<String> = config.methods.merged_rows().iter().map(ToString::to_string).collect();
    let ctx = context! { history => history, source => config.source, methods => config.methods.len(), rules => rules,
    problems => problems, merged => merged, can_edit => caller.can(Permission::RegistryImport) };
    let html = render(
        &state.templates,
        "offsite_config.html",
        "非现场检查配置",
        "/offsite/config",
        Some(caller),
        ctx,
    )?;
    Ok((status, Html(html)).into_response())
}

async fn page(State(state): State<AppState>, PageCaller(caller): PageCaller) -> PageResult<Response> {
    if !can_view(&caller) {
        return Err(AppError::Forbidden);
    }
    render_page(&state, &caller, Vec::new(), StatusCode::OK).await
}

async fn upload(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Query(q): Query<CsrfQuery>,
    multipart: Multipart,
) -> PageResult<Response> {
    caller.require(Permission::RegistryImport)?;
    caller.check_csrf(q.csrf.as_deref())?;
    let form = ConfigForm::read(read_upload(multipart, "upload").await?)?;
    match state.app.set_engine_config(&caller.actor(), form.kind, &form.bytes, &form.note).await {
        Ok(_) => Ok(Redirect::to("/offsite/config").into_response()),
        Err(lianjian_app::Error::Invalid(i)) => {
            render_page(&state, &caller, vec![i.message], StatusCode::BAD_REQUEST).await
        }
        Err(lianjian_app::Error::Refused { message, lines, .. }) => {
            let problems = if lines.is_empty() {
                vec![message]
            } else {
                lines
                    .into_iter()
                    .map(|l| if l.line > 0 { format!("第 {} 行 {}", l.line, l.reason) } else { l.reason })
                    .collect()
            };
            render_page(&state, &caller, problems, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn methods_csv(State(state): State<AppState>, PageCaller(caller): PageCaller) -> PageResult<Response> {
    if !can_view(&caller) {
        return Err(AppError::Forbidden);
    }
    let text = state.app.methods_csv().await?;
    Ok(download(text.into_bytes(), "text/csv; charset=utf-8", "method-standards.csv"))
}

async fn rules_json(State(state): State<AppState>, PageCaller(caller): PageCaller) -> PageResult<Response> {
    if !can_view(&caller) {
        return Err(AppError::Forbidden);
    }
    let config = state.app.engine_config().await?;
    let text = serde_json::to_string_pretty(&config.thresholds).unwrap_or_default();
    Ok(download(text.into_bytes(), "application/json", "offsite-rules.json"))
}
