//! The workspace navigation: one entry per workspace the caller may enter, the public one for all.

use lianjian_domain::org::{Department, Permission};
use serde::Serialize;

use crate::auth::Caller;

#[derive(Serialize)]
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

/// (href, label, who may see it)
const WORKSPACES: &[(&str, &str, Gate)] = &[
    // The caller's own workspace first, then the work, then what everyone may read.
    ("/eeb", "生态环境局工作台", Gate::Supervisor(Department::Eeb)),
    ("/msa", "市场监管局工作台", Gate::Supervisor(Department::Msa)),
    ("/partner", "协作部门工作台", Gate::Perm(Permission::PartnerWorkspace)),
    ("/institution", "机构工作台", Gate::Perm(Permission::InstitutionWorkspace)),
    ("/admin/users", "账户管理", Gate::Perm(Permission::ManageAccounts)),
    ("/admin/security", "安全管理", Gate::Perm(Permission::ManageSecurity)),
    ("/admin/audit", "审计日志", Gate::Perm(Permission::ReadAudit)),
    ("/eeb/findings", "非现场问题", Gate::Supervisor(Department::Eeb)),
    ("/msa/findings", "非现场问题", Gate::Supervisor(Department::Msa)),
    ("/tasks", "检查任务", Gate::Perm(Permission::SupervisorWorkspace)),
    ("/plans", "抽查计划", Gate::Perm(Permission::SupervisorWorkspace)),
    ("/registry", "机构名录库", Gate::Perm(Permission::SupervisorWorkspace)),
    ("/registry/import", "名录导入", Gate::Perm(Permission::RegistryImport)),
    ("/inspectors", "检查人员", Gate::Perm(Permission::SupervisorWorkspace)),
    ("/items", "抽查事项", Gate::Perm(Permission::SupervisorWorkspace)),
    ("/partner-lists", "名单报送", Gate::Board),
    ("/reports", "报告报送", Gate::Perm(Permission::InstitutionWorkspace)),
    ("/offsite/config", "检查配置", Gate::Perm(Permission::SupervisorWorkspace)),
    ("/params", "法定参数", Gate::Params),
    ("/", "信息公开", Gate::Anyone),
    ("/public/institutions", "机构公示", Gate::Anyone),
    ("/public/items", "事项清单", Gate::Anyone),
    ("/public/plans", "抽查公示", Gate::Anyone),
];

#[derive(Clone, Copy)]
enum Gate {
    Anyone,
    /// Supervisors and partner liaisons (the list board).
    Board,
    /// Supervisors (read) and the system administrator (read and set).
    Params,
    Supervisor(Department),
    Perm(Permission),
}

pub fn nav_for(caller: Option<&Caller>, path: &str) -> Vec<NavItem> {
    WORKSPACES
        .iter()
        .filter(|(_, _, gate)| match (gate, caller) {
            (Gate::Anyone, _) => true,
            (Gate::Params, Some(c)) => {
                c.can(Permission::SupervisorWorkspace) || c.can(Permission::ManageAccounts)
            }
            (Gate::Board, Some(c)) => {
                c.can(Permission::SupervisorWorkspace) || c.can(Permission::PartnerWorkspace)
            }
            (Gate::Supervisor(d), Some(c)) => c.require_workspace(*d).is_ok(),
            (Gate::Perm(p), Some(c)) => c.can(*p),
            (_, None) => false,
        })
        .map(|(href, label, _)| NavItem {
            href,
            label,
            active: if *href == "/" {
                path == "/"
            } else {
                path == *href
                    || path.starts_with(&format!("{href}/"))
                        && !WORKSPACES.iter().any(|(h, _, _)| h.len() > href.len() && path.starts_with(h))
            },
        })
        .collect()
}

/// Where a user lands after signing in.
pub fn home_of(caller: &Caller) -> &'static str {
    const HOMES: &[&str] =
        &["/eeb", "/msa", "/partner", "/institution", "/admin/users", "/admin/security", "/admin/audit"];
    let reachable = nav_for(Some(caller), "");
    HOMES.iter().copied().find(|h| reachable.iter().any(|i| i.href == *h)).unwrap_or("/")
}
