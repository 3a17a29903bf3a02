//! Who may take a step on a plan, beyond the permission matrix of roles: a person acts only on plans
//! their department takes part in and only for their own department's secret; a member withdraws
//! only themself, a leader of a participating department for anyone; a leader sees the tasks of their
//! department's plans, an officer the tasks they are on; the platform itself (the demo, the CLI)
//! may do all of it.

use super::{Plan, PlanStatus, Refusal};
use crate::invalid::Invalid;
use crate::org::Department;

/// Who takes a step on a plan: a person of a department, or the platform itself (the demo, the CLI).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acting {
    Platform,
    Person { department: Department, leader: bool },
}

/// A person acts on a plan only for a department taking part in it; the platform for any.
pub fn may_act_on(plan: &Plan, acting: Acting) -> Result<(), Refusal> {
    match acting {
        Acting::Person { department, .. } if !plan.takes_part(department) => Err(Refusal::Forbidden(
            format!("{}未参加计划 {},不能办理该计划的事项", department.zh(), plan.draw_id),
        )),
        _ => Ok(()),
    }
}

/// A person commits or reveals only their own department's secret.
pub fn may_act_for(department: Department, acting: Acting) -> Result<(), Refusal> {
    match acting {
        Acting::Person { department: own, .. } if own != department => {
            Err(Refusal::Forbidden(format!("只能提交或揭示本部门的秘密,不能代{}办理", department.zh())))
        }
        _ => Ok(()),
    }
}

/// A recusal: a member withdraws themself (`own` is the caller's inspector code), or a leader of a
/// participating department (or the platform) records it for them; only on a drawn plan.
pub fn may_recuse(plan: &Plan, acting: Acting, own: Option<&str>, inspector: &str) -> Result<(), Refusal> {
    let leader = match acting {
        Acting::Platform => true,
        Acting::Person { department, leader } => leader && plan.takes_part(department),
    };
    if own != Some(inspector) && !leader {
        return Err(Refusal::Forbidden(
            "只能为自己申请回避;为他人办理回避须由参加本计划的部门负责人办理".into(),
        ));
    }
    if plan.status != PlanStatus::Drawn {
        return Err(Refusal::state("plan_state", format!("计划{},没有可回避的抽取结果", plan.status.zh())));
    }
    Ok(())
}

/// Which tasks a caller sees: a leader the tasks of their department's plans, an officer those whose
/// team they are on (`own` is the inspector their account is linked to), the platform every task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskScope {
    All,
    Department(Department),
    Inspector(String),
    Nothing,
}

pub fn task_scope(acting: Acting, own: Option<&str>) -> TaskScope {
    match (acting, own) {
        (Acting::Platform, _) => TaskScope::All,
        (Acting::Person { department, leader: true }, _) => TaskScope::Department(department),
        (Acting::Person { leader: false, .. }, Some(code)) => TaskScope::Inspector(code.to_owned()),
        (Acting::Person { leader: false, .. }, None) => TaskScope::Nothing,
    }
}

/// An inspector is linked to an account of the inspector's own department, by someone of that
/// department (or the platform).
pub fn may_link_inspector(
    inspector: Department,
    account: Department,
    acting: Acting,
    account_name: &str,
    inspector_code: &str,
) -> Result<(), Invalid> {
    if let Acting::Person { department, .. } = acting {
        if department != inspector {
            return Err(Invalid::field(
                "inspector",
                "inspector_of_other_department",
                "只能关联本部门的检查人员",
            ));
        }
    }
    if account != inspector {
        return Err(Invalid::field(
            "username",
            "department_mismatch",
            format!(
                "用户 {account_name} 属于{},检查人员 {inspector_code} 属于{},不能关联",
                account.zh(),
                inspector.zh()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leader_sees_the_department_s_tasks_an_officer_their_own() {
        let leader = Acting::Person { department: Department::Msa, leader: true };
        let officer = Acting::Person { department: Department::Eeb, leader: false };
        assert_eq!(task_scope(leader, Some("MSA-1")), TaskScope::Department(Department::Msa));
        assert_eq!(task_scope(officer, Some("EEB-1")), TaskScope::Inspector("EEB-1".into()));
        assert_eq!(task_scope(officer, None), TaskScope::Nothing);
        assert_eq!(task_scope(Acting::Platform, None), TaskScope::All);
    }

    #[test]
    fn inspectors_are_linked_within_one_department() {
        let eeb = Acting::Person { department: Department::Eeb, leader: true };
        let (e, m) = (Department::Eeb, Department::Msa);
        assert!(may_link_inspector(e, e, eeb, "u", "EEB-1").is_ok());
        assert_eq!(
            may_link_inspector(m, m, eeb, "u", "MSA-1").unwrap_err().code,
            "inspector_of_other_department"
        );
        assert_eq!(
            may_link_inspector(m, e, Acting::Platform, "u", "MSA-1").unwrap_err().code,
            "department_mismatch"
        );
    }
}
