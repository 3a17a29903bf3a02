//! Who files and who sees monitoring reports 监测报告 and their off-site findings 非现场问题线索 —
//! the rules finer than a role that the use cases check (the permission matrix, [`crate::org`],
//! says who may file at all and who has a supervising workspace) — and where a finding is routed.
//!
//! - Filing: an institution files its own institution's reports only; a report feed the reports of
//!   the institution it is bound to, or — the city feed, bound to none — any institution's; the
//!   supervising departments' officers and leaders any institution's. No administrator files
//!   reports (三员分立).
//! - Seeing: the supervising departments see every batch and every finding; an institution its own
//!   batches and, of their findings, the errors in its own reports — what the pre-submission check
//!   shows it before filing. Cross-report findings (OFF-T02, OFF-D01) name other institutions'
//!   reports and the statistical warnings are leads for the regulators' joint assessment
//!   (联合研判), so neither is shown to it.
//! - The last gate: the findings of a batch an institution filed name no other institution
//!   ([`foreign_findings`]), or none is stored.

use crate::org::{allows, Department, Duty, Permission, Role};

/// The caller as these rules see it: role, department and the institution an account is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reader<'a> {
    pub role: Role,
    pub department: Department,
    pub institution: Option<&'a str>,
}

impl Reader<'_> {
    fn can(&self, p: Permission) -> bool {
        allows(self.role, self.department, p)
    }
}

/// Whose reports the caller may file: `Ok(Some(uscc))` only that institution's, `Ok(None)` any;
/// `Err` with the reason when the caller may file none.
pub fn upload_scope<'a>(who: &Reader<'a>) -> Result<Option<&'a str>, &'static str> {
    if !who.can(Permission::FileReports) {
        return Err("您的角色不能报送监测报告");
    }
    match who.role {
        Role::Institution => who.institution.map(Some).ok_or("机构账户未绑定机构,不能报送监测报告"),
        Role::Feed => Ok(who.institution),
        _ => Ok(None),
    }
}

/// Whether the caller may see a batch (and its reports) uploaded for `batch_institution` (`None`
/// for a batch of any institution's reports).
pub fn may_see_batch(who: &Reader<'_>, batch_institution: Option<&str>) -> bool {
    who.can(Permission::SupervisorWorkspace)
        || (who.can(Permission::InstitutionWorkspace)
            && batch_institution.is_some()
            && batch_institution == who.institution)
}

/// Whether the caller may see findings at all (each one then by [`finding_visible`]).
pub fn may_see_findings(who: &Reader<'_>) -> bool {
    who.can(Permission::SupervisorWorkspace) || who.can(Permission::InstitutionWorkspace)
}

/// Whether the caller sees a finding of a batch it may see: every one for the supervising
/// departments; for an institution the errors of its own reports, not the cross-report findings
/// nor the warnings.
pub fn finding_visible(who: &Reader<'_>, severity: &str, rule: &str, institution: Option<&str>) -> bool {
    if who.can(Permission::SupervisorWorkspace) {
        return true;
    }
    let Some(own) = who.institution.filter(|_| who.can(Permission::InstitutionWorkspace)) else {
        return false;
    };
    severity == "error" && !matches!(rule, "OFF-T02" | "OFF-D01") && institution.is_none_or(|u| u == own)
}

/// The department a duty code routes to; an unknown code goes to EEB, which owns the general duty
/// of monitoring done as the specifications require.
pub fn department_of(duty: &str) -> Department {
    duty.parse::<Duty>().map(Duty::department).unwrap_or(Department::Eeb)
}

/// Why the findings of a batch filed by institution `own` may not be stored, if they may not: a
/// finding naming another institution (`institutions`: the institution each finding names, if
/// one). Uploads refuse other institutions' reports; this is the last gate, in the transaction that
/// would store them, should a line ever be read differently at upload and at check (issue 15).
/// Findings that name no institution are the uploader's.
pub fn foreign_findings<'a>(
    own: &str,
    institutions: impl IntoIterator<Item = Option<&'a str>>,
) -> Option<String> {
    let mut others: Vec<&str> = institutions.into_iter().flatten().filter(|u| *u != own).collect();
    if others.is_empty() {
        return None;
    }
    let n = others.len();
    others.sort_unstable();
    others.dedup();
    let shown: Vec<String> = others.iter().take(5).map(|u| format!("“{u}”")).collect();
    Some(format!(
        "检查结果未记录:该批次由机构 {own} 报送,但有 {n} 条问题线索指向其他机构({}{});\
         一条问题线索也未记录。请核查该批次的报告行归属后重新检查",
        shown.join("、"),
        if others.len() > shown.len() { " 等" } else { "" }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: &str = "91310113MA1G8XXXX1";
    const OTHER: &str = "91310113MA1G8XXXX2";

    fn reader(role: Role, department: Department, institution: Option<&str>) -> Reader<'_> {
        Reader { role, department, institution }
    }

    #[test]
    fn duty_codes_route_to_their_department() {
        assert_eq!(department_of("MSA-1"), Department::Msa);
        assert_eq!(department_of("EEB-3"), Department::Eeb);
        assert_eq!(department_of("XYZ"), Department::Eeb);
    }

    #[test]
    fn institutions_file_their_own_reports_the_city_feed_and_officers_anyones_and_no_administrator_any() {
        assert_eq!(upload_scope(&reader(Role::Institution, Department::Inst, Some(OWN))), Ok(Some(OWN)));
        assert!(upload_scope(&reader(Role::Institution, Department::Inst, None)).is_err());
        assert_eq!(upload_scope(&reader(Role::Feed, Department::Ops, Some(OWN))), Ok(Some(OWN)));
        assert_eq!(upload_scope(&reader(Role::Feed, Department::Ops, None)), Ok(None));
        assert_eq!(upload_scope(&reader(Role::Officer, Department::Eeb, None)), Ok(None));
        for admin in [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin] {
            assert!(upload_scope(&reader(admin, Department::Ops, None)).is_err());
        }
    }

    #[test]
    fn an_institution_sees_its_own_batches_and_the_errors_of_its_own_reports_only() {
        let inst = reader(Role::Institution, Department::Inst, Some(OWN));
        assert!(may_see_batch(&inst, Some(OWN)));
        assert!(!may_see_batch(&inst, Some(OTHER)) && !may_see_batch(&inst, None));
        assert!(finding_visible(&inst, "error", "OFF-Q01", Some(OWN)));
        assert!(finding_visible(&inst, "error", "OFF-C01", None));
        assert!(!finding_visible(&inst, "error", "OFF-T02", Some(OWN)));
        assert!(!finding_visible(&inst, "error", "OFF-D01", Some(OWN)));
        assert!(!finding_visible(&inst, "warning", "OFF-S01", Some(OWN)));
        assert!(!finding_visible(&inst, "error", "OFF-Q01", Some(OTHER)));
        let officer = reader(Role::Officer, Department::Msa, None);
        assert!(
            may_see_batch(&officer, None) && finding_visible(&officer, "warning", "OFF-S01", Some(OTHER))
        );
        let liaison = reader(Role::Liaison, Department::Water, None);
        assert!(!may_see_findings(&liaison) && !finding_visible(&liaison, "error", "OFF-Q01", None));
    }

    #[test]
    fn findings_naming_another_institution_are_refused_with_every_other_institution_named() {
        assert_eq!(foreign_findings(OWN, [Some(OWN), None]), None);
        let m = foreign_findings(OWN, [Some(OWN), Some(OTHER), Some(OTHER)]).unwrap();
        assert!(m.contains(OWN) && m.contains(OTHER) && m.contains("有 2 条"), "{m}");
    }
}
