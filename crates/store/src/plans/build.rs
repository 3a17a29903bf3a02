//! Making a plan: creation, the department leaders' commitments, and new versions.

use lianjian_domain::org::Department;
use lianjian_domain::params::{ParamKey, ParamSet};
use serde_json::json;
use sqlx::{AnyConnection, Row};
use time::Date;

use super::query::load_plan;
use super::{invalid, Grade, NewPlan, Plan, PlanError, PlanStatus, StratumRatio};
use crate::audit::{self, Actor, AuditDraft};
use crate::inspectors::day_text;
use crate::{Store, StoreError};

/// `2026-H2`, `2026-H1`, `2026-Q1`…`2026-Q4` or `2026`.
pub(crate) fn check_period(p: &str) -> Result<String, PlanError> {
    let p = p.trim().to_uppercase();
    let year = p.get(..4).unwrap_or("");
    let ok_year = year.len() == 4 && year.bytes().all(|c| c.is_ascii_digit()) && year >= "2000";
    let rest = p.get(4..).unwrap_or("");
    let ok_rest = matches!(rest, "" | "-H1" | "-H2" | "-Q1" | "-Q2" | "-Q3" | "-Q4");
    if !(ok_year && ok_rest) {
        return Err(invalid("period", "计划期间应写作“2026-H2”(下半年)、“2026-H1”、“2026-Q3”或“2026”"));
    }
    Ok(p)
}

fn departments_label(ds: &[Department]) -> &'static str {
    match ds {
        [Department::Eeb] => "EEB",
        [Department::Msa] => "MSA",
        _ => "JOINT",
    }
}

pub(crate) fn departments_json(ds: &[Department]) -> String {
    serde_json::Value::Array(ds.iter().map(|d| json!(d.code())).collect()).to_string()
}

