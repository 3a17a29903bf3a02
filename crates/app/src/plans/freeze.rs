//! The freeze: the registries as they stand today, read once, made into the pool, the conflicts and
//! the draw's `inputs` by the domain (spec §2), stored with their digest.

use lianjian_domain::plans::pool::{self, DeclaredConflict, FreezeData, Listed, OnDuty, Registered};
use lianjian_domain::plans::{rules, ymd, Plan};
use lianjian_store::audit::{self, Actor, AuditDraft};
use lianjian_store::partner_lists::ListScope;
use lianjian_store::plans as sql;
use lianjian_store::Store;
use serde_json::json;
use time::Date;

use super::{existing, may_act_on, uncountable};
use crate::{App, Result};

impl App {
    /// Freeze a draft today: build the pool and the inspectors from the registries as they stand,
    /// write the `inputs` exactly as spec §2 says, store them with their digest and publish the
    /// entropy declarations. Every participating department must have committed. Audited as
    /// `plan.freeze`.
    pub async fn freeze_plan(&self, actor: &Actor, plan_id: i64) -> Result<Plan> {
        let store = self.store();
        let today = store.today();
        let plan = existing(store.plan(plan_id).await?, plan_id)?;
        may_act_on(&plan, actor)?;
        rules::may_freeze(&plan)?;
        store.calendar().await?.add_working_days(today, plan.due_working_days as u32).map_err(uncountable)?;
        let frozen = pool::build(&plan, today, &freeze_data(store, today).await?)?;

        let mut tx = store.begin().await?;
        // Checked again inside the transaction: two leaders may press the button together.
        let plan = existing(sql::plan_in(&mut tx, plan_id).await?, plan_id)?;
        rules::may_freeze(&plan)?;
        sql::store_freeze(&mut tx, plan_id, &frozen, today, store.now_ms(), &actor.user).await?;
        let plan = existing(sql::plan_in(&mut tx, plan_id).await?, plan_id)?;
        let excluded = frozen.excluded();
        let d = AuditDraft::new(actor, "plan.freeze", "plan", plan.draw_id.clone()).after(json!({
            "inputs_digest": frozen.digest,
            "freeze_on": ymd(today),
            "candidates": frozen.pool.len() - excluded,
            "excluded": excluded,
            "inspectors": frozen.inspectors(),
            "entropy_sources": frozen.inputs["entropy_sources"],
        }));
        audit::append(&mut tx, d, store.now()).await?;
        lianjian_store::commit(tx).await?;
        Ok(plan)
    }
}

/// What a freeze on `day` reads: the registry, the partner lists in force, the grades, the
/// inspectors on duty with their declared conflicts, and every earlier task.
async fn freeze_data(store: &Store, day: Date) -> Result<FreezeData> {
    let registry = store
        .export_registry()
        .await?
        .institutions
        .into_iter()
        .map(|inst| {
            let in_force: Vec<_> = inst.certificates.iter().filter(|c| c.in_force_on(day)).collect();
            let categories = in_force
                .iter()
                .flat_map(|c| {
                    c.scope.iter().filter(|s| s.covers(day)).map(|s| s.category.as_str().to_owned())
                })
                .collect();
            Registered { certified: !in_force.is_empty(), categories, uscc: inst.uscc, name: inst.name }
        })
        .collect();
    let listed = store
        .listed_institutions(ListScope::AsOf(day))
        .await?
        .into_iter()
        .map(|l| Listed { uscc: l.uscc, name: l.name, categories: l.categories, departments: l.departments })
        .collect();
    let inspectors = store
        .active_inspectors_on(day)
        .await?
        .into_iter()
        .map(|i| OnDuty {
            conflicts: i
                .conflicts_on(day)
                .map(|c| DeclaredConflict {
                    institution_uscc: c.institution_uscc.clone(),
                    reason: c.reason.zh(),
                })
                .collect(),
            code: i.code,
            department: i.department,
            specialties: i.specialties,
            max_tasks: i.max_tasks_per_plan,
        })
        .collect();
    Ok(FreezeData {
        registry,
        listed,
        grades: store.grades_on(day).await?,
        inspectors,
        prior_tasks: store.prior_tasks().await?,
    })
}
