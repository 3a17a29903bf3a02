//! The rules of a plan that need no database: what a new plan may be, which step is allowed in
//! which state, and how a draw's or a recusal's failure is told (who may take a step: [`super::access`]). Each refusal has a
//! stable code (`docs/errors.md`) and a Chinese sentence saying what to do.

use serde_json::Value;
use time::Date;

use super::access::Acting;
use super::engine::DrawError;
use super::{
    engine, ymd, EntropyDecl, Grade, NewPlan, Plan, PlanSettings, PlanStatus, Refusal, StoredRecord,
    StratumRatio,
};
use crate::invalid::Invalid;
use crate::org::Department;
use crate::params::{ParamKey, ParamSet};

/// `2026-H2`, `2026-H1`, `2026-Q1`…`2026-Q4` or `2026`, in any case; returned upper-case.
pub fn check_period(p: &str) -> Result<String, Invalid> {
    let p = p.trim().to_uppercase();
    let year = p.get(..4).unwrap_or("");
    let ok_year = year.len() == 4 && year.bytes().all(|c| c.is_ascii_digit()) && year >= "2000";
    let rest = p.get(4..).unwrap_or("");
    let ok_rest = matches!(rest, "" | "-H1" | "-H2" | "-Q1" | "-Q2" | "-Q3" | "-Q4");
    if !(ok_year && ok_rest) {
        return Err(Invalid::field(
            "period",
            "bad_period",
            "计划期间应写作“2026-H2”(下半年)、“2026-H1”、“2026-Q3”或“2026”",
        ));
    }
    Ok(p)
}

/// Check a new plan on `today` against the item list in force that day (`(code, department)` of
/// each item) and the parameters; fill in the defaults. A person may only plan for a set of
/// departments that includes their own.
pub fn check_new_plan(
    new: NewPlan,
    acting: Acting,
    items_in_force: &[(String, Department)],
    params: &ParamSet,
    today: Date,
) -> Result<PlanSettings, Invalid> {
    let bad = |field: &str, code, message: String| Err(Invalid::field(field, code, message));
    let mut departments = new.departments;
    if let Acting::Person { department, .. } = acting {
        if !departments.is_empty() && !departments.contains(&department) {
            return bad("departments", "own_department_required", "只能编制本部门参加的抽查计划".into());
        }
    }
    let period = check_period(&new.period)?;
    departments.sort();
    departments.dedup();
    if departments.is_empty() {
        return bad(
            "departments",
            "departments_required",
            "请选择参加抽查的部门(区生态环境局、区市场监管局或两者联合)".into(),
        );
    }
    if let Some(d) = departments.iter().find(|d| !d.is_supervisor()) {
        return bad(
            "departments",
            "department_not_supervisor",
            format!("只有区生态环境局和区市场监管局组织抽查,不能选择{}", d.zh()),
        );
    }
    let mut items: Vec<String> =
        new.items.iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
    items.sort();
    items.dedup();
    if items.is_empty() {
        return bad("items", "items_required", "请从随机抽查事项清单中至少选择一项检查事项".into());
    }
    for code in &items {
        match items_in_force.iter().find(|(c, _)| c == code) {
            None => {
                let msg = format!("检查事项 {code} 不在 {} 有效的抽查事项清单中", ymd(today));
                return bad("items", "item_not_in_force", msg);
            }
            Some((_, d)) if !departments.contains(d) => {
                let msg = format!("检查事项 {code} 属于{},该部门未参加本计划", d.zh());
                return bad("items", "item_of_other_department", msg);
            }
            Some(_) => {}
        }
    }
    let legal_min = params.value_on(ParamKey::MinInspectorsPerInspection, today);
    let team_size = new.team_size.unwrap_or(legal_min.max(departments.len() as i64));
    if team_size < legal_min {
        let msg = format!("每组检查人员不得少于 {legal_min} 人(《行政处罚法》第四十二条)");
        return bad("team_size", "team_below_legal_minimum", msg);
    }
    if team_size < departments.len() as i64 {
        let msg = "联合抽查每组至少要有区生态环境局和区市场监管局各一人".into();
        return bad("team_size", "team_below_departments", msg);
    }
    if team_size > 10 {
        return bad("team_size", "team_too_large", "每组检查人员不超过 10 人".into());
    }
    let year_cap = new.year_cap.unwrap_or_else(|| params.value_on(ParamKey::InspectionCapPerYear, today));
    if !(1..=100).contains(&year_cap) {
        return bad("year_cap", "bad_year_cap", "同一机构每年抽查次数上限应在 1–100 之间".into());
    }
    let due_working_days =
        new.due_working_days.unwrap_or_else(|| params.value_on(ParamKey::InspectionTaskDeadline, today));
    if !(1..=250).contains(&due_working_days) {
        return bad("due_working_days", "bad_due_working_days", "检查任务期限应在 1–250 个工作日之间".into());
    }
    let public_label = new.public_label.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    if public_label.as_ref().is_some_and(|l| l.chars().count() > 100) {
        return bad(
            "public_label",
            "public_label_too_long",
            "公开随机数来源的名称不能超过 100 个字符".into(),
        );
    }
    let who = match departments.as_slice() {
        [Department::Eeb] => "区生态环境局",
        [Department::Msa] => "区市场监管局",
        _ => "联合",
    };
    let title = match new.title.trim() {
        "" => format!("{period} {who}“双随机、一公开”抽查计划"),
        t if t.chars().count() > 200 => {
            return bad("title", "title_too_long", "计划名称不能超过 200 个字符".into())
        }
        t => t.to_owned(),
    };
    let strata = Grade::ALL
        .iter()
        .map(|&grade| StratumRatio { grade, permille: params.value_on(grade.ratio_key(), today) })
        .collect();
    Ok(PlanSettings {
        period,
        title,
        departments,
        items,
        team_size,
        year_cap,
        due_working_days,
        public_label,
        strata,
    })
}