/// Insert the entropy declarations of a new plan version: one secret per department (in
/// department order), then the public source if any.
async fn insert_entropy(
    conn: &mut AnyConnection,
    plan_id: i64,
    departments: &[Department],
    public_label: Option<&str>,
) -> Result<(), StoreError> {
    let mut pos = 0i64;
    for d in departments {
        sqlx::query("INSERT INTO plan_entropy (plan_id, pos, kind, label) VALUES ($1, $2, $3, $4)")
            .bind(plan_id)
            .bind(pos)
            .bind("department-secret")
            .bind(d.code())
            .execute(&mut *conn)
            .await?;
        pos += 1;
    }
    if let Some(label) = public_label {
        sqlx::query("INSERT INTO plan_entropy (plan_id, pos, kind, label) VALUES ($1, $2, $3, $4)")
            .bind(plan_id)
            .bind(pos)
            .bind("public")
            .bind(label)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The settings of a plan, checked and with defaults filled in.
struct Settings {
    period: String,
    title: String,
    departments: Vec<Department>,
    items: Vec<String>,
    team_size: i64,
    year_cap: i64,
    due_working_days: i64,
    public_label: Option<String>,
    strata: Vec<StratumRatio>,
}

impl Store {
    async fn check_settings(
        &self,
        params: &ParamSet,
        new: NewPlan,
        today: Date,
    ) -> Result<Settings, PlanError> {
        let period = check_period(&new.period)?;
        let mut departments = new.departments;
        departments.sort();
        departments.dedup();
        if departments.is_empty() {
            return Err(invalid("departments", "请选择参加抽查的部门(区生态环境局、区市场监管局或两者联合)"));
        }
        if let Some(d) = departments.iter().find(|d| !d.is_supervisor()) {
            return Err(invalid(
                "departments",
                format!("只有区生态环境局和区市场监管局组织抽查,不能选择{}", d.zh()),
            ));
        }
        let in_force = self.items(Some(today)).await?;
        let mut items: Vec<String> =
            new.items.iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
        items.sort();
        items.dedup();
        if items.is_empty() {
            return Err(invalid("items", "请从随机抽查事项清单中至少选择一项检查事项"));
        }
        for code in &items {
            match in_force.iter().find(|i| &i.code == code) {
                None => {
                    return Err(invalid(
                        "items",
                        format!("检查事项 {code} 不在 {} 有效的抽查事项清单中", day_text(today)),
                    ))
                }
                Some(i) if !departments.contains(&i.department) => {
                    return Err(invalid(
                        "items",
                        format!("检查事项 {code} 属于{},该部门未参加本计划", i.department.zh()),
                    ))
                }
                Some(_) => {}
            }
        }
        let legal_min = params.value_on(ParamKey::MinInspectorsPerInspection, today);
        let team_size = new.team_size.unwrap_or(legal_min.max(departments.len() as i64));
        if team_size < legal_min {
            return Err(invalid(
                "team_size",
                format!("每组检查人员不得少于 {legal_min} 人(《行政处罚法》第四十二条)"),
            ));
        }
        if team_size < departments.len() as i64 {
            return Err(invalid("team_size", "联合抽查每组至少要有区生态环境局和区市场监管局各一人"));
        }
        if team_size > 10 {
            return Err(invalid("team_size", "每组检查人员不超过 10 人"));
        }
        let year_cap = new.year_cap.unwrap_or_else(|| params.value_on(ParamKey::InspectionCapPerYear, today));
        if !(1..=100).contains(&year_cap) {
            return Err(invalid("year_cap", "同一机构每年抽查次数上限应在 1–100 之间"));
        }
        let due_working_days =
            new.due_working_days.unwrap_or_else(|| params.value_on(ParamKey::InspectionTaskDeadline, today));
        if !(1..=250).contains(&due_working_days) {
            return Err(invalid("due_working_days", "检查任务期限应在 1–250 个工作日之间"));
        }
        let public_label = new.public_label.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        if public_label.as_ref().is_some_and(|l| l.chars().count() > 100) {
            return Err(invalid("public_label", "公开随机数来源的名称不能超过 100 个字符"));
        }
        let who = match departments.as_slice() {
            [Department::Eeb] => "区生态环境局",
            [Department::Msa] => "区市场监管局",
            _ => "联合",
        };
        let title = match new.title.trim() {
            "" => format!("{period} {who}“双随机、一公开”抽查计划"),
            t if t.chars().count() > 200 => return Err(invalid("title", "计划名称不能超过 200 个字符")),
            t => t.to_owned(),
        };
        let strata = Grade::ALL
            .iter()
            .map(|&grade| StratumRatio { grade, permille: params.value_on(grade.ratio_key(), today) })
            .collect();
        Ok(Settings {
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

    async fn insert_version(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        code: &str,
        version: i64,
        s: &Settings,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO plans (code, version, period, title, departments, items, team_size, year_cap, \
             due_working_days, public_label, status, strata, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'draft', $11, $12, $13) RETURNING id",
        )
        .bind(code)
        .bind(version)
        .bind(&s.period)
        .bind(&s.title)
        .bind(departments_json(&s.departments))
        .bind(serde_json::to_string(&s.items).unwrap_or_default())
        .bind(s.team_size)
        .bind(s.year_cap)
        .bind(s.due_working_days)
        .bind(s.public_label.as_deref())
        .bind(serde_json::to_string(&s.strata).unwrap_or_default())
        .bind(self.now_ms())
        .bind(&actor.user)
        .fetch_one(&mut *conn)
        .await?;
        let id: i64 = row.try_get(0)?;
        insert_entropy(conn, id, &s.departments, s.public_label.as_deref()).await?;
        Ok(id)
    }

    /// Create a plan (version 1, draft). Ratios, the yearly cap, the team minimum and the due days
    /// are the parameters in force on `today` unless given. Audited as `plan.create`.
    pub async fn create_plan(
        &self,
        actor: &Actor,
        params: &ParamSet,
        new: NewPlan,
        today: Date,
    ) -> Result<Plan, PlanError> {
        let s = self.check_settings(params, new, today).await?;
        let mut tx = self.begin().await?;
        let prefix = format!("{}-{}-", s.period, departments_label(&s.departments));
        let n: i64 = sqlx::query("SELECT COUNT(DISTINCT code) FROM plans WHERE code LIKE $1")
            .bind(format!("{prefix}%"))
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        let code = format!("{prefix}{:02}", n + 1);
        let id = self.insert_version(&mut tx, actor, &code, 1, &s).await?;
        let plan = load_plan(&mut tx, id).await?.ok_or_else(|| StoreError::NotFound(format!("计划 {id}")))?;
        let draft = AuditDraft::new(actor, "plan.create", "plan", plan.draw_id.clone())
            .after(serde_json::to_value(&plan).unwrap_or_default());
        audit::append(&mut tx, draft, self.now()).await?;
        crate::commit(tx).await?;
        Ok(plan)
    }

    /// A department leader commits to a secret before the freeze: only its SHA-256 is stored
    /// and shown. May be replaced while the plan is a draft. Audited as `plan.commit` (with the
    /// commitment, never the secret).
    pub async fn commit_secret(
        &self,
        actor: &Actor,
        plan_id: i64,
        department: Department,
        secret: &str,
    ) -> Result<Plan, PlanError> {
        if secret.chars().count() < 8 {
            return Err(invalid(
                "secret",
                "秘密至少 8 个字符;建议用 16 位以上随机字符,揭示前请妥善保管,不要告诉任何人",
            ));
        }
        if secret.chars().count() > 200 {
            return Err(invalid("secret", "秘密不能超过 200 个字符"));
        }
        self.commit_commitment(actor, plan_id, department, &lianjian_draw::commitment(secret)).await
    }

    /// [`Store::commit_secret`] for a commitment computed elsewhere (lowercase hex SHA-256 of the
    /// secret's UTF-8 bytes), so that the secret never reaches the server before the meeting.
    pub async fn commit_commitment(
        &self,
        actor: &Actor,
        plan_id: i64,
        department: Department,
        commitment: &str,
    ) -> Result<Plan, PlanError> {
        let c = commitment.trim();
        if c.len() != 64 || !c.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return Err(invalid("commitment", "承诺值应为 64 位小写十六进制 SHA-256"));
        }
        let mut tx = self.begin().await?;
        let plan = load_plan(&mut tx, plan_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("计划 {plan_id}")))?;
        if plan.status != PlanStatus::Draft {
            return Err(PlanError::State(format!("计划已{},承诺值不能再提交或更改", plan.status.zh())));
        }
        let Some(decl) =
            plan.entropy.iter().find(|e| e.kind == "department-secret" && e.label == department.code())
        else {
            return Err(invalid("department", format!("{}未参加本计划,无需提交秘密", department.zh())));
        };
        sqlx::query("UPDATE plan_entropy SET commitment = $1, committed_by = $2, committed_at = $3 WHERE plan_id = $4 AND pos = $5")
            .bind(c)
            .bind(&actor.user)
            .bind(self.now_ms())
            .bind(plan_id)
            .bind(decl.pos)
            .execute(&mut *tx)
            .await?;
        let mut d = AuditDraft::new(actor, "plan.commit", "plan", plan.draw_id.clone())
            .after(json!({"department": department.code(), "commitment": c}));
        if let Some(old) = &decl.commitment {
            d = d.before(json!({"department": department.code(), "commitment": old}));
        }
        audit::append(&mut tx, d, self.now()).await?;
        let plan = load_plan(&mut tx, plan_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("计划 {plan_id}")))?;
        crate::commit(tx).await?;
        Ok(plan)
    }

    /// Start a new version of a plan that has not been drawn (a draft, or a frozen plan whose
    /// draw failed or must be corrected): same settings, fresh entropy declarations (new secrets
    /// are needed); the old version becomes superseded. Audited as `plan.replan`.
    pub async fn replan(&self, actor: &Actor, plan_id: i64, note: &str) -> Result<Plan, PlanError> {
        let note = note.trim();
        if note.is_empty() {
            return Err(invalid("note", "请说明重新编制的原因"));
        }
        let mut tx = self.begin().await?;
        let old = load_plan(&mut tx, plan_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("计划 {plan_id}")))?;
        if !matches!(old.status, PlanStatus::Draft | PlanStatus::Frozen) {
            return Err(PlanError::State(format!("计划{},不能重新编制", old.status.zh())));
        }
        let version: i64 = sqlx::query("SELECT MAX(version) FROM plans WHERE code = $1")
            .bind(&old.code)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        let s = Settings {
            period: old.period.clone(),
            title: old.title.clone(),
            departments: old.departments.clone(),
            items: old.items.clone(),
            team_size: old.team_size,
            year_cap: old.year_cap,
            due_working_days: old.due_working_days,
            public_label: old.public_label.clone(),
            strata: old.strata.clone(),
        };
        let id = self.insert_version(&mut tx, actor, &old.code, version + 1, &s).await?;
        sqlx::query("UPDATE plans SET status = 'superseded', superseded_by = $1 WHERE id = $2")
            .bind(id)
            .bind(plan_id)
            .execute(&mut *tx)
            .await?;
        let plan = load_plan(&mut tx, id).await?.ok_or_else(|| StoreError::NotFound(format!("计划 {id}")))?;
        let d = AuditDraft::new(actor, "plan.replan", "plan", plan.draw_id.clone())
            .before(
                json!({"plan": old.draw_id, "status": old.status.code(), "inputs_digest": old.inputs_digest}),
            )
            .after(serde_json::to_value(&plan).unwrap_or_default())
            .note(note);
        audit::append(&mut tx, d, self.now()).await?;
        crate::commit(tx).await?;
        Ok(plan)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn periods_are_checked_without_slicing_inside_a_character() {
        assert_eq!(super::check_period(" 2026-h2 ").unwrap(), "2026-H2");
        assert!(super::check_period("2026").is_ok());
        for bad in ["下半年", "2026H2", "1999-H1", "2026-H3", "20", "２０２６-H1"] {
            assert!(super::check_period(bad).is_err(), "{bad}");
        }
    }
}
