//! The draw meeting: reveals, the public value, the draw itself with its tasks and their deadlines,
//! and recusals 回避.

use lianjian_domain::calendar::Calendar;
use lianjian_domain::deadlines::DeadlineKind;
use lianjian_domain::org::Department;
use lianjian_domain::plans::{access, engine, rules, ymd, Plan, RecordKind, RevealOutcome, StoredRecord};
use lianjian_store::audit::{self, Actor, AuditDraft};
use lianjian_store::deadlines::{self, NewDeadline};
use lianjian_store::plans::{self as sql, NewTask};
use lianjian_store::{Conn, Store};
use serde_json::json;
use time::Date;

use super::{acting, existing, may_act_on, uncountable};
use crate::{App, Error, Result};

fn internal(e: impl std::fmt::Display) -> Error {
    Error::Internal(e.to_string())
}

impl App {
    /// A department leader reveals the department's secret at the draw meeting. A secret that does
    /// not match the published commitment is refused (`wrong_reveal`) and the refusal audited as
    /// `plan.reveal_refused` (the wrong value is not kept); a matching one is stored and audited as
    /// `plan.reveal`. When it is the last value, the draw runs.
    pub async fn reveal_secret(
        &self,
        actor: &Actor,
        plan_id: i64,
        department: Department,
        secret: &str,
    ) -> Result<RevealOutcome> {
        access::may_act_for(department, acting(actor))?;
        let store = self.store();
        let calendar = store.calendar().await?;
        let mut tx = store.begin().await?;
        let plan = existing(sql::plan_in(&mut tx, plan_id).await?, plan_id)?;
        may_act_on(&plan, actor)?;
        let decl = rules::secret_to_reveal(&plan, department)?;
        let commitment = decl.commitment.clone().unwrap_or_default();
        if !engine::check_reveal(&commitment, secret) {
            let d = AuditDraft::new(actor, "plan.reveal_refused", "plan", plan.draw_id.clone())
                .after(json!({"department": department.code(), "commitment": commitment}))
                .note("揭示值与承诺值不符,不予接受");
            audit::append(&mut tx, d, store.now()).await?;
            lianjian_store::commit(tx).await?;
            return Err(rules::wrong_reveal(department).into());
        }
        accept_value(store, &mut tx, actor, &plan, decl.pos, secret, "plan.reveal").await?;
        let outcome = draw_if_complete(store, &mut tx, actor, plan_id, &calendar).await?;
        lianjian_store::commit(tx).await?;
        Ok(outcome)
    }

    /// A leader enters the declared public value (e.g. the lottery result) once it is known. Audited
    /// as `plan.public_value`. When it is the last value, the draw runs.
    pub async fn enter_public_value(
        &self,
        actor: &Actor,
        plan_id: i64,
        value: &str,
    ) -> Result<RevealOutcome> {
        let value = rules::check_public_value(value)?;
        let store = self.store();
        let calendar = store.calendar().await?;
        let mut tx = store.begin().await?;
        let plan = existing(sql::plan_in(&mut tx, plan_id).await?, plan_id)?;
        may_act_on(&plan, actor)?;
        let decl = rules::public_to_enter(&plan)?;
        accept_value(store, &mut tx, actor, &plan, decl.pos, value, "plan.public_value").await?;
        let outcome = draw_if_complete(store, &mut tx, actor, plan_id, &calendar).await?;
        lianjian_store::commit(tx).await?;
        Ok(outcome)
    }

    /// A team member withdraws 回避 from a target after the draw (`inspector` `None`: the caller's
    /// own linked inspector), or a leader of a participating department records it for them: the
    /// replacement is drawn by the engine from the record's own seed, the new record is appended (the
    /// old ones stay) and the task's team updated. Audited as `plan.recusal`. A recusal that cannot be
    /// made changes nothing.
    pub async fn recuse(
        &self,
        actor: &Actor,
        plan_id: i64,
        target_uscc: &str,
        inspector: Option<&str>,
        reason: &str,
    ) -> Result<StoredRecord> {
        let reason = rules::check_recusal_reason(reason)?;
        let target = target_uscc.trim();
        let store = self.store();
        let own = store.inspector_of_user(&actor.user).await?;
        let inspector = match inspector.map(str::trim).filter(|c| !c.is_empty()) {
            Some(code) => code.to_owned(),
            None => own.clone().ok_or_else(|| {
                Error::invalid(
                    "inspector",
                    "inspector_not_linked",
                    "您的账户没有关联检查人员,请联系科室负责人",
                )
            })?,
        };
        let mut tx = store.begin().await?;
        let plan = existing(sql::plan_in(&mut tx, plan_id).await?, plan_id)?;
        access::may_recuse(&plan, acting(actor), own.as_deref(), &inspector)?;
        let current = sql::current_record_in(&mut tx, plan_id)
            .await?
            .ok_or_else(|| Error::state("plan_state", "计划没有抽取记录"))?;
        if let Err(problem) = rules::check_record(&plan, &current) {
            let message = format!("当前记录未通过核验,不能在其上回避:{problem}");
            return Err(Error::state("record_unverified", message));
        }
        let record: engine::Record = serde_json::from_value(current.record.clone()).map_err(internal)?;
        let next = engine::recuse(&record, target, &inspector)
            .map_err(|e| rules::recusal_refusal(&e, target, &inspector))?;
        let entry = next.recusals.last().cloned().ok_or_else(|| internal("recusal missing"))?;
        let value = serde_json::to_value(&next).map_err(internal)?;
        let sha = rules::record_sha256(&value);
        let seq = current.seq + 1;
        let now = store.now_ms();
        sql::insert_record(
            &mut tx,
            plan_id,
            seq,
            RecordKind::Recusal,
            &value,
            &sha,
            Some(reason),
            now,
            &actor.user,
        )
        .await?;
        sql::replace_member(&mut tx, plan_id, target, entry.slot as i64, &entry.replacement).await?;
        let d = AuditDraft::new(actor, "plan.recusal", "plan", plan.draw_id.clone())
            .after(json!({
                "target": entry.target, "withdrawn": entry.withdrawn, "replacement": entry.replacement,
                "slot": entry.slot, "label": entry.label, "record_seq": seq, "record_sha256": sha,
            }))
            .note(reason);
        audit::append(&mut tx, d, store.now()).await?;
        let stored =
            sql::current_record_in(&mut tx, plan_id).await?.ok_or_else(|| internal("record missing"))?;
        lianjian_store::commit(tx).await?;
        Ok(stored)
    }
}

