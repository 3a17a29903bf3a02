//! Demo plans, made through the same use cases as a district's leaders would: one joint plan drawn
//! half a year ago, one drawn a few days ago (with tasks for the demo officers) and one frozen,
//! waiting for its draw meeting.

use lianjian_domain::org::Department;
use lianjian_domain::plans::{Grade, NewPlan, Plan, RevealOutcome};
use lianjian_store::audit::Actor;
use serde::Serialize;
use time::{Date, Duration};

use crate::{App, Error, Result};

/// What [`seed_demo_plans`] made, with the secrets the demo's leaders reveal at the meeting.
#[derive(Debug, Clone, Serialize)]
pub struct DemoPlans {
    /// Drawn, with tasks; the demo officer accounts are linked to inspectors on its teams.
    pub drawn: Plan,
    /// Frozen; its department secrets are below and its public value is not yet entered.
    pub frozen: Plan,
    /// (department, secret) of the frozen plan.
    pub secrets: Vec<(Department, String)>,
    /// (username, inspector code) links made.
    pub links: Vec<(String, String)>,
}

fn period_of(day: Date) -> String {
    let half = if u8::from(day.month()) <= 6 { "H1" } else { "H2" };
    format!("{}-{half}", day.year())
}

/// One demo plan to freeze and draw on `day`.
struct DemoDraw {
    day: Date,
    title: &'static str,
    items: Vec<String>,
    /// EEB's and MSA's secrets.
    secrets: [&'static str; 2],
    public_value: &'static str,
}

/// Create, commit, freeze and draw a joint plan with the clock on `d.day`.
async fn draw_plan(app: &App, actor: &Actor, d: DemoDraw) -> Result<Plan> {
    let app = app.on_day(d.day);
    let new = NewPlan {
        period: period_of(d.day),
        title: d.title.to_owned(),
        departments: vec![Department::Eeb, Department::Msa],
        items: d.items,
        public_label: Some(format!("福彩3D {}", d.day)),
        ..NewPlan::default()
    };
    let plan = app.create_plan(actor, new).await?;
    let secrets = [(Department::Eeb, d.secrets[0]), (Department::Msa, d.secrets[1])];
    for (dept, secret) in secrets {
        app.commit_secret(actor, plan.id, dept, secret).await?;
    }
    app.freeze_plan(actor, plan.id).await?;
    for (dept, secret) in secrets {
        app.reveal_secret(actor, plan.id, dept, secret).await?;
    }
    if let RevealOutcome::Failed { message } = app.enter_public_value(actor, plan.id, d.public_value).await? {
        return Err(Error::state("draw_failed", message));
    }
    app.plan(plan.id).await
}

/// Seed the demo's plans on a database the demo has filled (registry, items, inspectors and the
/// `eeb-officer`, `msa-officer`, `eeb-leader`, `msa-leader` accounts), `today` being the app's today:
/// - a few hand-set credit grades (A, C, D, E) so every stratum has members;
/// - a joint plan frozen and drawn 150 days before today (public value entered);
/// - a special joint plan drawn 3 days before today, whose first task's EEB and MSA members are
///   linked to `eeb-officer` and `msa-officer`, so their task lists show open deadlines (counted
///   provisionally, 预估, when they run into a year without a notice);
/// - a joint plan for today's half-year, committed and frozen, waiting for the reveals: the secrets
///   are returned so the demo can print them for the leaders.
pub async fn seed_demo_plans(app: &App, actor: &Actor) -> Result<DemoPlans> {
    let store = app.store();
    let today = store.today();
    let earlier = today - Duration::days(150);

    let registry = store.export_registry().await?;
    for (k, inst) in registry.institutions.iter().enumerate() {
        let grade = match k % 17 {
            1 | 5 | 9 => Grade::A,
            3 | 11 => Grade::C,
            7 => Grade::D,
            13 => Grade::E,
            _ => continue,
        };
        let from = earlier - Duration::days(30);
        app.set_grade(actor, &inst.uscc, grade, from, "演示数据:人工设定(信用评价上线前)").await?;
    }

    let in_force = store.items(Some(earlier)).await?;
    let items: Vec<String> = [Department::Eeb, Department::Msa]
        .iter()
        .flat_map(|d| in_force.iter().filter(move |i| i.department == *d).take(2).map(|i| i.code.clone()))
        .collect();

    // A plan drawn half a year ago, and a special one drawn a few days ago (near a year's end its
    // deadlines run into the next year and show as 预估 until that year's notice is loaded).
    let secrets = ["演示-生态环境局-早先秘密-7f3a91", "演示-市场监管局-早先秘密-c2d8e4"];
    let first = DemoDraw { day: earlier, title: "", items: items.clone(), secrets, public_value: "3 8 1" };
    let drawn = draw_plan(app, actor, first).await?;
    let secrets = ["演示-生态环境局-专项秘密-5e1c07", "演示-市场监管局-专项秘密-9ab2f6"];
    let recent = today - Duration::days(3);
    let special = DemoDraw {
        day: recent,
        title: "年末专项联合检查",
        items: items.clone(),
        secrets,
        public_value: "0 4 7",
    };
    let special = draw_plan(app, actor, special).await?;

    let mut links = Vec::new();
    if let Some(task) = app.plan_tasks(special.id).await?.first() {
        for (username, dept) in [("eeb-officer", "EEB"), ("msa-officer", "MSA")] {
            let Some(m) = task.members.iter().find(|m| m.department == dept) else { continue };
            if store.user_by_username(username).await?.is_some() {
                app.link_inspector_account(actor, &m.code, username).await?;
                links.push((username.to_owned(), m.code.clone()));
            }
        }
    }

    // The current plan, frozen and waiting for the draw meeting.
    let new = NewPlan {
        period: period_of(today),
        title: String::new(),
        departments: vec![Department::Eeb, Department::Msa],
        items,
        public_label: Some(format!("福彩3D {}", today + Duration::days(7))),
        ..NewPlan::default()
    };
    let plan = app.create_plan(actor, new).await?;
    let secrets = vec![
        (Department::Eeb, "演示-生态环境局-抽取会秘密-2b9e".to_owned()),
        (Department::Msa, "演示-市场监管局-抽取会秘密-8d41".to_owned()),
    ];
    for (d, s) in &secrets {
        app.commit_secret(actor, plan.id, *d, s).await?;
    }
    let frozen = app.freeze_plan(actor, plan.id).await?;
    Ok(DemoPlans { drawn, frozen, secrets, links })
}
