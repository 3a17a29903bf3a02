//! The registry's pages: the directory with filters and its Excel export, an institution's page with
//! its standing on any day, flags, partner listings and timeline, and the public directory and
//! institution pages (without people, instruments, phone numbers or flags).

use axum::extract::{Path, Query, RawQuery, State};
use axum::response::{Html, Response};
use lianjian_domain::org::{Category, Permission};
use lianjian_registry::Institution;
use lianjian_store::institutions::DirectoryRow;
use minijinja::context;
use serde::{Deserialize, Serialize};
use time::Date;

use super::{state_view, DirectoryQuery};
use crate::auth::{Caller, MaybeCaller, PageCaller};
use crate::error::PageResult;
use crate::extract::parse_day;
use crate::templates::render;
use crate::xlsx::{xlsx_response, Cell};
use crate::AppState;

const PAGE_SIZE: i64 = 50;

fn categories_zh(codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| c.parse::<Category>().map(|c| c.zh().to_owned()).unwrap_or_else(|_| c.clone()))
        .collect::<Vec<_>>()
        .join("、")
}

#[derive(Serialize)]
struct CertView {
    no: String,
    label: &'static str,
    css: &'static str,
}

#[derive(Serialize)]
struct RowView {
    uscc: String,
    name: String,
    certificates: Vec<CertView>,
    categories: String,
    restricted: bool,
    flags: Vec<String>,
}

fn row_view(r: &DirectoryRow) -> RowView {
    RowView {
        uscc: r.uscc.clone(),
        name: r.name.clone(),
        certificates: r
            .certificates
            .iter()
            .map(|(no, st)| {
                let (label, css) = state_view(st);
                CertView { no: no.clone(), label, css }
            })
            .collect(),
        categories: categories_zh(&r.categories),
        restricted: r.restricted_today,
        flags: r.flags.iter().map(|f| f.message_zh()).collect(),
    }
}

#[derive(Serialize)]
struct Code {
    code: &'static str,
    zh: &'static str,
}

fn status_choices() -> Vec<Code> {
    vec![
        Code { code: "in_force", zh: "在有效期内且有效" },
        Code { code: "valid", zh: "有效" },
        Code { code: "suspended", zh: "暂停" },
        Code { code: "revoked", zh: "撤销" },
        Code { code: "cancelled", zh: "注销" },
        Code { code: "expired", zh: "已过期" },
    ]
}

async fn render_directory(
    state: &AppState,
    caller: Option<&Caller>,
    q: &DirectoryQuery,
    raw: Option<String>,
    public: bool,
) -> PageResult<Html<String>> {
    let (filter, on) = q.filter(state.app.today())?;
    let page = q.page.unwrap_or(1).max(1);
    let (rows, total) = state.app.directory(&filter, PAGE_SIZE, (page - 1) * PAGE_SIZE).await?;
    // Flags name people (staff registered elsewhere): they stay inside the departments.
    let rows: Vec<RowView> = rows
        .iter()
        .map(row_view)
        .map(|mut r| {
            if public {
                r.flags.clear();
            }
            r
        })
        .collect();
    let query_string = raw
        .unwrap_or_default()
        .split('&')
        .filter(|kv| !kv.starts_with("page=") && !kv.is_empty())
        .collect::<Vec<_>>()
        .join("&");
    let categories: Vec<Code> = Category::ALL.iter().map(|c| Code { code: c.code(), zh: c.zh() }).collect();
    let (base, detail_base, path) = if public {
        ("/public/institutions", "/public/institutions", "/public/institutions")
    } else {
        ("/registry", "/registry/institutions", "/registry")
    };
    let ctx = context! {
        q => q, on => lianjian_registry::date::format(on), rows => rows, total => total, page => page,
        pages => (total + PAGE_SIZE - 1) / PAGE_SIZE, categories => categories, statuses => status_choices(),
        query_string => query_string, base => base, detail_base => detail_base,
    };
    let title = if public { "机构公示" } else { "机构名录库" };
    Ok(Html(render(&state.templates, "institutions_directory.html", title, path, caller, ctx)?))
}

pub(super) async fn directory(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Query(q): Query<DirectoryQuery>,
    RawQuery(raw): RawQuery,
) -> PageResult<Html<String>> {
    caller.require(Permission::SupervisorWorkspace)?;
    render_directory(&state, Some(&caller), &q, raw, false).await
}

