//! Who is who: departments, roles, monitoring categories, duty codes, and the permission matrix that
//! every route and query is checked against.
//!
//! 三员分立 (separation of the system, security and audit administrators) is enforced here, in one
//! table, so that no handler can grant one administrator another's job by accident.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An unknown code for one of the closed vocabularies below.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的{kind}代码“{code}”")]
pub struct UnknownCode {
    pub kind: &'static str,
    pub code: String,
}

macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident, $kind:literal, { $($variant:ident => $code:literal, $zh:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $code)] $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stable code used in exchange formats, the API and the database.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            /// The Chinese name shown to users.
            pub fn zh(self) -> &'static str {
                match self { $($name::$variant => $zh,)+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }

        impl FromStr for $name {
            type Err = UnknownCode;
            fn from_str(s: &str) -> Result<Self, UnknownCode> {
                let t = s.trim();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.code().eq_ignore_ascii_case(t) || v.zh() == t)
                    .ok_or_else(|| UnknownCode { kind: $kind, code: s.to_owned() })
            }
        }
    };
}

code_enum!(
    /// A department. EEB 区生态环境局 and MSA 区市场监管局 supervise; the five partner departments hire
    /// institutions and report lists (R11); `INST` marks institution accounts, `OPS` the platform operators.
    Department, "部门", {
        Eeb => "EEB", "区生态环境局";
        Msa => "MSA", "区市场监管局";
        Agri => "AGRI", "区农业农村委";
        Plan => "PLAN", "区规划资源局";
        Water => "WATER", "区水务局";
        Transport => "TRANSPORT", "区交通委";
        Green => "GREEN", "区绿化市容局";
        Inst => "INST", "监测机构";
        Ops => "OPS", "平台运维";
    }
);

impl Department {
    /// The two supervising departments.
    pub fn is_supervisor(self) -> bool {
        matches!(self, Department::Eeb | Department::Msa)
    }

    /// The five partner departments that report institution lists (R11).
    pub fn is_partner(self) -> bool {
        matches!(
            self,
            Department::Agri
                | Department::Plan
                | Department::Water
                | Department::Transport
                | Department::Green
        )
    }
}

code_enum!(
    /// A user's role. The three administrators are 三员分立: none may do another's job.
    Role, "角色", {
        Officer => "officer", "执法人员";
        Leader => "leader", "科室负责人";
        Liaison => "liaison", "协作部门联络员";
        Institution => "institution", "机构用户";
        Feed => "feed", "报告推送系统";
        SystemAdmin => "sysadmin", "系统管理员";
        SecurityAdmin => "secadmin", "安全管理员";
        AuditAdmin => "auditadmin", "审计管理员";
    }
);

impl Role {
    pub fn is_admin(self) -> bool {
        matches!(self, Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin)
    }

    /// Which departments an account with this role may belong to.
    pub fn allows_department(self, d: Department) -> bool {
        match self {
            Role::Officer | Role::Leader => d.is_supervisor(),
            Role::Liaison => d.is_partner(),
            Role::Institution => d == Department::Inst,
            // A report feed is a system (an institution's LIMS, or the city's 社会化服务监管系统),
            // run by the platform operators; it is bound to an institution or to none (the city feed).
            Role::Feed => d == Department::Ops,
            Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin => {
                matches!(d, Department::Ops | Department::Eeb | Department::Msa)
            }
        }
    }
}

code_enum!(
    /// Monitoring category 监测类别 — the work plan's nine, the one category type of the platform:
    /// inspectors' specialties, partner-department lists, and the registry's capability scopes and
    /// signatories (exchange-formats §1 writes the same codes). Ordered as the spec lists them,
    /// which is the canonical order of an exported snapshot.
    Category, "监测类别", {
        Water => "water", "水";
        Air => "air", "气";
        Soil => "soil", "土壤";
        Sediment => "sediment", "沉积物";
        SolidWaste => "solid_waste", "固体废物";
        Biology => "biology", "生物";
        Noise => "noise", "噪声";
        Vibration => "vibration", "振动";
        Radiation => "radiation", "辐射";
    }
);

impl Category {
    /// The category written exactly as its exchange-format code (`water`, `solid_waste`, …), as a
    /// snapshot or a report must write it; `None` for anything else (see [`FromStr`] for the
    /// lenient reading of what officers type).
    pub fn parse(code: &str) -> Option<Category> {
        Category::ALL.iter().copied().find(|c| c.code() == code)
    }

    /// The exchange-format code (the same as [`Category::code`]).
    pub fn as_str(self) -> &'static str {
        self.code()
    }

    /// The full Chinese name used in messages and on the registry pages (`水和废水`), where
    /// [`Category::zh`] is the short label of lists and drop-downs (`水`).
    pub fn name_zh(self) -> &'static str {
        match self {
            Category::Water => "水和废水",
            Category::Air => "环境空气和废气",
            Category::Soil => "土壤",
            Category::Sediment => "沉积物",
            Category::SolidWaste => "固体废物",
            Category::Biology => "生物",
            Category::Noise => "噪声",
            Category::Vibration => "振动",
            Category::Radiation => "辐射",
        }
    }
}

