//! Making a plan: creation, the department leaders' commitments, and new versions.

use lianjian_domain::org::Department;
use lianjian_domain::plans::{access, engine, rules, NewPlan, Plan, PlanSettings};
use lianjian_store::audit::{self, Actor, AuditDraft};
use lianjian_store::plans as sql;
use serde_json::json;

use super::{acting, existing, may_act_on};
use crate::{App, Result};

impl App {
    /// Create a plan (version 1, draft). Ratios, the yearly cap, the team minimum and the due days
    /// are the parameters in force today unless given. Audited as `plan.create`.
    pub async fn create_plan(&self, actor: &Actor, new: NewPlan) -> Result<Plan> {
        let store = self.store();
        let today = store.today();
        let params = store.param_set().await?;
        let items: Vec<_> =
            store.items(Some(today)).await?.into_iter().map(|i| (i.code, i.department)).collect();
        let s = rules::check_new_plan(new, acting(actor), &items, &params, today)?;
        let mut tx = store.begin().await?;
        let prefix = format!("{}-{}-", s.period, s.departments_label());
        let code = format!("{prefix}{:02}", sql::plan_codes_in(&mut tx, &prefix).await? + 1);
        let id = sql::insert_version(&mut tx, &code, 1, &s, store.now_ms(), &actor.user).await?;
        let plan = existing(sql::plan_in(&mut tx, id).await?, id)?;
        let draft = AuditDraft::new(actor, "plan.create", "plan", plan.draw_id.clone())
            .after(serde_json::to_value(&plan).unwrap_or_default());
        audit::append(&mut tx, draft, store.now()).await?;
        lianjian_store::commit(tx).await?;
        Ok(plan)
    }

    /// A department leader commits to a secret before the freeze: only its SHA-256 is stored and
    /// shown. May be replaced while the plan is a draft. Audited as `plan.commit` (with the
    /// commitment, never the secret).
    pub async fn commit_secret(
        &self,
        actor: &Actor,
        plan_id: i64,
        department: Department,
        secret: &str,
    ) -> Result<Plan> {
        rules::check_secret(secret)?;
        self.commit_commitment(actor, plan_id, department, &engine::commitment(secret)).await
    }

    /// [`App::commit_secret`] for a commitment computed elsewhere (lowercase hex SHA-256 of the
    /// secret's UTF-8 bytes), so that the secret never reaches the server before the meeting.
    pub async fn commit_commitment(
        &self,
        actor: &Actor,
        plan_id: i64,
        department: Department,
        commitment: &str,
    ) -> Result<Plan> {
        let c = rules::check_commitment(commitment)?;
        access::may_act_for(department, acting(actor))?;
        let store = self.store();
        let mut tx = store.begin().await?;
        let plan = existing(sql::plan_in(&mut tx, plan_id).await?, plan_id)?;
        may_act_on(&plan, actor)?;
        let decl = rules::secret_to_commit(&plan, department)?;
        sql::set_commitment(&mut tx, plan_id, decl.pos, c, &actor.user, store.now_ms()).await?;
        let mut d = AuditDraft::new(actor, "plan.commit", "plan", plan.draw_id.clone())
            .after(json!({"department": department.code(), "commitment": c}));
        if let Some(old) = &decl.commitment {
            d = d.before(json!({"department": department.code(), "commitment": old}));
        }
        audit::append(&mut tx, d, store.now()).await?;
        let plan = existing(sql::plan_in(&mut tx, plan_id).await?, plan_id)?;
        lianjian_store::commit(tx).await?;
        Ok(plan)
    }

    /// Start a new version of a plan that has not been drawn (a draft, or a frozen plan whose draw
    /// failed or must be corrected): same settings, fresh entropy declarations (new secrets are
    /// needed); the old version becomes superseded. Audited as `plan.replan`.
    pub async fn replan(&self, actor: &Actor, plan_id: i64, note: &str) -> Result<Plan> {
        let store = self.store();
        let mut tx = store.begin().await?;
        let old = existing(sql::plan_in(&mut tx, plan_id).await?, plan_id)?;
        may_act_on(&old, actor)?;
        rules::may_replan(&old, note)?;
        let version = sql::max_version_in(&mut tx, &old.code).await? + 1;
        let id = sql::insert_version(
            &mut tx,
            &old.code,
            version,
            &PlanSettings::of(&old),
            store.now_ms(),
            &actor.user,
        )
        .await?;
        sql::supersede(&mut tx, plan_id, id).await?;
        let plan = existing(sql::plan_in(&mut tx, id).await?, id)?;
        let d = AuditDraft::new(actor, "plan.replan", "plan", plan.draw_id.clone())
            .before(
                json!({"plan": old.draw_id, "status": old.status.code(), "inputs_digest": old.inputs_digest}),
            )
            .after(serde_json::to_value(&plan).unwrap_or_default())
            .note(note.trim());
        audit::append(&mut tx, d, store.now()).await?;
        lianjian_store::commit(tx).await?;
        Ok(plan)
    }
}