pub(super) async fn public_directory(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    Query(q): Query<DirectoryQuery>,
    RawQuery(raw): RawQuery,
) -> PageResult<Html<String>> {
    render_directory(&state, caller.as_ref(), &q, raw, true).await
}

pub(super) async fn directory_xlsx(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Query(q): Query<DirectoryQuery>,
) -> PageResult<Response> {
    caller.require(Permission::SupervisorWorkspace)?;
    directory_table(&state, &q, false).await
}

/// The public directory's export: the same columns less the flags, which name people.
pub(super) async fn public_directory_xlsx(
    State(state): State<AppState>,
    Query(q): Query<DirectoryQuery>,
) -> PageResult<Response> {
    directory_table(&state, &q, true).await
}

pub(super) async fn public_scope_xlsx(
    State(state): State<AppState>,
    Path(uscc): Path<String>,
) -> PageResult<Response> {
    let inst = state.app.institution(&uscc).await?;
    scope_table(&inst)
}

async fn directory_table(state: &AppState, q: &DirectoryQuery, public: bool) -> PageResult<Response> {
    let (filter, on) = q.filter(state.app.today())?;
    let (rows, _) = state.app.directory(&filter, 1_000_000, 0).await?;
    let day = lianjian_registry::date::format(on);
    let headers =
        ["统一社会信用代码", "机构名称", "所在区", &format!("证书状态({day})"), "监测类别", "限制", "提示"];
    let table: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            let v = row_view(r);
            vec![
                Cell::Text(r.uscc.clone()),
                Cell::Text(r.name.clone()),
                Cell::Text(r.district.clone().unwrap_or_default()),
                Cell::Text(
                    v.certificates
                        .iter()
                        .map(|c| format!("{} {}", c.no, c.label))
                        .collect::<Vec<_>>()
                        .join(";"),
                ),
                Cell::Text(v.categories),
                Cell::Text(if r.restricted_today { "限制中".into() } else { String::new() }),
                Cell::Text(if public { String::new() } else { v.flags.join(";") }),
            ]
        })
        .collect();
    xlsx_response("机构名录", &headers, &table, &format!("机构名录-{day}.xlsx"))
}

#[derive(Deserialize)]
pub(super) struct OnQuery {
    on: Option<String>,
}

fn opt_day(d: Option<Date>) -> Option<String> {
    d.map(lianjian_registry::date::format)
}

/// Everything the detail page shows except the timeline; `public` leaves out people and instruments.
fn detail_context(inst: &Institution, on: Date, public: bool) -> minijinja::Value {
    let fmt = lianjian_registry::date::format;
    let standing = inst.standing(on);
    let certificates: Vec<minijinja::Value> = inst
        .certificates
        .iter()
        .map(|c| {
            let (label, css) = state_view(&c.state_on(on));
            let history = c
                .status_history
                .iter()
                .map(|s| format!("{} 起{}", fmt(s.from), s.status.name_zh()))
                .collect::<Vec<_>>()
                .join(" → ");
            context! { no => c.no, issuer => c.issuer, issued_on => fmt(c.issued_on), expires_on => fmt(c.expires_on),
                       label => label, css => css, history => history }
        })
        .collect();
    let scope: Vec<minijinja::Value> = inst
        .certificates
        .iter()
        .flat_map(|c| {
            c.scope.iter().map(move |s| {
                context! { no => c.no, category => s.category.name_zh(), parameter => s.parameter, method => s.method,
                           from => fmt(s.from), to => opt_day(s.to) }
            })
        })
        .collect();
    let signatories: Vec<minijinja::Value> = if public {
        Vec::new()
    } else {
        inst.signatories
            .iter()
            .map(|s| {
                let cats = s.categories.iter().map(|c| c.name_zh()).collect::<Vec<_>>().join("、");
                context! { id => s.person.id, name => s.person.name, categories => cats, from => fmt(s.from), to => opt_day(s.to) }
            })
            .collect()
    };
    let staff: Vec<minijinja::Value> = if public {
        Vec::new()
    } else {
        inst.staff
            .iter()
            .map(|s| context! { id => s.person.id, name => s.person.name, roles => s.roles.join("、"), from => fmt(s.from), to => opt_day(s.to) })
            .collect()
    };
    let instruments: Vec<minijinja::Value> = if public {
        Vec::new()
    } else {
        inst.instruments.iter().map(|i| context! { id => i.id, name => i.name }).collect()
    };
    let restrictions: Vec<minijinja::Value> = inst
        .restrictions
        .iter()
        .map(|r| context! { from => fmt(r.from), to => opt_day(r.to), basis => r.basis })
        .collect();
    context! {
        inst => context! { uscc => inst.uscc, name => inst.name, district => inst.district, address => inst.address,
                           legal_rep => inst.legal_rep, phone => if public { None } else { inst.phone.clone() } },
        on => fmt(on), standing => standing, certificates => certificates, scope => scope,
        signatories => signatories, staff => staff, instruments => instruments, restrictions => restrictions,
    }
}