code_enum!(
    /// Duty code 职责代码: routes findings and cases to the department that acts on them (R2, R3).
    Duty, "职责", {
        Eeb1 => "EEB-1", "出具用于生态环境管理的具有证明作用的监测报告、数据和结果";
        Eeb2 => "EEB-2", "未按生态环境法律法规和技术规范开展监测";
        Eeb3 => "EEB-3", "篡改、伪造监测数据或指使篡改、伪造";
        Msa1 => "MSA-1", "未取得资质认定或超出资质认定能力范围出具数据";
        Msa2 => "MSA-2", "基本条件和技术能力不再符合资质认定要求仍出具数据";
        Msa3 => "MSA-3", "转让、出租、出借或伪造、变造、冒用、失效使用证书标志";
        Msa4 => "MSA-4", "未按市场监管法律法规开展检验检测";
    }
);

impl Duty {
    /// The department a finding with this duty code is routed to.
    pub fn department(self) -> Department {
        match self {
            Duty::Eeb1 | Duty::Eeb2 | Duty::Eeb3 => Department::Eeb,
            Duty::Msa1 | Duty::Msa2 | Duty::Msa3 | Duty::Msa4 => Department::Msa,
        }
    }
}

/// What a caller may do. Routes declare one; [`allows`] is the whole matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read one's own account and change one's own password.
    OwnAccount,
    /// The supervising workspace (EEB/MSA officers and leaders).
    SupervisorWorkspace,
    /// Approve plans, edit the item list, import registries (leaders).
    LeaderApproval,
    /// The partner-department workspace.
    PartnerWorkspace,
    /// The institution workspace: its own institution only.
    InstitutionWorkspace,
    /// Replace or import the institution registry: the business owners of the registry (leaders of
    /// the supervising departments), never the platform operators (三员分立, least privilege).
    RegistryImport,
    /// File monitoring reports: institutions (their own), report feeds (the institution they are
    /// bound to, or every institution for the city feed), and the supervising departments' staff.
    /// No administrator files reports.
    FileReports,
    /// Accounts and settings (system administrator).
    ManageAccounts,
    /// Roles, lockouts, the security parameters (password, lockout, idle timeout), tokens (security
    /// administrator).
    ManageSecurity,
    /// Read, search and export the audit log (audit administrator).
    ReadAudit,
}

/// The permission matrix. `department` matters only where the role admits several.
pub fn allows(role: Role, department: Department, permission: Permission) -> bool {
    use Permission as P;
    match permission {
        P::OwnAccount => true,
        P::SupervisorWorkspace => matches!(role, Role::Officer | Role::Leader) && department.is_supervisor(),
        P::LeaderApproval => role == Role::Leader && department.is_supervisor(),
        P::PartnerWorkspace => role == Role::Liaison && department.is_partner(),
        P::InstitutionWorkspace => role == Role::Institution,
        P::RegistryImport => role == Role::Leader && department.is_supervisor(),
        P::FileReports => {
            matches!(role, Role::Institution | Role::Feed)
                || (matches!(role, Role::Officer | Role::Leader) && department.is_supervisor())
        }
        P::ManageAccounts => role == Role::SystemAdmin,
        P::ManageSecurity => role == Role::SecurityAdmin,
        P::ReadAudit => role == Role::AuditAdmin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_accept_chinese_names() {
        for d in Department::ALL {
            assert_eq!(d.code().parse::<Department>().unwrap(), *d);
            assert_eq!(d.zh().parse::<Department>().unwrap(), *d);
        }
        assert_eq!("水".parse::<Category>().unwrap(), Category::Water);
        assert_eq!("solid_waste".parse::<Category>().unwrap(), Category::SolidWaste);
        assert_eq!(Category::parse("solid_waste"), Some(Category::SolidWaste));
        assert_eq!(Category::parse("水"), None, "the exchange formats take the code only");
        assert_eq!(Category::parse("Water"), None);
        assert_eq!(Category::Water.name_zh(), "水和废水");
        assert_eq!(serde_json::to_string(&Category::SolidWaste).unwrap(), "\"solid_waste\"");
        assert!("XYZ".parse::<Duty>().is_err());
    }

    #[test]
    fn three_administrators_cannot_do_each_others_jobs() {
        let jobs = [Permission::ManageAccounts, Permission::ManageSecurity, Permission::ReadAudit];
        let admins = [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin];
        for (i, role) in admins.iter().enumerate() {
            for (j, job) in jobs.iter().enumerate() {
                assert_eq!(allows(*role, Department::Ops, *job), i == j, "{role:?} {job:?}");
            }
            assert!(!allows(*role, Department::Eeb, Permission::SupervisorWorkspace));
        }
    }

    #[test]
    fn no_administrator_files_reports_or_replaces_the_registry() {
        for admin in [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin] {
            for p in [Permission::FileReports, Permission::RegistryImport] {
                assert!(!allows(admin, Department::Ops, p), "{admin:?} {p:?}");
                assert!(!allows(admin, Department::Eeb, p), "{admin:?} {p:?}");
            }
        }
        assert!(allows(Role::Feed, Department::Ops, Permission::FileReports));
        assert!(!allows(Role::Feed, Department::Ops, Permission::InstitutionWorkspace));
        assert!(allows(Role::Leader, Department::Msa, Permission::RegistryImport));
        assert!(!allows(Role::Officer, Department::Msa, Permission::RegistryImport));
    }

    #[test]
    fn duty_routes_to_its_department() {
        assert_eq!(Duty::Eeb3.department(), Department::Eeb);
        assert_eq!(Duty::Msa1.department(), Department::Msa);
    }

    #[test]
    fn institution_role_only_in_institution_department() {
        assert!(Role::Institution.allows_department(Department::Inst));
        assert!(!Role::Institution.allows_department(Department::Eeb));
        assert!(!Role::Liaison.allows_department(Department::Msa));
    }
}
