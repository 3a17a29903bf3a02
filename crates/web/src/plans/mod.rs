//! Joint random-inspection plans 联合抽查计划 on the web: the leaders' pages (create, commit,
//! freeze, reveal, draw, re-plan), the inspectors' task list 检查任务, recusal 回避, the public
//! portal 一公开 with the record download and how to verify it, and the read-only plan and task API.
//!
//! The rules live in `lianjian_domain::plans` and the use cases in `lianjian_app::plans`; handlers
//! here check the permission matrix, parse, call `state.app` and render.

pub mod api;
mod pages;
mod public;
mod tasks;

use axum::routing::{get, post};
use axum::Router;
use lianjian_domain::org::{Category, Department};
use lianjian_domain::plans::{EntropyKind, Plan, PlanStatus, Task};
use serde::Serialize;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/plans", get(pages::list_page).post(pages::create))
        .route("/plans/grades", post(pages::set_grade))
        .route("/plans/links", post(pages::link_account))
        .route("/plans/{id}", get(pages::detail_page))
        .route("/plans/{id}/commit", post(pages::commit))
        .route("/plans/{id}/freeze", post(pages::freeze))
        .route("/plans/{id}/reveal", post(pages::reveal))
        .route("/plans/{id}/public-value", post(pages::public_value))
        .route("/plans/{id}/replan", post(pages::replan))
        .route("/plans/{id}/recuse", post(tasks::recuse))
        .route("/plans/{id}/pool.xlsx", get(tasks::pool_xlsx))
        .route("/plans/{id}/tasks.xlsx", get(tasks::tasks_xlsx))
        .route("/tasks", get(tasks::my_tasks))
        .route("/tasks/{id}", get(tasks::task_page))
        .route("/public/plans", get(public::list_page))
        .route("/public/plans/verify", get(public::verify_page))
        .route("/public/plans/{id}", get(public::detail_page))
        .route("/public/plans/{id}/record.json", get(public::record_json))
}

pub(crate) fn dept_zh(code: &str) -> String {
    code.parse::<Department>().map(|d| d.zh().to_owned()).unwrap_or_else(|_| code.to_owned())
}

pub(crate) fn categories_zh(codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| c.parse::<Category>().map(|c| c.zh().to_owned()).unwrap_or_else(|_| c.clone()))
        .collect::<Vec<_>>()
        .join("、")
}

/// `50‰` as `5%` for people; permille kept exact.
pub(crate) fn percent(permille: i64) -> String {
    if permille % 10 == 0 {
        format!("{}%", permille / 10)
    } else {
        format!("{}.{}%", permille / 10, permille % 10)
    }
}

#[derive(Serialize)]
pub(crate) struct EntropyView {
    label: String,
    kind: &'static str,
    commitment: Option<String>,
    state: &'static str,
    value: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct PlanView {
    id: i64,
    code: String,
    version: i64,
    draw_id: String,
    period: String,
    title: String,
    departments: String,
    joint: bool,
    items: Vec<String>,
    status: &'static str,
    status_zh: &'static str,
    status_css: &'static str,
    strata: Vec<(String, String, i64)>,
    team_size: i64,
    year_cap: i64,
    due_working_days: i64,
    freeze_on: Option<String>,
    inputs_digest: Option<String>,
    draw_error: Option<String>,
    drawn_on: Option<String>,
    created_by: String,
    frozen_by: Option<String>,
    superseded_by: Option<i64>,
    entropy: Vec<EntropyView>,
}

pub(crate) fn plan_view(p: &Plan) -> PlanView {
    let show = p.values_public();
    PlanView {
        id: p.id,
        code: p.code.clone(),
        version: p.version,
        draw_id: p.draw_id.clone(),
        period: p.period.clone(),
        title: p.title.clone(),
        departments: p.departments.iter().map(|d| d.zh()).collect::<Vec<_>>().join(" + "),
        joint: p.is_joint(),
        items: p.items.clone(),
        status: p.status.code(),
        status_zh: if p.draw_error.is_some() { "已冻结(抽取失败)" } else { p.status.zh() },
        status_css: match (p.status, p.draw_error.is_some()) {
            (_, true) | (PlanStatus::Superseded, _) => "bad",
            (PlanStatus::Drawn, _) => "ok",
            _ => "warn",
        },
        strata: p
            .strata
            .iter()
            .map(|s| (s.grade.code().to_owned(), percent(s.permille), s.permille))
            .collect(),
        team_size: p.team_size,
        year_cap: p.year_cap,
        due_working_days: p.due_working_days,
        freeze_on: p.freeze_on.map(lianjian_registry::date::format),
        inputs_digest: p.inputs_digest.clone(),
        draw_error: p.draw_error.clone(),
        drawn_on: p.drawn_on.map(lianjian_registry::date::format),
        created_by: p.created_by.clone(),
        frozen_by: p.frozen_by.clone(),
        superseded_by: p.superseded_by,
        entropy: p
            .entropy
            .iter()
            .map(|e| EntropyView {
                label: match e.kind {
                    EntropyKind::Public => e.label.clone(),
                    EntropyKind::DepartmentSecret => format!("{}的秘密", dept_zh(&e.label)),
                },
                kind: e.kind.zh(),
                commitment: e.commitment.clone(),
                state: match (&e.value, e.kind, &e.commitment) {
                    (Some(_), EntropyKind::Public, _) => "已录入",
                    (Some(_), _, _) => "已揭示(与承诺值一致)",
                    (None, EntropyKind::Public, _) => "待录入",
                    (None, _, Some(_)) => "已提交承诺值,待揭示",
                    (None, _, None) => "待提交承诺值",
                },
                value: if show { e.value.clone() } else { None },
            })
            .collect(),
    }
}

#[derive(Serialize)]
pub(crate) struct TaskView {
    id: i64,
    plan_id: i64,
    plan: String,
    plan_title: String,
    order: i64,
    uscc: String,
    name: String,
    stratum: String,
    due_on: String,
    /// "预估" when counted on a year without a State Council notice; "预估·待确认" once the notice
    /// is in and a leader is to decide the recounted date; "" otherwise.
    due_mark: &'static str,
    items: Vec<String>,
    members: Vec<(String, String, String)>,
}

impl TaskView {
    /// The due date as an export cell shows it: `2027-01-13(预估)`.
    pub(crate) fn due_with_mark(&self) -> String {
        if self.due_mark.is_empty() {
            self.due_on.clone()
        } else {
            format!("{}({})", self.due_on, self.due_mark)
        }
    }
}

/// The mark beside a due date: provisional, or provisional and waiting for a leader's decision.
pub(crate) fn due_mark(provisional: bool, pending_review: bool) -> &'static str {
    match (provisional, pending_review) {
        (_, true) => "预估·待确认",
        (true, false) => lianjian_domain::calendar::PROVISIONAL_MARK,
        (false, false) => "",
    }
}

pub(crate) fn task_view(t: &Task) -> TaskView {
    TaskView {
        id: t.id,
        plan_id: t.plan_id,
        plan: format!("{} 第 {} 版", t.plan_code, t.plan_version),
        plan_title: t.plan_title.clone(),
        order: t.target_order + 1,
        uscc: t.institution_uscc.clone(),
        name: t.institution_name.clone(),
        stratum: t.stratum.code().to_owned(),
        due_on: lianjian_registry::date::format(t.due_on),
        due_mark: due_mark(t.due_on_provisional, t.due_on_pending_review),
        items: t.items.clone(),
        members: t.members.iter().map(|m| (m.code.clone(), m.name.clone(), dept_zh(&m.department))).collect(),
    }
}