pub(super) async fn detail(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(uscc): Path<String>,
    Query(q): Query<OnQuery>,
) -> PageResult<Html<String>> {
    caller.require(Permission::SupervisorWorkspace)?;
    let on = parse_day("on", &q.on, state.app.today())?;
    let inst = state.app.institution(&uscc).await?;
    let flags: Vec<String> =
        state.app.institution_flags(&uscc, state.app.today()).await?.iter().map(|f| f.message_zh()).collect();
    let timeline: Vec<serde_json::Value> = state
        .app
        .institution_timeline(&uscc)
        .await?
        .into_iter()
        .map(|mut e| {
            if let Some(a) = e.get_mut("after") {
                *a = serde_json::Value::String(if a.is_null() { String::new() } else { a.to_string() });
            }
            e
        })
        .collect();
    let listings = listed_work(&state, &uscc, on).await?;
    let ctx = context! { ..detail_context(&inst, on, false), ..context! {
    flags => flags, timeline => timeline, listings => listings,
    self_base => format!("/registry/institutions/{uscc}") } };
    Ok(Html(render(
        &state.templates,
        "institutions_detail.html",
        &inst.name,
        "/registry",
        Some(&caller),
        ctx,
    )?))
}

/// What partner departments listed the institution for (R11): it is in the random pool for that work.
async fn listed_work(state: &AppState, uscc: &str, on: Date) -> PageResult<Option<String>> {
    use lianjian_store::partner_lists::ListScope;
    let listed = state.app.listed_institutions(ListScope::AsOf(on)).await?;
    Ok(listed.into_iter().find(|l| l.uscc == uscc).map(|l| {
        let departments = l.departments.iter().map(|d| d.zh()).collect::<Vec<_>>().join("、");
        let categories = l.categories.iter().map(|c| c.zh()).collect::<Vec<_>>().join("、");
        let work = l.commissions.iter().map(|c| c.zh()).collect::<Vec<_>>().join("、");
        format!("{departments} 报送:承担{work}监测({categories}),纳入随机抽查对象库")
    }))
}

pub(super) async fn public_detail(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    Path(uscc): Path<String>,
    Query(q): Query<OnQuery>,
) -> PageResult<Html<String>> {
    let on = parse_day("on", &q.on, state.app.today())?;
    let inst = state.app.institution(&uscc).await?;
    let ctx = context! { ..detail_context(&inst, on, true), ..context! {
    flags => Vec::<String>::new(), self_base => format!("/public/institutions/{uscc}") } };
    Ok(Html(render(
        &state.templates,
        "institutions_detail.html",
        &inst.name,
        "/public/institutions",
        caller.as_ref(),
        ctx,
    )?))
}

pub(super) async fn scope_xlsx(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Path(uscc): Path<String>,
) -> PageResult<Response> {
    caller.require(Permission::SupervisorWorkspace)?;
    let inst = state.app.institution(&uscc).await?;
    scope_table(&inst)
}

fn scope_table(inst: &Institution) -> PageResult<Response> {
    let headers = ["证书编号", "类别", "检测项目", "方法标准", "起始日期", "截止日期"];
    let rows: Vec<Vec<Cell>> = inst
        .certificates
        .iter()
        .flat_map(|c| {
            c.scope.iter().map(move |s| {
                vec![
                    Cell::Text(c.no.clone()),
                    Cell::Text(s.category.name_zh().to_owned()),
                    Cell::Text(s.parameter.clone()),
                    Cell::Text(s.method.clone()),
                    Cell::Date(s.from),
                    s.to.map(Cell::Date).unwrap_or(Cell::Empty),
                ]
            })
        })
        .collect();
    xlsx_response("能力范围", &headers, &rows, &format!("能力范围-{}.xlsx", inst.uscc))
}
