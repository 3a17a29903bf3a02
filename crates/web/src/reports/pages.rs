//! Pages: upload and pre-submission check, batches, a report, the departments' worklists and an
//! institution's findings, each with an Excel export.

use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use lianjian_app::reports::{department_of, MAX_VALIDATE_LINES};
use lianjian_domain::org::{Department, Permission};
use lianjian_offsite::RuleId;
use lianjian_store::reports::FindingRow;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::MAX_UPLOAD;
use crate::auth::{Caller, CsrfQuery, PageCaller};
use crate::error::{AppError, PageResult};
use crate::templates::render;
use crate::upload::{read_upload, Upload};
use crate::xlsx::{xlsx_response, Cell};
use crate::{format_ms, AppState};

const PAGE_SIZE: i64 = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports", get(reports_page))
        .route("/reports/upload", post(upload))
        .route("/reports/batches/{id}", get(batch_page))
        .route("/reports/batches/{id}/recheck", post(recheck))
        .route("/reports/{id}", get(report_page))
        .route("/eeb/findings", get(eeb_findings))
        .route("/msa/findings", get(msa_findings))
        .route("/eeb/findings.xlsx", get(eeb_xlsx))
        .route("/msa/findings.xlsx", get(msa_xlsx))
        .route("/registry/institutions/{uscc}/findings", get(institution_findings))
        .route("/registry/institutions/{uscc}/findings.xlsx", get(institution_xlsx))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD))
}

/// A finding as the pages show it.
#[derive(Serialize)]
pub struct FindingView {
    #[serde(flatten)]
    pub row: FindingRow,
    pub title: &'static str,
    pub department_zh: &'static str,
    pub evidence_text: String,
    pub at: String,
}

pub fn view(row: FindingRow) -> FindingView {
    FindingView {
        title: RuleId::parse(&row.rule).map(RuleId::title_zh).unwrap_or(""),
        department_zh: row.department.parse::<Department>().map(Department::zh).unwrap_or(""),
        evidence_text: serde_json::to_string_pretty(&row.evidence).unwrap_or_default(),
        at: format_ms(row.created_at),
        row,
    }
}