/// A secret to commit to: 8 to 200 characters.
pub fn check_secret(secret: &str) -> Result<(), Invalid> {
    let n = secret.chars().count();
    if n < 8 {
        return Err(Invalid::field(
            "secret",
            "secret_too_short",
            "秘密至少 8 个字符;建议用 16 位以上随机字符,揭示前请妥善保管,不要告诉任何人",
        ));
    }
    if n > 200 {
        return Err(Invalid::field("secret", "secret_too_long", "秘密不能超过 200 个字符"));
    }
    Ok(())
}

/// A commitment computed elsewhere: lowercase hex SHA-256 of the secret's UTF-8 bytes.
pub fn check_commitment(commitment: &str) -> Result<&str, Invalid> {
    let c = commitment.trim();
    if c.len() != 64 || !c.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(Invalid::field("commitment", "bad_commitment", "承诺值应为 64 位小写十六进制 SHA-256"));
    }
    Ok(c)
}

/// The declaration `department` commits to: only while the plan is a draft.
pub fn secret_to_commit(plan: &Plan, department: Department) -> Result<&EntropyDecl, Refusal> {
    if plan.status != PlanStatus::Draft {
        return Err(Refusal::state(
            "plan_state",
            format!("计划已{},承诺值不能再提交或更改", plan.status.zh()),
        ));
    }
    plan.secret_of(department).ok_or_else(|| {
        Refusal::invalid(
            "department",
            "department_not_in_plan",
            format!("{}未参加本计划,无需提交秘密", department.zh()),
        )
    })
}

/// A draft may be frozen once every participating department has committed.
pub fn may_freeze(plan: &Plan) -> Result<(), Refusal> {
    if plan.status != PlanStatus::Draft {
        return Err(Refusal::state("plan_state", format!("计划{},不能再次冻结", plan.status.zh())));
    }
    let missing: Vec<&str> = plan
        .entropy
        .iter()
        .filter(|e| e.kind == super::EntropyKind::DepartmentSecret && e.commitment.is_none())
        .map(|e| e.label.parse::<Department>().map(|d| d.zh()).unwrap_or(e.label.as_str()))
        .collect();
    if !missing.is_empty() {
        return Err(Refusal::state(
            "commitments_missing",
            format!("{}尚未提交秘密的承诺值,不能冻结", missing.join("、")),
        ));
    }
    Ok(())
}

