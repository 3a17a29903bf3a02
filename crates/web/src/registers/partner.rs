//! Partner-department lists (R11): the submission board and the upload.

use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use lianjian_domain::org::Permission;
use lianjian_domain::partner::Period;
use lianjian_store::partner_lists::PartnerListRow;

use minijinja::context;

use crate::auth::{Caller, CsrfQuery, PageCaller};
use crate::error::{AppError, PageResult};
use crate::templates::render;
use crate::upload::read_upload;
use crate::xlsx::{download, xlsx_response, Cell};
use crate::AppState;

use super::redirect;

pub(super) async fn board(state: &AppState) -> PageResult<Vec<lianjian_store::partner_lists::BoardRow>> {
    let today = state.store.today();
    let periods = Period::recent(today, 4);
    Ok(state.store.partner_submission_board(&state.store.calendar().await?, &periods, today).await?)
}

pub(super) fn can_see_board(caller: &Caller) -> bool {
    caller.can(Permission::SupervisorWorkspace) || caller.can(Permission::PartnerWorkspace)
}

pub(super) async fn board_page(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Html<String>> {
    if !can_see_board(&caller) {
        return Err(AppError::Forbidden);
    }
    let fmt = lianjian_registry::date::format;
    let rows: Vec<minijinja::Value> = board(&state)
        .await?
        .iter()
        .filter(|r| !caller.can(Permission::PartnerWorkspace) || r.department == caller.user.department)
        .map(|r| {
            let css = match r.state {
                lianjian_domain::partner::SubmissionState::Submitted { late: false, .. } => "ok",
                lianjian_domain::partner::SubmissionState::Submitted { .. } => "warn",
                lianjian_domain::partner::SubmissionState::Missing { .. } => "bad",
                lianjian_domain::partner::SubmissionState::NotYetDue => "",
            };
            context! { department => r.department.zh(), period => r.period.zh(), due => fmt(r.due), deadline => r.deadline.map(fmt),
                       deadline_provisional => r.deadline_provisional,
                       state => r.state.zh(), css => css, rows => r.rows, versions => r.versions }
        })
        .collect();
    let ctx = context! { rows => rows, can_upload => caller.can(Permission::PartnerWorkspace) };
    Ok(Html(render(
        &state.templates,
        "partner_board.html",
        "名单报送情况",
        "/partner-lists",
        Some(&caller),
        ctx,
    )?))
}

pub(super) async fn board_xlsx(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Response> {
    if !can_see_board(&caller) {
        return Err(AppError::Forbidden);
    }
    let rows: Vec<Vec<Cell>> = board(&state)
        .await?
        .iter()
        .filter(|r| !caller.can(Permission::PartnerWorkspace) || r.department == caller.user.department)
        .map(|r| {
            vec![
                Cell::Text(r.department.zh().to_owned()),
                Cell::Text(r.period.zh()),
                Cell::Date(r.due),
                match r.deadline {
                    Some(d) if r.deadline_provisional => {
                        Cell::Text(format!("{}(预估)", lianjian_registry::date::format(d)))
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

pub(super) async fn partner_template(PageCaller(caller): PageCaller) -> PageResult<Response> {
    if !can_see_board(&caller) {
        return Err(AppError::Forbidden);
    }
    Ok(download(
        lianjian_exchange::partner_list_template(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "协作部门名单模板.xlsx",
    ))
}

pub(super) async fn partner_upload_page(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Html<String>> {
    caller.require(Permission::PartnerWorkspace)?;
    let periods: Vec<String> = Period::recent(state.store.today(), 4).iter().map(|p| p.code()).collect();
    let ctx = context! { periods => periods };
    Ok(Html(render(
        &state.templates,
        "partner_upload.html",
        "名单报送",
        "/partner/upload",
        Some(&caller),
        ctx,
    )?))
}

pub(super) async fn partner_upload(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Query(q): Query<CsrfQuery>,
    multipart: Multipart,
) -> PageResult<Response> {
    caller.require(Permission::PartnerWorkspace)?;
    caller.check_csrf(q.csrf.as_deref())?;
    let (name, bytes) = read_upload(multipart, "upload.xlsx").await?.require_file("请选择要上传的文件")?;
    let kind =
        lianjian_exchange::FileKind::from_file_name(&name).unwrap_or(lianjian_exchange::FileKind::Xlsx);
    let periods: Vec<String> = Period::recent(state.store.today(), 4).iter().map(|p| p.code()).collect();
    let render_problems = |problems: Vec<String>| -> PageResult<Response> {
        let ctx = context! { periods => periods, problems => problems, file_name => name };
        let html = render(
            &state.templates,
            "partner_upload.html",
            "名单报送",
            "/partner/upload",
            Some(&caller),
            ctx,
        )?;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
    };
    let limits =
        lianjian_exchange::SheetLimits::from_params(&state.store.param_set().await?, state.store.today());
    let rows = match lianjian_exchange::parse_partner_list(&bytes, kind, &limits) {
        Ok(rows) => rows,
        Err(problems) => return render_problems(problems.iter().map(ToString::to_string).collect()),
    };
    // One file, one department and one period: the uploader's own.
    let mut groups: std::collections::BTreeMap<String, Vec<PartnerListRow>> = Default::default();
    let mut problems = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        if r.department != caller.user.department {
            problems.push(format!(
                "第 {} 行:报送部门“{}”不是本部门({})",
                i + 2,
                r.department.zh(),
                caller.user.department.zh()
            ));
            continue;
        }
        groups.entry(r.period.clone()).or_default().push(PartnerListRow {
            uscc: r.uscc.clone(),
            institution_name: r.institution_name.clone(),
            category: r.category,
            project: r.project.clone(),
            commission: r.commission,
        });
    }
    if groups.len() > 1 {
        problems.push(format!("一个文件只能报送一个期间,本文件含 {} 个期间", groups.len()));
    }
    if !problems.is_empty() {
        return render_problems(problems);
    }
    let Some((period, rows)) = groups.into_iter().next() else {
        return render_problems(vec!["文件中没有名单行".into()]);
    };
    let period: Period = period
        .parse()
        .map_err(|e: lianjian_domain::partner::PeriodError| AppError::bad("period", e.to_string()))?;
    match state
        .store
        .submit_partner_list(&caller.actor(), caller.user.department, period, rows, state.store.today())
        .await
    {
        Ok(_) => Ok(redirect("/partner-lists".into())),
        Err(lianjian_store::partner_lists::PartnerListError::BadRows(ps)) => {
            render_problems(ps.iter().map(ToString::to_string).collect())
        }
        Err(e) => Err(e.into()),
    }
}
