//! The off-site engine's configuration on the platform: the regulator's own method-standard table
//! and rule thresholds, uploaded, validated with the engine's own parsers, versioned and audited, so a
//! regulator tunes the checks without a release. Without an upload the shipped table and the rule
//! catalogue's defaults apply.

use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use lianjian_domain::org::Permission;
use lianjian_offsite::Thresholds;
use lianjian_registry::MethodTable;
use lianjian_store::offsite_config::ConfigKind;
use lianjian_store::Store;
use minijinja::context;

use crate::auth::{Caller, CsrfQuery, PageCaller};
use crate::error::{AppError, PageResult};
use crate::templates::render;
use crate::upload::read_upload;
use crate::xlsx::download;
use crate::{format_ms, AppState};

/// What a check runs with, and where it came from (recorded on every run).
pub struct EngineConfig {
    pub methods: MethodTable,
    pub params: Thresholds,
    pub source: String,
}

/// The configuration in force: the newest uploaded versions, else the shipped defaults.
pub async fn engine_config(store: &Store) -> Result<EngineConfig, String> {
    let methods_v = store.offsite_config(ConfigKind::Methods).await.map_err(|e| e.to_string())?;
    let rules_v = store.offsite_config(ConfigKind::Rules).await.map_err(|e| e.to_string())?;
    let (methods, methods_src) = match &methods_v {
        Some(v) => (
            MethodTable::from_csv(v.content.as_bytes())
                .map_err(|e| format!("方法标准表第 {} 版无法读取({} 处问题)", v.id, e.len()))?,
            format!("methods#{}", v.id),
        ),
        None => (
            lianjian_registry::embedded::method_table()
                .map_err(|e| format!("内置方法标准表无法读取:{}", e.len()))?,
            super::worker::METHODS_EMBEDDED.to_owned(),
        ),
    };
    let (params, rules_src) = match &rules_v {
        Some(v) => (
            parse_rules(&v.content).map_err(|e| format!("规则阈值第 {} 版无法读取:{e}", v.id))?,
            format!("rules#{}", v.id),
        ),
        None => (Thresholds::default(), "default".to_owned()),
    };
    Ok(EngineConfig { methods, params, source: format!("{methods_src} {rules_src}") })
}

/// A rules file is JSON when it starts with `{`, else TOML.
fn parse_rules(text: &str) -> Result<Thresholds, String> {
    if text.trim_start().starts_with('{') {
        Thresholds::from_json(text).map_err(|e| e.to_string())
    } else {
        Thresholds::from_toml(text).map_err(|e| e.to_string())
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
    let mut history = Vec::new();
    for kind in [ConfigKind::Methods, ConfigKind::Rules] {
        for v in state.store.offsite_config_history(kind, 20).await? {
            history.push(context! { kind => kind.code(), id => v.id, note => v.note, set_by => v.set_by,
            at => format_ms(v.created_at), lines => v.content.lines().count() });
        }
    }
    let config = engine_config(&state.store).await.map_err(AppError::Internal)?;
    let rules = serde_json::to_string_pretty(&config.params).unwrap_or_default();
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
    let mut upload = read_upload(multipart, "upload").await?;
    let kind = upload.fields.remove("kind").unwrap_or_default();
    let note = upload.fields.remove("note").unwrap_or_default();
    let (_, bytes) = upload.require_file("请选择文件")?;
    let text =
        String::from_utf8(bytes.to_vec()).map_err(|_| AppError::bad("file", "文件必须是 UTF-8 文本"))?;
    let note = note.trim().to_owned();
    if note.is_empty() {
        return render_page(&state, &caller, vec!["请说明调整依据".into()], StatusCode::BAD_REQUEST).await;
    }
    let (kind, problems) = match kind.as_str() {
        "methods" => (
            ConfigKind::Methods,
            MethodTable::from_csv(text.as_bytes())
                .err()
                .map(|es| es.iter().map(|e| format!("第 {} 行 {}:{}", e.line, e.field, e.reason)).collect())
                .unwrap_or_default(),
        ),
        "rules" => (ConfigKind::Rules, parse_rules(&text).err().map(|e| vec![e]).unwrap_or_default()),
        _ => return Err(AppError::bad("kind", "请选择上传的是方法标准表还是规则阈值")),
    };
    if !problems.is_empty() {
        return render_page(&state, &caller, problems, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    state.store.set_offsite_config(&caller.actor(), kind, &text, &note).await?;
    Ok(Redirect::to("/offsite/config").into_response())
}

async fn methods_csv(State(state): State<AppState>, PageCaller(caller): PageCaller) -> PageResult<Response> {
    if !can_view(&caller) {
        return Err(AppError::Forbidden);
    }
    let text = match state.store.offsite_config(ConfigKind::Methods).await? {
        Some(v) => v.content,
        None => lianjian_registry::embedded::METHOD_STANDARDS_CSV.to_owned(),
    };
    Ok(download(text.into_bytes(), "text/csv; charset=utf-8", "method-standards.csv"))
}

async fn rules_json(State(state): State<AppState>, PageCaller(caller): PageCaller) -> PageResult<Response> {
    if !can_view(&caller) {
        return Err(AppError::Forbidden);
    }
    let config = engine_config(&state.store).await.map_err(AppError::Internal)?;
    let text = serde_json::to_string_pretty(&config.params).unwrap_or_default();
    Ok(download(text.into_bytes(), "application/json", "offsite-rules.json"))
}