fn views(rows: Vec<FindingRow>) -> Vec<FindingView> {
    rows.into_iter().map(view).collect()
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct FindingQuery {
    pub rule: Option<String>,
    pub institution: Option<String>,
    pub severity: Option<String>,
    /// `1`: also findings superseded by a re-check.
    pub history: Option<String>,
    pub page: Option<i64>,
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

impl FindingQuery {
    fn query(&self) -> lianjian_app::reports::FindingQuery {
        lianjian_app::reports::FindingQuery {
            rule: self.rule.clone(),
            institution: self.institution.clone(),
            severity: self.severity.clone(),
            history: self.history.as_deref() == Some("1"),
        }
    }
}

/// The upload form (multipart): file the batch, or only check it before filing.
struct UploadForm {
    validate: bool,
    file_name: String,
    bytes: axum::body::Bytes,
}

impl UploadForm {
    fn read(mut upload: Upload) -> Result<UploadForm, AppError> {
        let validate = match upload.fields.remove("mode").as_deref() {
            None | Some("submit") => false,
            Some("validate") => true,
            Some(_) => return Err(AppError::bad("mode", "请选择“报送”或“仅自查”")),
        };
        let (file_name, bytes) = upload.require_file("请选择要上传的报告文件")?;
        Ok(UploadForm { validate, file_name, bytes })
    }
}

/// The re-check form of a batch page.
#[derive(Deserialize)]
struct RecheckForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    note: String,
}

// ---- upload ---------------------------------------------------------------------------------

async fn reports_page(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Html<String>> {
    Ok(Html(render_reports(&state, &caller, context! {}).await?))
}

async fn render_reports(state: &AppState, caller: &Caller, ctx: minijinja::Value) -> PageResult<String> {
    let own = state.app.upload_scope(&caller.user)?;
    let batches = state.app.report_batches(&caller.user, PAGE_SIZE, 0).await?;
    let batches: Vec<_> = batches
        .into_iter()
        .map(|b| {
            let at = format_ms(b.uploaded_at);
            context! { b => b, at => at }
        })
        .collect();
    let base = context! {
        batches => batches,
        own => own,
        max_validate => MAX_VALIDATE_LINES,
        is_supervisor => caller.can(Permission::SupervisorWorkspace),
    };
    render(&state.templates, "reports.html", "报告报送", "/reports", Some(caller), context! { ..ctx, ..base })
}

async fn upload(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Query(q): Query<CsrfQuery>,
    multipart: Multipart,
) -> PageResult<Response> {
    state.app.upload_scope(&caller.user)?;
    caller.check_csrf(q.csrf.as_deref())?;
    let form = UploadForm::read(read_upload(multipart, "reports.jsonl").await?)?;
    let file_name = form.file_name;
    if form.validate {
        return match state.app.validate_reports(&caller.actor(), &caller.user, &form.bytes).await {
            Ok(v) => {
                let findings: Vec<_> = v
                    .findings
                    .iter()
                    .map(|f| {
                        let title = RuleId::parse(&f.rule).map(RuleId::title_zh).unwrap_or("");
                        let evidence_text = serde_json::to_string_pretty(&f.evidence).unwrap_or_default();
                        context! { f => f, title => title, evidence_text => evidence_text }
                    })
                    .collect();
                let html = render_reports(
                    &state,
                    &caller,
                    context! { validation => &v, validation_findings => findings, file_name => &file_name },
                )
                .await?;
                Ok(Html(html).into_response())
            }
            Err(e) if refusable(&e) => refuse(&state, &caller, &file_name, e.into()).await,
            Err(e) => Err(e.into()),
        };
    }
    match state.app.submit_reports(&caller.actor(), &caller.user, Some(file_name.clone()), &form.bytes).await
    {
        Ok(up) => Ok(Redirect::to(&format!("/reports/batches/{}", up.batch_id)).into_response()),
        Err(e) if refusable(&e) => refuse(&state, &caller, &file_name, e.into()).await,
        Err(e) => Err(e.into()),
    }
}

/// A file the page shows again with the reason (bad input, or refused whole), rather than an error
/// page.
fn refusable(e: &lianjian_app::Error) -> bool {
    matches!(e, lianjian_app::Error::Invalid(_) | lianjian_app::Error::Refused { .. })
}

/// The upload page again, with the reason the file was not accepted.
async fn refuse(state: &AppState, caller: &Caller, file_name: &str, e: AppError) -> PageResult<Response> {
    let html =
        render_reports(state, caller, context! { error => e.to_string(), file_name => file_name }).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

// ---- batch and report -----------------------------------------------------------------------

async fn batch_page(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(id): Path<i64>,
) -> PageResult<Html<String>> {
    let view = state.app.report_batch(&caller.user, id).await?;
    let batch = view.batch;
    let runs: Vec<_> = view
        .runs
        .into_iter()
        .map(|r| {
            let requested = format_ms(r.requested_at);
            let finished = r.finished_at.map(format_ms);
            context! { r => r, requested => requested, finished => finished }
        })
        .collect();
    let reports = state.app.batch_reports(&caller.user, id).await?;
    let show = state.app.may_see_findings(&caller.user);
    let (current, history) = if show {
        let all = state.app.batch_findings(&caller.user, id, true).await?;
        let (cur, old): (Vec<_>, Vec<_>) = all.into_iter().partition(|f| f.superseded_by.is_none());
        (views(cur), views(old))
    } else {
        (Vec::new(), Vec::new())
    };
    let uploaded = format_ms(batch.uploaded_at);
    Ok(Html(render(
        &state.templates,
        "report_batch.html",
        &format!("报告批次 {id}"),
        "/reports",
        Some(&caller),
        context! {
            batch => batch, uploaded => uploaded, runs => runs, reports => reports,
            show_findings => show, findings => current, history => history,
            can_recheck => caller.can(Permission::SupervisorWorkspace),
        },
    )?))
}

async fn recheck(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(id): Path<i64>,
    Form(form): Form<RecheckForm>,
) -> PageResult<Response> {
    caller.require(Permission::SupervisorWorkspace)?;
    caller.check_csrf(form.csrf.as_deref())?;
    state.app.recheck(&caller.actor(), id, Some(&form.note)).await?;
    Ok(Redirect::to(&format!("/reports/batches/{id}")).into_response())
}

async fn report_page(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(id): Path<i64>,
) -> PageResult<Html<String>> {
    let view = state.app.report(&caller.user, id).await?;
    let (report, batch) = (view.report, view.batch);
    let body = report
        .body
        .as_deref()
        .and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok())
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .or_else(|| report.body.clone())
        .unwrap_or_default();
    let show = view.findings.is_some();
    let findings = views(view.findings.unwrap_or_default());
    let title =
        format!("报告 {}", report.report_no.clone().unwrap_or_else(|| format!("第 {} 行", report.line_no)));
    Ok(Html(render(
        &state.templates,
        "report.html",
        &title,
        "/reports",
        Some(&caller),
        context! {
            report => report, batch => batch, body => body, show_findings => show, findings => findings,
            can_recheck => caller.can(Permission::SupervisorWorkspace),
        },
    )?))
}

// ---- worklists --------------------------------------------------------------------------------

async fn worklist(
    state: &AppState,
    caller: &Caller,
    d: Department,
    q: &FindingQuery,
) -> PageResult<Html<String>> {
    caller.require_workspace(d)?;
    let page = q.page.unwrap_or(1).max(1);
    let found = state.app.worklist(d, &q.query(), PAGE_SIZE, (page - 1) * PAGE_SIZE).await?;
    let (rows, total) = (found.rows, found.total);
    let path = format!("/{}/findings", d.code().to_lowercase());
    let rules: Vec<_> = RuleId::ALL
        .iter()
        .filter(|r| department_of(r.duty()) == d)
        .map(|r| context! { id => r.id(), title => r.title_zh() })
        .collect();
    let export = format!("{path}.xlsx?{}", query_string(q));
    Ok(Html(render(
        &state.templates,
        "findings.html",
        &format!("{}问题线索", d.zh()),
        &path,
        Some(caller),
        context! {
            heading => format!("{} · 非现场检查问题线索", d.zh()),
            findings => views(rows), total => total, page => page,
            pages => (total + PAGE_SIZE - 1) / PAGE_SIZE, q => q, rules => rules,
            action => path, export => export,
        },
    )?))
}

fn query_string(q: &FindingQuery) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    [("rule", &q.rule), ("institution", &q.institution), ("severity", &q.severity), ("history", &q.history)]
        .iter()
        .filter_map(|(k, v)| non_empty(v).map(|v| format!("{k}={}", enc(&v))))
        .collect::<Vec<_>>()
        .join("&")
}

async fn eeb_findings(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Query(q): Query<FindingQuery>,
) -> PageResult<Html<String>> {
    worklist(&state, &caller, Department::Eeb, &q).await
}

async fn msa_findings(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Query(q): Query<FindingQuery>,
) -> PageResult<Html<String>> {
    worklist(&state, &caller, Department::Msa, &q).await
}

/// The rows of a findings export.
pub fn export(rows: Vec<FindingRow>, file_name: &str) -> PageResult<Response> {
    let headers = [
        "线索编号",
        "规则",
        "规则名称",
        "严重程度",
        "职责代码",
        "承办部门",
        "统一社会信用代码",
        "报告编号",
        "样品编号",
        "检测项目",
        "问题说明",
        "证据",
        "批次",
        "检查任务",
        "发现时间",
        "状态",
    ];
    let opt = |s: &Option<String>| s.as_deref().map_or(Cell::Empty, Cell::from);
    let data: Vec<Vec<Cell>> = rows
        .into_iter()
        .map(|f| {
            let v = view(f);
            let f = &v.row;
            vec![
                Cell::Int(f.id),
                Cell::from(f.rule.as_str()),
                Cell::from(v.title),
                Cell::from(if f.severity == "error" { "错误" } else { "预警" }),
                Cell::from(f.duty.as_str()),
                Cell::from(v.department_zh),
                opt(&f.institution_uscc),
                opt(&f.report_no),
                opt(&f.sample_id),
                opt(&f.parameter),
                Cell::from(f.message.as_str()),
                Cell::Text(f.evidence.to_string()),
                Cell::Int(f.batch_id),
                Cell::Int(f.run_id),
                Cell::Text(v.at.clone()),
                Cell::Text(match f.superseded_by {
                    None => "当前".to_owned(),
                    Some(r) => format!("已被检查任务 {r} 取代"),
                }),
            ]
        })
        .collect();
    xlsx_response("问题线索", &headers, &data, file_name)
}

async fn worklist_xlsx(
    state: &AppState,
    caller: &Caller,
    d: Department,
    q: &FindingQuery,
) -> PageResult<Response> {
    caller.require_workspace(d)?;
    let rows = state.app.worklist(d, &q.query(), 0, 0).await?.rows;
    export(rows, &format!("{}问题线索.xlsx", d.zh()))
}

async fn eeb_xlsx(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Query(q): Query<FindingQuery>,
) -> PageResult<Response> {
    worklist_xlsx(&state, &caller, Department::Eeb, &q).await
}

async fn msa_xlsx(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Query(q): Query<FindingQuery>,
) -> PageResult<Response> {
    worklist_xlsx(&state, &caller, Department::Msa, &q).await
}

// ---- institution --------------------------------------------------------------------------------

async fn institution_findings(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(uscc): Path<String>,
    Query(q): Query<FindingQuery>,
) -> PageResult<Html<String>> {
    caller.require(Permission::SupervisorWorkspace)?;
    let uscc = uscc.trim().to_uppercase();
    let name = state.app.institution(&uscc).await.map(|i| i.name).unwrap_or_default();
    let page = q.page.unwrap_or(1).max(1);
    let found = state.app.institution_findings(&uscc, &q.query(), PAGE_SIZE, (page - 1) * PAGE_SIZE).await?;
    let (rows, total) = (found.rows, found.total);
    let path = format!("/registry/institutions/{uscc}/findings");
    let rules: Vec<_> =
        RuleId::ALL.iter().map(|r| context! { id => r.id(), title => r.title_zh() }).collect();
    let export = format!("{path}.xlsx?{}", query_string(&q));
    Ok(Html(render(
        &state.templates,
        "findings.html",
        &format!("{uscc} 问题线索"),
        &path,
        Some(&caller),
        context! {
            heading => format!("{name} {uscc} · 非现场检查问题线索"),
            institution => uscc, findings => views(rows), total => total, page => page,
            pages => (total + PAGE_SIZE - 1) / PAGE_SIZE, q => q, rules => rules,
            action => path, export => export, hide_institution_filter => true,
        },
    )?))
}

async fn institution_xlsx(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(uscc): Path<String>,
    Query(q): Query<FindingQuery>,
) -> PageResult<Response> {
    caller.require(Permission::SupervisorWorkspace)?;
    let uscc = uscc.trim().to_uppercase();
    let rows = state.app.institution_findings(&uscc, &q.query(), 0, 0).await?.rows;
    export(rows, &format!("{uscc}问题线索.xlsx"))
}