async fn accept_value(
    store: &Store,
    conn: &mut Conn,
    actor: &Actor,
    plan: &Plan,
    pos: i64,
    value: &str,
    action: &str,
) -> Result<()> {
    sql::set_value(conn, plan.id, pos, value, &actor.user, store.now_ms()).await?;
    let label = plan.entropy.iter().find(|e| e.pos == pos).map(|e| e.label.clone()).unwrap_or_default();
    let d = AuditDraft::new(actor, action, "plan", plan.draw_id.clone())
        .after(json!({"source": pos, "label": label, "value": value}));
    audit::append(conn, d, store.now()).await?;
    Ok(())
}

/// Runs the draw when every value is in: stores the record (seq 1), publishes the plan and makes
/// one task per target with its deadline, due `due_working_days` working days after today. A
/// failed draw stores its message and nothing else.
async fn draw_if_complete(
    store: &Store,
    conn: &mut Conn,
    actor: &Actor,
    plan_id: i64,
    calendar: &Calendar,
) -> Result<RevealOutcome> {
    let today: Date = store.today();
    let plan = existing(sql::plan_in(conn, plan_id).await?, plan_id)?;
    let missing = plan.missing_values();
    if !missing.is_empty() {
        return Ok(RevealOutcome::Waiting { missing });
    }
    let inputs = sql::inputs_in(conn, plan_id)
        .await?
        .ok_or_else(|| Error::state("plan_state", "计划没有冻结的输入"))?;
    let entropy: Vec<String> = plan.entropy.iter().filter_map(|e| e.value.clone()).collect();
    let due = calendar.add_working_days(today, plan.due_working_days as u32).map_err(uncountable)?;
    let record = match engine::run(&inputs, &entropy) {
        Ok(r) => r,
        Err(e) => {
            let message = rules::draw_failure_message(&e);
            sql::set_draw_error(conn, plan_id, &message).await?;
            let d = AuditDraft::new(actor, "plan.draw_failed", "plan", plan.draw_id.clone())
                .after(json!({"inputs_digest": plan.inputs_digest, "error": e.to_string()}));
            audit::append(conn, d, store.now()).await?;
            return Ok(RevealOutcome::Failed { message });
        }
    };
    let value = serde_json::to_value(&record).map_err(internal)?;
    let sha = rules::record_sha256(&value);
    let now = store.now_ms();
    sql::insert_record(conn, plan_id, 1, RecordKind::Draw, &value, &sha, None, now, &actor.user).await?;
    sql::mark_drawn(conn, plan_id, today, now).await?;
    let names = sql::pool_names_in(conn, plan_id).await?;
    for (t, team) in record.targets.iter().zip(&record.teams) {
        let task = NewTask {
            plan_id,
            target_order: t.order as i64,
            institution_uscc: &t.id,
            institution_name: names.get(&t.id).map_or("", String::as_str),
            stratum: &t.stratum,
            due_on: due.value,
            members: &team.members,
        };
        let task_id = sql::insert_task(conn, task, now).await?;
        let deadline = NewDeadline {
            kind: DeadlineKind::TaskDue,
            subject_id: task_id,
            departments: &plan.departments,
            start: today,
            working_days: plan.due_working_days as u32,
            due,
        };
        deadlines::record(conn, deadline, now).await?;
    }
    let d = AuditDraft::new(actor, "plan.draw", "plan", plan.draw_id.clone()).after(json!({
        "inputs_digest": record.inputs_digest,
        "seed": record.seed,
        "record_sha256": sha,
        "targets": record.targets.len(),
        "due_on": ymd(due.value),
        "due_on_provisional": due.provisional,
    }));
    audit::append(conn, d, store.now()).await?;
    Ok(RevealOutcome::Drawn { targets: record.targets.len() })
}

#[cfg(test)]
mod tests {
    use lianjian_store::audit::Actor;

    use super::super::acting;
    use lianjian_domain::org::Department;
    use lianjian_domain::plans::access::Acting;

    #[test]
    fn only_the_system_actor_is_the_platform() {
        assert_eq!(acting(&Actor::system("demo")), Acting::Platform);
        let leader = Actor { user: "l".into(), department: "MSA".into(), role: "leader".into(), ip: None };
        assert_eq!(acting(&leader), Acting::Person { department: Department::Msa, leader: true });
        let odd = Actor { user: "x".into(), department: "??".into(), role: "admin".into(), ip: None };
        assert_eq!(acting(&odd), Acting::Person { department: Department::Ops, leader: false });
    }
}
