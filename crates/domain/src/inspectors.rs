//! The inspector register 检查人员名录库 (R8): the enforcement officers of EEB and MSA who may be
//! drawn for 双随机 inspections, their specialties, when they are on duty, and the conflicts of
//! interest 利害关系 they declared — the draw keeps them away from those institutions (回避,
//! 行政处罚法 第四十三条).
//!
//! Inspectors are never deleted: leaving the pool is a deactivation that closes an active period,
//! and coming back opens a new one, so "who could have been drawn on day D" is always answerable.
//! Conflicts are ended by closing their date range, never removed. This module holds the types and
//! every rule a change must pass; the use cases (`lianjian-app`) apply them and the store persists.

use serde::Serialize;
use time::Date;

use crate::date::{format as day, ymd, ymd_opt};
use crate::invalid::{Invalid, Refusal};
use crate::org::{Category, Department};
use crate::uscc::Uscc;

/// A new inspector, as an officer fills it in.
#[derive(Debug, Clone)]
pub struct NewInspector {
    /// Stable register code, e.g. `EEB-0007`; unique, never reused.
    pub code: String,
    /// EEB or MSA: only the supervising departments inspect.
    pub department: Department,
    pub name: String,
    /// 执法证号: shown with the 随机抽查告知书 (行政处罚法 第四十二条).
    pub enforcement_cert_no: String,
    /// Specialties 专业领域 among the nine categories; may be empty (a generalist).
    pub specialties: Vec<Category>,
    /// Most tasks this inspector may take in one plan's draw.
    pub max_tasks_per_plan: i64,
}

/// Corrections to an inspector's particulars; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct InspectorChanges {
    pub name: Option<String>,
    pub enforcement_cert_no: Option<String>,
    pub specialties: Option<Vec<Category>>,
    pub max_tasks_per_plan: Option<i64>,
}

/// The particulars an inspector has after a creation or a correction, checked and tidied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Particulars {
    pub name: String,
    pub enforcement_cert_no: String,
    /// Sorted, without repeats.
    pub specialties: Vec<Category>,
    pub max_tasks_per_plan: i64,
}

/// Why an inspector must withdraw from an institution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "note", rename_all = "snake_case")]
pub enum ConflictReason {
    /// 曾任职: the inspector used to work there.
    FormerEmployer,
    /// 近亲属: a relative works there.
    Relative,
    /// 其他利害关系, with the inspector's description.
    Other(String),
}

impl ConflictReason {
    pub fn code(&self) -> &'static str {
        match self {
            ConflictReason::FormerEmployer => "former_employer",
            ConflictReason::Relative => "relative",
            ConflictReason::Other(_) => "other",
        }
    }

    pub fn zh(&self) -> String {
        match self {
            ConflictReason::FormerEmployer => "曾在该机构任职".to_owned(),
            ConflictReason::Relative => "近亲属在该机构任职".to_owned(),
            ConflictReason::Other(note) => format!("其他利害关系:{note}"),
        }
    }

    /// The description kept with an `other` reason.
    pub fn note(&self) -> Option<&str> {
        match self {
            ConflictReason::Other(note) => Some(note),
            _ => None,
        }
    }

    /// From its stored or posted parts: the code and, for `other`, the description.
    pub fn from_parts(code: &str, note: Option<String>) -> Option<ConflictReason> {
        match code {
            "former_employer" => Some(ConflictReason::FormerEmployer),
            "relative" => Some(ConflictReason::Relative),
            "other" => Some(ConflictReason::Other(note.unwrap_or_default())),
            _ => None,
        }
    }
}

/// One stretch of duty: active on D when `from <= D` and (`deactivated_on` is `None` or
/// `D < deactivated_on`). `deactivated_on` is the first day no longer active.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivePeriod {
    #[serde(with = "ymd")]
    pub from: Date,
    #[serde(with = "ymd_opt")]
    pub deactivated_on: Option<Date>,
    pub start_note: Option<String>,
    pub end_note: Option<String>,
}

impl ActivePeriod {
    pub fn contains(&self, day: Date) -> bool {
        self.from <= day && self.deactivated_on.is_none_or(|d| day < d)
    }
}

/// A declared conflict of interest, in force from `from` to `to` inclusive (`None`: open).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub id: i64,
    pub institution_uscc: String,
    pub reason: ConflictReason,
    #[serde(with = "ymd")]
    pub from: Date,
    #[serde(with = "ymd_opt")]
    pub to: Option<Date>,
}

impl Conflict {
    pub fn in_force_on(&self, day: Date) -> bool {
        self.from <= day && self.to.is_none_or(|t| day <= t)
    }
}

/// A conflict to declare, checked: the USCC normalised, an `other` reason described, the dates in
/// order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConflict {
    pub institution_uscc: Uscc,
    pub reason: ConflictReason,
    pub from: Date,
    pub to: Option<Date>,
}