/// Values are entered only into a frozen plan whose draw has not failed.
fn must_be_frozen(plan: &Plan) -> Result<(), Refusal> {
    match plan.status {
        PlanStatus::Frozen if plan.draw_error.is_none() => Ok(()),
        PlanStatus::Frozen => Err(Refusal::state("draw_failed", "本计划的抽取已失败,请以新版本重新编制")),
        PlanStatus::Draft => {
            Err(Refusal::state("plan_state", "计划尚未冻结:冻结并公布输入摘要后才能揭示秘密或录入公开随机数"))
        }
        other => Err(Refusal::state("plan_state", format!("计划{},不能再录入随机数", other.zh()))),
    }
}

/// The declaration whose secret `department` reveals now.
pub fn secret_to_reveal(plan: &Plan, department: Department) -> Result<&EntropyDecl, Refusal> {
    must_be_frozen(plan)?;
    let decl = plan.secret_of(department).ok_or_else(|| {
        Refusal::invalid(
            "department",
            "department_not_in_plan",
            format!("{}未参加本计划,没有要揭示的秘密", department.zh()),
        )
    })?;
    if decl.value.is_some() {
        return Err(Refusal::state("plan_state", format!("{}的秘密已经揭示", department.zh())));
    }
    Ok(decl)
}

/// A public value as entered: trimmed, 1 to 200 characters.
pub fn check_public_value(value: &str) -> Result<&str, Invalid> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Invalid::field("value", "value_required", "请填写公开随机数的值(如开奖号码)"));
    }
    if value.chars().count() > 200 {
        return Err(Invalid::field("value", "value_too_long", "公开随机数的值不能超过 200 个字符"));
    }
    Ok(value)
}

/// The declared public source whose value is entered now.
pub fn public_to_enter(plan: &Plan) -> Result<&EntropyDecl, Refusal> {
    must_be_frozen(plan)?;
    let decl = plan
        .public_source()
        .ok_or_else(|| Refusal::invalid("value", "no_public_source", "本计划没有声明公开随机数来源"))?;
    if decl.value.is_some() {
        return Err(Refusal::state("plan_state", format!("公开随机数“{}”已经录入", decl.label)));
    }
    Ok(decl)
}

/// The wrong-reveal refusal: the secret does not match the commitment published at the freeze.
pub fn wrong_reveal(department: Department) -> Invalid {
    Invalid::field(
        "secret",
        "wrong_reveal",
        format!(
            "“{}”揭示的秘密与冻结时公布的承诺值不符,不予接受。请核对后重新输入(区分大小写、全半角和空格)",
            department.zh()
        ),
    )
}

/// The Chinese message of a failed draw, with what to do next.
pub fn draw_failure_message(e: &DrawError) -> String {
    let what = match e {
        DrawError::Unstaffable { target, slot, department } => format!(
            "抽中的机构 {target} 的第 {} 个检查岗位{}找不到符合条件的检查人员(回避、轮换或任务数已满)",
            slot + 1,
            department
                .as_deref()
                .and_then(|d| d.parse::<Department>().ok())
                .map(|d| format!("({})", d.zh()))
                .unwrap_or_default()
        ),
        other => other.to_string(),
    };
    format!(
        "抽取失败:{what}。未产生任何抽取结果,计划仍为“已冻结”。请补充检查人员或调整组队规则后以新版本重新编制(新版本的输入摘要会改变)。引擎原文:{e}"
    )
}

/// A new version may be made of a plan not yet drawn, with the reason.
pub fn may_replan(plan: &Plan, note: &str) -> Result<(), Refusal> {
    if note.trim().is_empty() {
        return Err(Refusal::invalid("note", "note_required", "请说明重新编制的原因"));
    }
    if !matches!(plan.status, PlanStatus::Draft | PlanStatus::Frozen) {
        return Err(Refusal::state("plan_state", format!("计划{},不能重新编制", plan.status.zh())));
    }
    Ok(())
}

/// The reason of a recusal, trimmed and required.
pub fn check_recusal_reason(reason: &str) -> Result<&str, Invalid> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Invalid::field("reason", "reason_required", "请说明回避的理由(利害关系或其他情形)"));
    }
    Ok(reason)
}

