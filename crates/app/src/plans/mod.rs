//! Joint random-inspection plans 联合抽查计划, their verifiable 双随机 draws, the tasks 检查任务 they
//! give and the hand-set credit grades 信用等级 that stratify them (R4, R7, R8).
//!
//! Each write validates its input and applies the rules of `lianjian_domain::plans`, then writes
//! through `lianjian_store::plans` and appends its audit entry in one transaction: `plan.create`,
//! `plan.commit`, `plan.freeze`, `plan.reveal`, `plan.reveal_refused`, `plan.public_value`,
//! `plan.draw`, `plan.draw_failed`, `plan.recusal`, `plan.replan`, `grade.set`,
//! `inspector.link_account`. Every "today" is the store's clock. Nothing is partial: a draw that
//! cannot staff a team stores no record and leaves the plan frozen with the engine's message; fixing
//! it means a new version, whose inputs and digest differ. A recusal after the draw appends a new
//! record (the old ones stay) that anyone can verify the same way.
//!
//! Who may act is decided here by the domain's rules ([`access::Acting`]): a person acts only on plans
//! their department takes part in and only for their own department's secret; the platform itself
//! (`Actor::system`: the demo, the CLI) for any.

mod demo;
mod draw;
mod freeze;
mod grades;
mod make;
mod read;

use lianjian_domain::org::{Department, Role};
use lianjian_domain::plans::access::{self, Acting};
use lianjian_domain::plans::Plan;
use lianjian_store::audit::Actor;

pub use demo::{seed_demo_plans, DemoPlans};
pub use read::TaskPage;

use crate::Error;

/// Who `actor` is to the plan rules. Only `Actor::system` (role `system`, never a user's role) is
/// the platform; a person whose department does not read acts for none.
pub(crate) fn acting(actor: &Actor) -> Acting {
    if actor.role == "system" {
        return Acting::Platform;
    }
    Acting::Person {
        department: actor.department.parse().unwrap_or(Department::Ops),
        leader: actor.role.parse::<Role>().is_ok_and(|r| r == Role::Leader),
    }
}

/// The plan, or a 404 naming it.
fn existing(plan: Option<Plan>, id: i64) -> Result<Plan, Error> {
    plan.ok_or_else(|| Error::NotFound(format!("计划 {id} 不存在")))
}

/// A due date the calendar cannot count (a year beyond the calendar's reach).
fn uncountable(e: impl std::fmt::Display) -> Error {
    Error::state("deadline_uncountable", format!("无法计算检查任务期限:{e}"))
}

/// Reveal, enter and draw are only for a person of a participating department (or the platform).
fn may_act_on(plan: &Plan, actor: &Actor) -> Result<(), Error> {
    Ok(access::may_act_on(plan, acting(actor))?)
}