/// An inspector with the whole history of duty periods and conflicts, oldest first: the one view of
/// an inspector (pages, API, audit entries, the draw's input).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InspectorView {
    pub id: i64,
    pub code: String,
    pub department: Department,
    pub name: String,
    pub enforcement_cert_no: String,
    pub specialties: Vec<Category>,
    pub max_tasks_per_plan: i64,
    pub periods: Vec<ActivePeriod>,
    pub conflicts: Vec<Conflict>,
}

impl InspectorView {
    pub fn is_active_on(&self, day: Date) -> bool {
        self.periods.iter().any(|p| p.contains(day))
    }

    /// The open period, if the inspector is not (yet) deactivated.
    pub fn open_period(&self) -> Option<&ActivePeriod> {
        self.periods.iter().find(|p| p.deactivated_on.is_none())
    }

    pub fn conflicts_on(&self, day: Date) -> impl Iterator<Item = &Conflict> {
        self.conflicts.iter().filter(move |c| c.in_force_on(day))
    }

    /// The USCCs this inspector must not inspect on `day` — the draw's `conflicts` input.
    pub fn conflict_usccs_on(&self, day: Date) -> Vec<String> {
        let mut v: Vec<String> = self.conflicts_on(day).map(|c| c.institution_uscc.clone()).collect();
        v.sort();
        v.dedup();
        v
    }

    /// Its particulars as they stand.
    pub fn particulars(&self) -> Particulars {
        Particulars {
            name: self.name.clone(),
            enforcement_cert_no: self.enforcement_cert_no.clone(),
            specialties: self.specialties.clone(),
            max_tasks_per_plan: self.max_tasks_per_plan,
        }
    }
}

/// Which inspectors a list shows; all `None` lists everyone, active or not.
#[derive(Debug, Clone, Default)]
pub struct InspectorFilter {
    pub department: Option<Department>,
    pub specialty: Option<Category>,
    pub active_on: Option<Date>,
}

impl InspectorFilter {
    pub fn admits(&self, i: &InspectorView) -> bool {
        self.department.is_none_or(|d| i.department == d)
            && self.specialty.is_none_or(|c| i.specialties.contains(&c))
            && self.active_on.is_none_or(|d| i.is_active_on(d))
    }
}

// ---- rules ----

/// A required text of at most `max` characters, trimmed (`required`, `too_long`).
pub fn text(field: &str, label: &str, value: &str, max: usize) -> Result<String, Invalid> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Invalid::field(field, "required", format!("{label}不能为空")));
    }
    if v.chars().count() > max {
        return Err(Invalid::field(field, "too_long", format!("{label}不能超过 {max} 个字符")));
    }
    Ok(v.to_owned())
}

/// A register code: letters, digits, `-` and `_`, 1–32 long (`bad_inspector_code`).
pub fn check_code(code: &str) -> Result<String, Invalid> {
    let c = code.trim();
    if c.is_empty()
        || c.len() > 32
        || !c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
    {
        return Err(Invalid::field(
            "code",
            "bad_inspector_code",
            "人员编号只能由字母、数字和 - _ 组成,长度 1–32,例如“EEB-0007”",
        ));
    }
    Ok(c.to_owned())
}

fn check_max_tasks(n: i64) -> Result<i64, Invalid> {
    if !(1..=1000).contains(&n) {
        return Err(Invalid::field(
            "max_tasks_per_plan",
            "max_tasks_out_of_range",
            "每个计划最多承担任务数应在 1–1000 之间",
        ));
    }
    Ok(n)
}

fn normalise_specialties(mut v: Vec<Category>) -> Vec<Category> {
    v.sort();
    v.dedup();
    v
}

impl NewInspector {
    /// The code and particulars of a new inspector, or the first field at fault: only EEB and MSA
    /// officers inspect (`department_not_supervising`).
    pub fn check(self) -> Result<(String, Particulars), Invalid> {
        let code = check_code(&self.code)?;
        if !self.department.is_supervisor() {
            return Err(Invalid::field(
                "department",
                "department_not_supervising",
                format!("检查人员只能属于区生态环境局或区市场监管局,不能是“{}”", self.department.zh()),
            ));
        }
        let particulars = Particulars {
            name: text("name", "姓名", &self.name, 64)?,
            enforcement_cert_no: text("enforcement_cert_no", "执法证号", &self.enforcement_cert_no, 64)?,
            max_tasks_per_plan: check_max_tasks(self.max_tasks_per_plan)?,
            specialties: normalise_specialties(self.specialties),
        };
        Ok((code, particulars))
    }
}

