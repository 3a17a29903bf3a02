//! The draw meeting: reveals, the public value, the draw itself with its tasks, and recusals 回避.

use std::collections::HashMap;

use lianjian_domain::calendar::Calendar;
use lianjian_domain::deadlines::DeadlineKind;
use lianjian_domain::org::Department;
use lianjian_draw::{DrawError, Record};
use serde::Serialize;
use serde_json::json;
use sqlx::{AnyConnection, Row};
use time::Date;

use super::query::{current_record, inputs_of, load_plan, record_sha256};
use super::{invalid, Plan, PlanError, PlanStatus, StoredRecord};
use crate::audit::{self, Actor, AuditDraft};
use crate::deadlines::NewDeadline;
use crate::inspectors::{day_text, decode};
use crate::{Store, StoreError};

/// What entering one entropy value led to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RevealOutcome {
    /// Accepted; these sources (labels) are still missing.
    Waiting { missing: Vec<String> },
    /// Every value was in and the draw ran: the record is published and the tasks exist.
    Drawn { targets: usize },
    /// Every value was in but the draw failed (the engine's message); nothing was drawn and the
    /// plan stays frozen. A new version has to be made.
    Failed { message: String },
}

fn not_found(id: i64) -> PlanError {
    PlanError::Store(StoreError::NotFound(format!("计划 {id}")))
}

fn must_be_frozen(plan: &Plan) -> Result<(), PlanError> {
    match plan.status {
        PlanStatus::Frozen if plan.draw_error.is_none() => Ok(()),
        PlanStatus::Frozen => Err(PlanError::State("本计划的抽取已失败,请以新版本重新编制".into())),
        PlanStatus::Draft => {
            Err(PlanError::State("计划尚未冻结:冻结并公布输入摘要后才能揭示秘密或录入公开随机数".into()))
        }
        other => Err(PlanError::State(format!("计划{},不能再录入随机数", other.zh()))),
    }
}

