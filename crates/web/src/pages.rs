//! Sign-in, account and workspace pages.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use lianjian_domain::org::{Department, Permission};
use minijinja::context;

use crate::auth::{self, ClientAddress, MaybeCaller, PageCaller, SESSION_COOKIE};
use crate::error::{AppError, PageResult};
use crate::nav::home_of;
use crate::templates::render;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(public_home))
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/account/password", get(password_page).post(password_submit))
        .route("/eeb", get(eeb_workspace))
        .route("/msa", get(msa_workspace))
        .route("/partner", get(partner_workspace))
        .route("/institution", get(institution_workspace))
}

pub type FormData = Form<HashMap<String, String>>;

pub fn field<'a>(form: &'a HashMap<String, String>, name: &str) -> &'a str {
    form.get(name).map(String::as_str).unwrap_or("")
}

async fn public_home(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
) -> PageResult<Html<String>> {
    Ok(Html(render(&state.templates, "public_home.html", "信息公开", "/", caller.as_ref(), context! {})?))
}

async fn login_page(State(state): State<AppState>, MaybeCaller(caller): MaybeCaller) -> PageResult<Response> {
    if let Some(c) = caller {
        return Ok(Redirect::to(home_of(&c)).into_response());
    }
    Ok(Html(render(&state.templates, "login.html", "登录", "/login", None, context! {})?).into_response())
}

async fn login_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientAddress(ip): ClientAddress,
    jar: CookieJar,
    Form(form): FormData,
) -> PageResult<Response> {
    if !auth::same_origin(&headers) {
        return Err(AppError::Csrf);
    }
    let username = field(&form, "username");
    match state.app.sign_in(username, field(&form, "password"), ip.clone()).await.map_err(AppError::from) {
        Ok(lianjian_app::accounts::SignedIn { user, .. }) => {
            let session = state.app.start_session(&user, ip.as_deref()).await?;
            let (token, csrf) = (session.token, session.csrf);
            let secure = auth::is_https(&state, &headers);
            let target = if user.must_change_password { "/account/password" } else { "/" };
            let jar = jar.add(auth::session_cookie(token, secure));
            // Land on the first workspace the user may enter.
            let caller =
                auth::Caller { user, via: auth::Via::Session { token_hash: String::new(), csrf }, ip };
            let target = if target == "/" { home_of(&caller) } else { target };
            Ok((jar, Redirect::to(target)).into_response())
        }
        Err(e @ (AppError::SignInRefused(_) | AppError::TooManyAttempts(_))) => {
            let username = lianjian_store::audit::cap(username);
            let html = render(
                &state.templates,
                "login.html",
                "登录",
                "/login",
                None,
                context! { error => e.to_string(), username => username },
            )?;
            Ok((e.status(), Html(html)).into_response())
        }
        Err(e) => Err(e),
    }
}