impl InspectorChanges {
    /// `current` with these corrections applied, checked as a new inspector's would be.
    pub fn apply(self, current: &InspectorView) -> Result<Particulars, Invalid> {
        Ok(Particulars {
            name: match &self.name {
                Some(n) => text("name", "姓名", n, 64)?,
                None => current.name.clone(),
            },
            enforcement_cert_no: match &self.enforcement_cert_no {
                Some(c) => text("enforcement_cert_no", "执法证号", c, 64)?,
                None => current.enforcement_cert_no.clone(),
            },
            specialties: normalise_specialties(
                self.specialties.unwrap_or_else(|| current.specialties.clone()),
            ),
            max_tasks_per_plan: check_max_tasks(
                self.max_tasks_per_plan.unwrap_or(current.max_tasks_per_plan),
            )?,
        })
    }
}

/// Taking `inspector` out of the pool from `on` (the first inactive day, which may lie ahead): it
/// must be on duty (`inspector_inactive`), and `on` not before the open period began
/// (`deactivation_too_early`). Returns the reason, tidied.
pub fn check_deactivation(inspector: &InspectorView, on: Date, reason: &str) -> Result<String, Refusal> {
    let reason = text("reason", "停用原因", reason, 200)?;
    let open = inspector.open_period().ok_or_else(|| Refusal::State {
        code: "inspector_inactive",
        message: format!("检查人员 {} 已停用,无需再次停用", inspector.code),
    })?;
    if on < open.from {
        return Err(Invalid::field(
            "on",
            "deactivation_too_early",
            format!("停用日期 {} 不能早于本次启用日期 {}", day(on), day(open.from)),
        )
        .into());
    }
    Ok(reason)
}

/// Bringing `inspector` back from `on`: it must be deactivated (`inspector_active`), and `on` not
/// before the last deactivation (`reactivation_too_early`). Returns the note, tidied.
pub fn check_reactivation(inspector: &InspectorView, on: Date, note: &str) -> Result<String, Refusal> {
    let note = text("note", "恢复原因", note, 200)?;
    if inspector.open_period().is_some() {
        return Err(Refusal::State {
            code: "inspector_active",
            message: format!("检查人员 {} 仍在岗,无需恢复", inspector.code),
        });
    }
    let last_end = inspector.periods.iter().filter_map(|p| p.deactivated_on).max();
    if let Some(end) = last_end.filter(|e| on < *e) {
        return Err(Invalid::field(
            "on",
            "reactivation_too_early",
            format!("恢复日期 {} 不能早于停用日期 {}", day(on), day(end)),
        )
        .into());
    }
    Ok(note)
}

/// A conflict as declared, checked: a valid USCC (`bad_uscc`), an `other` reason described
/// (`conflict_note_required`), `to` not before `from` (`to_before_from`).
pub fn check_conflict(
    institution_uscc: &str,
    reason: ConflictReason,
    from: Date,
    to: Option<Date>,
) -> Result<NewConflict, Invalid> {
    let uscc = Uscc::parse(institution_uscc)
        .map_err(|e| Invalid::field("institution_uscc", "bad_uscc", e.to_string()))?;
    let reason = match reason {
        ConflictReason::Other(note) if note.trim().is_empty() => {
            return Err(Invalid::field("reason", "conflict_note_required", "选择“其他”时须说明利害关系"))
        }
        ConflictReason::Other(note) => ConflictReason::Other(note.trim().to_owned()),
        r => r,
    };
    if let Some(t) = to.filter(|t| *t < from) {
        return Err(Invalid::field(
            "to",
            "to_before_from",
            format!("回避截止日期 {} 不能早于开始日期 {}", day(t), day(from)),
        ));
    }
    Ok(NewConflict { institution_uscc: uscc, reason, from, to })
}

