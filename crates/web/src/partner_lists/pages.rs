//! The submission board 名单报送情况 (on time, late, missing; Excel export), the list template, and a
//! liaison's upload of the department's list for a period.

use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use lianjian_app::partner_lists::BoardRow;
use lianjian_domain::org::Permission;
use lianjian_domain::partner::{PartnerListRow, Period, SubmissionState, UploadedRow};
use minijinja::context;

use super::board_scope;
use crate::auth::{Caller, CsrfQuery, PageCaller};
use crate::error::{AppError, PageResult};
use crate::templates::{render, render_status};
use crate::upload::read_page_file;
use crate::xlsx::{download, xlsx_response, Cell};
use crate::AppState;

/// The board of today for the four most recent periods, scoped to the caller.
async fn board_rows(state: &AppState, caller: &Caller) -> PageResult<Vec<BoardRow>> {
    let only = board_scope(caller)?;
    let today = state.app.today();
    Ok(state.app.partner_board(&Period::recent(today, 4), today, only).await?)
}

pub(super) async fn board(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Html<String>> {
    let fmt = lianjian_domain::date::format;
    let rows: Vec<minijinja::Value> = board_rows(&state, &caller)
        .await?
        .iter()
        .map(|r| {
            let css = match r.state {
                SubmissionState::Submitted { late: false, .. } => "ok",
                SubmissionState::Submitted { .. } => "warn",
                SubmissionState::Missing { .. } => "bad",
                SubmissionState::NotYetDue => "",
            };
            context! { department => r.department.zh(), period => r.period.zh(), due => fmt(r.due), deadline => r.deadline.map(fmt),
                       deadline_provisional => r.deadline_provisional,
                       state => r.state.zh(), css => css, rows => r.rows, versions => r.versions }
        })
        .collect();
    let ctx = context! { rows => rows, can_upload => caller.can(Permission::PartnerWorkspace) };
    let html = render(
        &state.templates,
        "partner_lists_board.html",
        "名单报送情况",
        "/partner-lists",
        Some(&caller),
        ctx,
    )?;
    Ok(Html(html))
}

pub(super) async fn board_xlsx(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Response> {
    let rows: Vec<Vec<Cell>> = board_rows(&state, &caller)
        .await?
        .iter()
        .map(|r| {
            vec![
                Cell::Text(r.department.zh().to_owned()),
                Cell::Text(r.period.zh()),
                Cell::Date(r.due),
                match r.deadline {
                    Some(d) if r.deadline_provisional => {
                        Cell::Text(format!("{}(预估)", lianjian_domain::date::format(d)))
                    }
                    Some(d) => Cell::Date(d),
                    None => Cell::Empty,
                },
                Cell::Text(r.state.zh()),
                Cell::Int(r.rows),
            ]
        })
        .collect();
    xlsx_response(
        "名单报送",
        &["报送部门", "报送期间", "应报日期", "顺延截止日", "报送情况", "名单行数"],
        &rows,
        "名单报送情况.xlsx",
    )
}

pub(super) async fn template(PageCaller(caller): PageCaller) -> PageResult<Response> {
    board_scope(&caller)?;
    Ok(download(
        lianjian_exchange::partner_list_template(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "协作部门名单模板.xlsx",
    ))
}

fn render_upload(
    state: &AppState,
    caller: &Caller,
    ctx: minijinja::Value,
    status: StatusCode,
) -> PageResult<Response> {
    let page = ("partner_lists_upload.html", "名单报送", "/partner/upload");
    render_status(&state.templates, page, caller, ctx, status)
}

fn periods(state: &AppState) -> Vec<String> {
    Period::recent(state.app.today(), 4).iter().map(|p| p.code()).collect()
}

pub(super) async fn upload_page(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Response> {
    caller.require(Permission::PartnerWorkspace)?;
    render_upload(&state, &caller, context! { periods => periods(&state) }, StatusCode::OK)
}

pub(super) async fn upload(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Query(q): Query<CsrfQuery>,
    multipart: Multipart,
) -> PageResult<Response> {
    let (name, bytes, limits) = read_page_file(
        &state,
        &caller,
        Permission::PartnerWorkspace,
        q.csrf.as_deref(),
        multipart,
        "upload.xlsx",
    )
    .await?;
    let kind =
        lianjian_exchange::FileKind::from_file_name(&name).unwrap_or(lianjian_exchange::FileKind::Xlsx);
    let problems = |problems: Vec<String>| {
        let ctx = context! { periods => periods(&state), problems => problems, file_name => name };
        render_upload(&state, &caller, ctx, StatusCode::UNPROCESSABLE_ENTITY)
    };
    let rows = match lianjian_exchange::parse_partner_list(&bytes, kind, &limits) {
        Ok(rows) => rows,
        Err(ps) => return problems(ps.iter().map(ToString::to_string).collect()),
    };
    let mut uploaded = Vec::with_capacity(rows.len());
    for r in rows {
        // The file's periods were read by the domain's own reading of 报送期间.
        let period = r.period.parse::<Period>().map_err(|e| AppError::bad("period", e.to_string()))?;
        let row = PartnerListRow {
            uscc: r.uscc,
            institution_name: r.institution_name,
            category: r.category,
            project: r.project,
            commission: r.commission,
        };
        uploaded.push(UploadedRow { department: r.department, period, row });
    }
    match state.app.submit_partner_list_upload(&caller.actor(), caller.user.department, uploaded).await {
        Ok(_) => Ok(Redirect::to("/partner-lists").into_response()),
        Err(lianjian_app::Error::Refused { lines, .. }) => {
            problems(lines.into_iter().map(|l| l.reason).collect())
        }
        Err(e) => Err(e.into()),
    }
}