/// The Chinese message of a failed draw, with what to do next.
fn failure_message(e: &DrawError) -> String {
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

impl Store {
    /// A department leader reveals the department's secret at the draw meeting. A secret that
    /// does not match the published commitment is refused ([`PlanError::WrongReveal`]) and the
    /// refusal audited as `plan.reveal_refused` (the wrong value is not kept); a matching one is
    /// stored and audited as `plan.reveal`. When it is the last value, the draw runs.
    pub async fn reveal_secret(
        &self,
        actor: &Actor,
        plan_id: i64,
        department: Department,
        secret: &str,
        cal: &Calendar,
        today: Date,
    ) -> Result<RevealOutcome, PlanError> {
        let mut tx = self.begin().await?;
        let plan = load_plan(&mut tx, plan_id).await?.ok_or_else(|| not_found(plan_id))?;
        must_be_frozen(&plan)?;
        let Some(decl) =
            plan.entropy.iter().find(|e| e.kind == "department-secret" && e.label == department.code())
        else {
            return Err(invalid("department", format!("{}未参加本计划,没有要揭示的秘密", department.zh())));
        };
        if decl.value.is_some() {
            return Err(PlanError::State(format!("{}的秘密已经揭示", department.zh())));
        }
        let commitment = decl.commitment.clone().unwrap_or_default();
        if !lianjian_draw::check_reveal(&commitment, secret) {
            let d = AuditDraft::new(actor, "plan.reveal_refused", "plan", plan.draw_id.clone())
                .after(json!({"department": department.code(), "commitment": commitment}))
                .note("揭示值与承诺值不符,不予接受");
            audit::append(&mut tx, d, self.now()).await?;
            crate::commit(tx).await?;
            return Err(PlanError::WrongReveal { label: department.zh().to_owned() });
        }
        self.accept_value(&mut tx, actor, &plan, decl.pos, secret, "plan.reveal").await?;
        let outcome = self.draw_if_complete(&mut tx, actor, plan_id, cal, today).await?;
        crate::commit(tx).await?;
        Ok(outcome)
    }

    /// A leader enters the declared public value (e.g. the lottery result) once it is known.
    /// Audited as `plan.public_value`. When it is the last value, the draw runs.
    pub async fn enter_public_value(
        &self,
        actor: &Actor,
        plan_id: i64,
        value: &str,
        cal: &Calendar,
        today: Date,
    ) -> Result<RevealOutcome, PlanError> {
        let value = value.trim();
        if value.is_empty() {
            return Err(invalid("value", "请填写公开随机数的值(如开奖号码)"));
        }
        if value.chars().count() > 200 {
            return Err(invalid("value", "公开随机数的值不能超过 200 个字符"));
        }
        let mut tx = self.begin().await?;
        let plan = load_plan(&mut tx, plan_id).await?.ok_or_else(|| not_found(plan_id))?;
        must_be_frozen(&plan)?;
        let Some(decl) = plan.entropy.iter().find(|e| e.kind == "public") else {
            return Err(invalid("value", "本计划没有声明公开随机数来源"));
        };
        if decl.value.is_some() {
            return Err(PlanError::State(format!("公开随机数“{}”已经录入", decl.label)));
        }
        self.accept_value(&mut tx, actor, &plan, decl.pos, value, "plan.public_value").await?;
        let outcome = self.draw_if_complete(&mut tx, actor, plan_id, cal, today).await?;
        crate::commit(tx).await?;
        Ok(outcome)
    }

    async fn accept_value(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        plan: &Plan,
        pos: i64,
        value: &str,
        action: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE plan_entropy SET value = $1, revealed_by = $2, revealed_at = $3 WHERE plan_id = $4 AND pos = $5")
            .bind(value)
            .bind(&actor.user)
            .bind(self.now_ms())
            .bind(plan.id)
            .bind(pos)
            .execute(&mut *conn)
            .await?;
        let label = plan.entropy.iter().find(|e| e.pos == pos).map(|e| e.label.clone()).unwrap_or_default();
        let d = AuditDraft::new(actor, action, "plan", plan.draw_id.clone())
            .after(json!({"source": pos, "label": label, "value": value}));
        audit::append(conn, d, self.now()).await?;
        Ok(())
    }

    /// Runs the draw when every value is in: stores the record (seq 1), publishes the plan and
    /// creates one task per target, due `due_working_days` working days after `today`. A failed
    /// draw stores its message and nothing else.
    async fn draw_if_complete(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        plan_id: i64,
        cal: &Calendar,
        today: Date,
    ) -> Result<RevealOutcome, PlanError> {
        let plan = load_plan(conn, plan_id).await?.ok_or_else(|| not_found(plan_id))?;
        let missing: Vec<String> =
            plan.entropy.iter().filter(|e| e.value.is_none()).map(|e| e.label.clone()).collect();
        if !missing.is_empty() {
            return Ok(RevealOutcome::Waiting { missing });
        }
        let inputs =
            inputs_of(conn, plan_id).await?.ok_or_else(|| PlanError::State("计划没有冻结的输入".into()))?;
        let entropy: Vec<String> = plan.entropy.iter().filter_map(|e| e.value.clone()).collect();
        let due = cal
            .add_working_days(today, plan.due_working_days as u32)
            .map_err(|e| PlanError::State(format!("无法计算检查任务期限:{e}")))?;
        let record = match lianjian_draw::run(&inputs, &entropy) {
            Ok(r) => r,
            Err(e) => {
                let message = failure_message(&e);
                sqlx::query("UPDATE plans SET draw_error = $1 WHERE id = $2")
                    .bind(&message)
                    .bind(plan_id)
                    .execute(&mut *conn)
                    .await?;
                let d = AuditDraft::new(actor, "plan.draw_failed", "plan", plan.draw_id.clone())
                    .after(json!({"inputs_digest": plan.inputs_digest, "error": e.to_string()}));
                audit::append(conn, d, self.now()).await?;
                return Ok(RevealOutcome::Failed { message });
            }
        };
        let value = serde_json::to_value(&record).map_err(|e| decode(e.to_string()))?;
        let sha = record_sha256(&value);
        let now = self.now_ms();
        sqlx::query(
            "INSERT INTO plan_records (plan_id, seq, kind, record_json, record_sha256, note, created_at, created_by) \
             VALUES ($1, 1, 'draw', $2, $3, NULL, $4, $5)",
        )
        .bind(plan_id)
        .bind(value.to_string())
        .bind(&sha)
        .bind(now)
        .bind(&actor.user)
        .execute(&mut *conn)
        .await?;
        sqlx::query("UPDATE plans SET status = 'drawn', drawn_on = $1, drawn_at = $2 WHERE id = $3")
            .bind(day_text(today))
            .bind(now)
            .bind(plan_id)
            .execute(&mut *conn)
            .await?;
        let names: HashMap<String, String> =
            sqlx::query("SELECT institution_uscc, name FROM plan_pool WHERE plan_id = $1")
                .bind(plan_id)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect::<Result<_, sqlx::Error>>()?;
        for (t, team) in record.targets.iter().zip(&record.teams) {
            let row = sqlx::query(
                "INSERT INTO plan_tasks (plan_id, target_order, institution_uscc, institution_name, stratum, due_on, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(plan_id)
            .bind(t.order as i64)
            .bind(&t.id)
            .bind(names.get(&t.id).cloned().unwrap_or_default())
            .bind(&t.stratum)
            .bind(day_text(due.value))
            .bind(now)
            .fetch_one(&mut *conn)
            .await?;
            let task_id: i64 = row.try_get(0)?;
            let deadline = NewDeadline {
                kind: DeadlineKind::TaskDue,
                subject_id: task_id,
                departments: &plan.departments,
                start: today,
                working_days: plan.due_working_days as u32,
                due,
            };
            crate::deadlines::record(conn, deadline, now).await?;
            for (slot, member) in team.members.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO plan_task_members (task_id, slot, inspector_code) VALUES ($1, $2, $3)",
                )
                .bind(task_id)
                .bind(slot as i64)
                .bind(member)
                .execute(&mut *conn)
                .await?;
            }
        }
        let d = AuditDraft::new(actor, "plan.draw", "plan", plan.draw_id.clone()).after(json!({
            "inputs_digest": record.inputs_digest,
            "seed": record.seed,
            "record_sha256": sha,
            "targets": record.targets.len(),
            "due_on": day_text(due.value),
            "due_on_provisional": due.provisional,
        }));
        audit::append(conn, d, self.now()).await?;
        Ok(RevealOutcome::Drawn { targets: record.targets.len() })
    }

    /// A team member withdraws 回避 from a target after the draw: the replacement is drawn by
    /// `lianjian_draw::recuse` from the record's own seed, the new record is appended (the old
    /// ones stay) and the task's team updated. Audited as `plan.recusal`. A recusal that cannot
    /// be made changes nothing.
    pub async fn recuse(
        &self,
        actor: &Actor,
        plan_id: i64,
        target_uscc: &str,
        inspector_code: &str,
        reason: &str,
    ) -> Result<StoredRecord, PlanError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(invalid("reason", "请说明回避的理由(利害关系或其他情形)"));
        }
        let mut tx = self.begin().await?;
        let plan = load_plan(&mut tx, plan_id).await?.ok_or_else(|| not_found(plan_id))?;
        if plan.status != PlanStatus::Drawn {
            return Err(PlanError::State(format!("计划{},没有可回避的抽取结果", plan.status.zh())));
        }
        let current = current_record(&mut tx, plan_id)
            .await?
            .ok_or_else(|| PlanError::State("计划没有抽取记录".into()))?;
        if let Err(problem) = super::query::check_record(&plan, &current) {
            return Err(PlanError::State(format!("当前记录未通过核验,不能在其上回避:{problem}")));
        }
        let record: Record =
            serde_json::from_value(current.record.clone()).map_err(|e| decode(format!("record: {e}")))?;
        let next = lianjian_draw::recuse(&record, target_uscc, inspector_code).map_err(|e| match e {
            DrawError::Recusal { field, .. } if field == "target" => {
                invalid("target", format!("机构 {target_uscc} 不是本计划抽中的检查对象"))
            }
            DrawError::Recusal { .. } => {
                invalid("inspector", format!("检查人员 {inspector_code} 不在机构 {target_uscc} 的检查组中"))
            }
            DrawError::Unstaffable { .. } => PlanError::State(format!(
                "没有符合条件的检查人员可以替补(回避、轮换或任务数已满),记录未改变。请由计划负责人另行处理该岗位。引擎原文:{e}"
            )),
            other => PlanError::State(format!("回避未能完成,记录未改变:{other}")),
        })?;
        let entry = next.recusals.last().cloned().ok_or_else(|| decode("recusal missing".into()))?;
        let value = serde_json::to_value(&next).map_err(|e| decode(e.to_string()))?;
        let sha = record_sha256(&value);
        let seq = current.seq + 1;
        sqlx::query(
            "INSERT INTO plan_records (plan_id, seq, kind, record_json, record_sha256, note, created_at, created_by) \
             VALUES ($1, $2, 'recusal', $3, $4, $5, $6, $7)",
        )
        .bind(plan_id)
        .bind(seq)
        .bind(value.to_string())
        .bind(&sha)
        .bind(reason)
        .bind(self.now_ms())
        .bind(&actor.user)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE plan_task_members SET inspector_code = $1 WHERE slot = $2 AND task_id = \
             (SELECT id FROM plan_tasks WHERE plan_id = $3 AND institution_uscc = $4)",
        )
        .bind(&entry.replacement)
        .bind(entry.slot as i64)
        .bind(plan_id)
        .bind(target_uscc)
        .execute(&mut *tx)
        .await?;
        let d = AuditDraft::new(actor, "plan.recusal", "plan", plan.draw_id.clone())
            .after(json!({
                "target": entry.target, "withdrawn": entry.withdrawn, "replacement": entry.replacement,
                "slot": entry.slot, "label": entry.label, "record_seq": seq, "record_sha256": sha,
            }))
            .note(reason);
        audit::append(&mut tx, d, self.now()).await?;
        let stored =
            current_record(&mut tx, plan_id).await?.ok_or_else(|| decode("record missing".into()))?;
        crate::commit(tx).await?;
        Ok(stored)
    }
}