/// Ending `conflict` with `last_day` as its last day in force: not before it began
/// (`to_before_from`), not after it already ended (`conflict_ended`).
pub fn check_conflict_end(conflict: &Conflict, last_day: Date) -> Result<(), Invalid> {
    if last_day < conflict.from {
        return Err(Invalid::field(
            "to",
            "to_before_from",
            format!("回避截止日期 {} 不能早于开始日期 {}", day(last_day), day(conflict.from)),
        ));
    }
    if let Some(t) = conflict.to.filter(|t| *t < last_day) {
        return Err(Invalid::field("to", "conflict_ended", format!("该回避记录已于 {} 结束", day(t))));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn new(code: &str, department: Department) -> NewInspector {
        NewInspector {
            code: code.into(),
            department,
            name: " 张伟 ".into(),
            enforcement_cert_no: "沪环执 0001".into(),
            specialties: vec![Category::Soil, Category::Water, Category::Soil],
            max_tasks_per_plan: 3,
        }
    }

    fn view(periods: Vec<ActivePeriod>) -> InspectorView {
        let (code, p) = new("EEB-0001", Department::Eeb).check().unwrap();
        InspectorView {
            id: 1,
            code,
            department: Department::Eeb,
            name: p.name,
            enforcement_cert_no: p.enforcement_cert_no,
            specialties: p.specialties,
            max_tasks_per_plan: p.max_tasks_per_plan,
            periods,
            conflicts: Vec::new(),
        }
    }

    fn period(from: Date, to: Option<Date>) -> ActivePeriod {
        ActivePeriod { from, deactivated_on: to, start_note: None, end_note: None }
    }

    #[test]
    fn a_new_inspector_is_tidied_and_only_a_supervisor_inspects() {
        let (code, p) = new(" EEB-0001 ", Department::Eeb).check().unwrap();
        assert_eq!(code, "EEB-0001");
        assert_eq!(p.name, "张伟");
        assert_eq!(p.specialties, [Category::Water, Category::Soil]);
        let e = new("PLAN-1", Department::Plan).check().unwrap_err();
        assert_eq!((e.field.as_deref(), e.code), (Some("department"), "department_not_supervising"));
        let e = new("EEB 9", Department::Eeb).check().unwrap_err();
        assert_eq!(e.code, "bad_inspector_code");
        let e = NewInspector { max_tasks_per_plan: 0, ..new("E-1", Department::Msa) }.check().unwrap_err();
        assert_eq!(e.code, "max_tasks_out_of_range");
        let e = NewInspector { name: "  ".into(), ..new("E-1", Department::Msa) }.check().unwrap_err();
        assert_eq!((e.field.as_deref(), e.code), (Some("name"), "required"));
    }

    #[test]
    fn deactivation_and_reactivation_follow_the_periods() {
        let on_duty = view(vec![period(date!(2025 - 01 - 01), None)]);
        assert_eq!(check_deactivation(&on_duty, date!(2025 - 06 - 01), " 调离 "), Ok("调离".into()));
        let early = check_deactivation(&on_duty, date!(2024 - 12 - 31), "调离").unwrap_err();
        assert!(matches!(early, Refusal::Invalid(i) if i.code == "deactivation_too_early"));
        assert!(matches!(
            check_reactivation(&on_duty, date!(2025 - 06 - 01), "返岗"),
            Err(Refusal::State { code: "inspector_active", .. })
        ));
        let off = view(vec![period(date!(2025 - 01 - 01), Some(date!(2025 - 06 - 01)))]);
        assert!(matches!(
            check_deactivation(&off, date!(2025 - 07 - 01), "x"),
            Err(Refusal::State { code: "inspector_inactive", .. })
        ));
        let early = check_reactivation(&off, date!(2025 - 05 - 01), "返岗").unwrap_err();
        assert!(matches!(early, Refusal::Invalid(i) if i.code == "reactivation_too_early"));
        assert!(check_reactivation(&off, date!(2025 - 06 - 01), "返岗").is_ok());
        assert!(off.is_active_on(date!(2025 - 05 - 31)) && !off.is_active_on(date!(2025 - 06 - 01)));
    }

    #[test]
    fn conflicts_need_a_valid_code_a_description_and_dates_in_order() {
        let d = date!(2025 - 01 - 01);
        let c = check_conflict(" 91110000600037341l ", ConflictReason::Relative, d, None).unwrap();
        assert_eq!(c.institution_uscc.as_str(), "91110000600037341L");
        let e = check_conflict("91110000600037341N", ConflictReason::Relative, d, None).unwrap_err();
        assert_eq!((e.field.as_deref(), e.code), (Some("institution_uscc"), "bad_uscc"));
        let e = check_conflict("91110000600037341L", ConflictReason::Other(" ".into()), d, None).unwrap_err();
        assert_eq!(e.code, "conflict_note_required");
        let e =
            check_conflict("91110000600037341L", ConflictReason::Relative, d, Some(date!(2024 - 12 - 31)))
                .unwrap_err();
        assert_eq!(e.code, "to_before_from");
        let ended = Conflict {
            id: 1,
            institution_uscc: "91110000600037341L".into(),
            reason: ConflictReason::Relative,
            from: d,
            to: Some(date!(2025 - 06 - 30)),
        };
        assert_eq!(check_conflict_end(&ended, date!(2025 - 07 - 01)).unwrap_err().code, "conflict_ended");
        assert!(check_conflict_end(&ended, date!(2025 - 03 - 01)).is_ok());
        assert_eq!(check_conflict_end(&ended, date!(2024 - 03 - 01)).unwrap_err().code, "to_before_from");
    }

    #[test]
    fn reasons_round_trip_through_their_parts() {
        for r in
            [ConflictReason::FormerEmployer, ConflictReason::Relative, ConflictReason::Other("配偶".into())]
        {
            assert_eq!(ConflictReason::from_parts(r.code(), r.note().map(str::to_owned)), Some(r));
        }
        assert_eq!(ConflictReason::from_parts("friend", None), None);
    }
}