async fn logout(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    jar: CookieJar,
    Form(form): FormData,
) -> PageResult<Response> {
    caller.check_form_csrf(&form)?;
    if let auth::Via::Session { token_hash, .. } = &caller.via {
        state.app.sign_out(&caller.actor(), token_hash).await?;
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/").build());
    Ok((jar, Redirect::to("/login")).into_response())
}

async fn password_page(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Html<String>> {
    let min_len = state.policy().await?.password_min_len;
    let ctx = context! { forced => caller.user.must_change_password, min_len => min_len };
    Ok(Html(render(&state.templates, "password.html", "修改口令", "/account/password", Some(&caller), ctx)?))
}

async fn password_submit(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    Form(form): FormData,
) -> PageResult<Response> {
    caller.check_form_csrf(&form)?;
    let policy = state.policy().await?;
    let keep = match &caller.via {
        auth::Via::Session { token_hash, .. } => Some(token_hash.as_str()),
        auth::Via::Token => None,
    };
    let passwords = (field(&form, "old_password"), field(&form, "new_password"));
    let result = state.app.change_password(&caller.actor(), &caller.user, passwords, keep).await;
    match result.map_err(AppError::from) {
        Ok(()) => Ok(Redirect::to(home_of(&caller)).into_response()),
        Err(AppError::BadRequest { message, .. }) => {
            let ctx = context! {
                forced => caller.user.must_change_password,
                min_len => policy.password_min_len,
                error => message,
            };
            let html = render(
                &state.templates,
                "password.html",
                "修改口令",
                "/account/password",
                Some(&caller),
                ctx,
            )?;
            Ok((axum::http::StatusCode::BAD_REQUEST, Html(html)).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(serde::Serialize)]
struct Card {
    title: &'static str,
    body: String,
    href: Option<String>,
}

fn workspace(
    state: &AppState,
    caller: &auth::Caller,
    path: &str,
    heading: String,
    lead: &str,
    cards: Vec<Card>,
) -> PageResult<Html<String>> {
    let ctx = context! { heading => heading, lead => lead, cards => cards };
    Ok(Html(render(&state.templates, "workspace.html", &heading_title(path), path, Some(caller), ctx)?))
}

fn heading_title(path: &str) -> String {
    match path {
        "/eeb" => "生态环境局工作台",
        "/msa" => "市场监管局工作台",
        "/partner" => "协作部门工作台",
        _ => "机构工作台",
    }
    .to_owned()
}

async fn supervisor_cards(state: &AppState, d: Department) -> PageResult<Vec<Card>> {
    let duties = lianjian_domain::org::Duty::ALL
        .iter()
        .filter(|x| x.department() == d)
        .map(|x| format!("{} {}", x.code(), x.zh()))
        .collect::<Vec<_>>()
        .join(";");
    let errors = state.app.count_findings(d, "error").await?;
    let warnings = state.app.count_findings(d, "warning").await?;
    let findings_href = if d == Department::Eeb { "/eeb/findings" } else { "/msa/findings" };
    let deadlines = state.app.deadlines_pending(Some(d)).await?.len();
    let mut cards = Vec::new();
    if deadlines > 0 {
        cards.push(Card {
            title: "期限复核",
            body: format!("放假通知载入后重算日期有变化的预估期限 {deadlines} 个,待科室负责人确认。"),
            href: Some("/deadlines".into()),
        });
    }
    cards.extend([
        Card {
            title: "非现场检查发现的问题",
            body: format!("按职责分派到本部门:违规 {errors} 条,统计预警 {warnings} 条。"),
            href: Some(findings_href.into()),
        },
        Card {
            title: "我的检查任务",
            body: "双随机抽取分派给本人的检查任务及期限。".into(),
            href: Some("/tasks".into()),
        },
        Card {
            title: "联合抽查计划",
            body: "编制、冻结、揭示密钥、抽取并公示。".into(),
            href: Some("/plans".into()),
        },
        Card {
            title: "机构名录库",
            body: "机构、证书、能力范围、人员,任意日期的状态。".into(),
            href: Some("/registry".into()),
        },
        Card {
            title: "协作部门名单报送",
            body: "各部门报送情况及逾期工作日。".into(),
            href: Some("/partner-lists".into()),
        },
        Card { title: "本部门职责(问题分派依据)", body: duties, href: None },
    ]);
    Ok(cards)
}

async fn eeb_workspace(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Html<String>> {
    caller.require_workspace(Department::Eeb)?;
    let lead = "生态环境监测技术规范执行与数据真实性监管";
    workspace(
        &state,
        &caller,
        "/eeb",
        "区生态环境局 · 工作台".into(),
        lead,
        supervisor_cards(&state, Department::Eeb).await?,
    )
}

async fn msa_workspace(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Html<String>> {
    caller.require_workspace(Department::Msa)?;
    let lead = "检验检测机构资质认定与能力范围监管";
    workspace(
        &state,
        &caller,
        "/msa",
        "区市场监管局 · 工作台".into(),
        lead,
        supervisor_cards(&state, Department::Msa).await?,
    )
}

async fn partner_workspace(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Html<String>> {
    caller.require(Permission::PartnerWorkspace)?;
    let heading = format!("{} · 协作部门工作台", caller.user.department.zh());
    let cards = vec![
        Card {
            title: "名单报送",
            body:
                "每年 1 月 31 日前报送上一年度、6 月 30 日前报送上半年承担执法监测和政府委托监测的机构名单。"
                    .into(),
            href: Some("/partner/upload".into()),
        },
        Card {
            title: "聘用前查询机构状态",
            body: "委托执法监测或政府委托监测前,查询机构资质是否有效、是否被限制(接口 /api/v1/institutions/{代码}/standing)。".into(),
            href: Some("/public/institutions".into()),
        },
    ];
    workspace(&state, &caller, "/partner", heading, "信息共享与联合惩戒", cards)
}

async fn institution_workspace(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
) -> PageResult<Html<String>> {
    caller.require(Permission::InstitutionWorkspace)?;
    let uscc = caller.user.institution_uscc.clone().unwrap_or_default();
    let heading = format!("监测机构工作台 · {uscc}");
    let cards = vec![
        Card {
            title: "本机构信息",
            body: format!("统一社会信用代码 {uscc};只能查看和办理本机构的事项。"),
            href: Some(format!("/public/institutions/{uscc}")),
        },
        Card {
            title: "监测报告报送与自查",
            body: "上传本机构的监测报告(JSON Lines),或仅自查不报送。".into(),
            href: Some("/reports".into()),
        },
    ];
    workspace(&state, &caller, "/institution", heading, "本机构的监管记录", cards)
}