/// How the engine's refusal of a recusal is told.
pub fn recusal_refusal(e: &DrawError, target: &str, inspector: &str) -> Refusal {
    match e {
        DrawError::Recusal { field, .. } if field == "target" => {
            Refusal::invalid("target", "not_a_target", format!("机构 {target} 不是本计划抽中的检查对象"))
        }
        DrawError::Recusal { .. } => Refusal::invalid(
            "inspector",
            "not_on_team",
            format!("检查人员 {inspector} 不在机构 {target} 的检查组中"),
        ),
        DrawError::Unstaffable { .. } => Refusal::state(
            "no_replacement",
            format!(
                "没有符合条件的检查人员可以替补(回避、轮换或任务数已满),记录未改变。请由计划负责人另行处理该岗位。引擎原文:{e}"
            ),
        ),
        other => Refusal::state("recusal_failed", format!("回避未能完成,记录未改变:{other}")),
    }
}

/// SHA-256 of a record's canonical JSON (RFC 8785), lowercase hex.
pub fn record_sha256(record: &Value) -> String {
    // The engine's digest is exactly SHA-256 of the canonical JSON of a value.
    engine::inputs_digest(record).unwrap_or_default()
}

/// Check a stored record of `plan`: it must verify (spec §6 and the recusal rules), carry the digest
/// published at the freeze and the entropy values entered at the meeting, and still hash to what was
/// stored. `Err` is a Chinese sentence naming the first problem.
pub fn check_record(plan: &Plan, stored: &StoredRecord) -> Result<(), String> {
    engine::verify(&stored.record).map_err(|e| format!("记录未通过验证:{e}"))?;
    if stored.record.get("inputs_digest").and_then(Value::as_str) != plan.inputs_digest.as_deref() {
        return Err("记录的输入摘要(inputs_digest)与冻结时公布的不一致".into());
    }
    let entered: Vec<Option<&str>> = plan.entropy.iter().map(|e| e.value.as_deref()).collect();
    let in_record: Vec<Option<&str>> = stored
        .record
        .get("entropy")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(Value::as_str).collect())
        .unwrap_or_default();
    if entered != in_record {
        return Err("记录中的随机数与抽取会上揭示、录入的不一致".into());
    }
    if record_sha256(&stored.record) != stored.record_sha256 {
        return Err("存储的记录与写入时的摘要不符:记录在写入后被改动过".into());
    }
    Ok(())
}

/// The basis of a hand-set grade: 1 to 500 characters.
pub fn check_grade_basis(basis: &str) -> Result<&str, Invalid> {
    let basis = basis.trim();
    if basis.is_empty() {
        return Err(Invalid::field("basis", "basis_required", "请写明设定信用等级的依据"));
    }
    if basis.chars().count() > 500 {
        return Err(Invalid::field("basis", "basis_too_long", "依据不能超过 500 个字符"));
    }
    Ok(basis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_checked_without_slicing_inside_a_character() {
        assert_eq!(check_period(" 2026-h2 ").unwrap(), "2026-H2");
        assert!(check_period("2026").is_ok());
        for bad in ["下半年", "2026H2", "1999-H1", "2026-H3", "20", "２０２６-H1"] {
            assert_eq!(check_period(bad).unwrap_err().code, "bad_period", "{bad}");
        }
    }

    #[test]
    fn secrets_and_commitments_have_their_shape() {
        assert_eq!(check_secret("短").unwrap_err().code, "secret_too_short");
        assert!(check_secret("八个字符的秘密啊").is_ok());
        assert_eq!(check_commitment("ABC").unwrap_err().code, "bad_commitment");
        assert!(check_commitment(&engine::commitment("x")).is_ok());
    }

    #[test]
    fn a_person_plans_only_with_their_own_department() {
        let new =
            NewPlan { period: "2026-H2".into(), departments: vec![Department::Msa], ..NewPlan::default() };
        let eeb = Acting::Person { department: Department::Eeb, leader: true };
        let day = time::macros::date!(2026 - 07 - 01);
        let e = check_new_plan(new.clone(), eeb, &[], &ParamSet::defaults(), day).unwrap_err();
        assert_eq!(e.code, "own_department_required");
        let e = check_new_plan(new, Acting::Platform, &[], &ParamSet::defaults(), day).unwrap_err();
        assert_eq!(e.code, "items_required");
    }
}
