//! Reading plans, their pools, conflicts, records and tasks: what the leaders' pages, the public
//! portal and the API show.

use lianjian_domain::plans::access::{self, TaskScope};
use lianjian_domain::plans::rules;
use lianjian_domain::plans::{Plan, PlanConflict, PoolEntry, StoredRecord, Task};
use lianjian_store::audit::Actor;
use lianjian_store::plans::TaskFilter;
use lianjian_store::Store;
use serde_json::Value;

use super::{acting, existing};
use crate::{App, Error, Result};

/// One page of tasks, with how many there are in all.
#[derive(Debug, Clone)]
pub struct TaskPage {
    pub rows: Vec<Task>,
    pub total: i64,
}

impl App {
    /// One plan version with its entropy declarations.
    pub async fn plan(&self, id: i64) -> Result<Plan> {
        existing(self.store().plan(id).await?, id)
    }

    /// A plan the public may see: frozen or later (drafts are internal).
    pub async fn published_plan(&self, id: i64) -> Result<Plan> {
        self.store()
            .plan(id)
            .await?
            .filter(Plan::is_published)
            .ok_or_else(|| Error::NotFound(format!("抽查计划 {id} 不存在或尚未公布")))
    }

    /// Plans, newest first; drafts only when asked (the public sees frozen plans and later).
    pub async fn plans(&self, include_drafts: bool) -> Result<Vec<Plan>> {
        Ok(self.store().plans(include_drafts).await?)
    }

    /// The frozen `inputs` of a plan (spec §2), exactly as stored; `None` before the freeze.
    pub async fn plan_inputs(&self, id: i64) -> Result<Option<Value>> {
        Ok(self.store().plan_inputs(id).await?)
    }

    /// The pool as frozen: candidates and those left out (with why), by USCC.
    pub async fn plan_pool(&self, id: i64) -> Result<Vec<PoolEntry>> {
        Ok(self.store().plan_pool(id).await?)
    }

    /// Why each conflict of the frozen inputs is there.
    pub async fn plan_conflicts(&self, id: i64) -> Result<Vec<PlanConflict>> {
        Ok(self.store().plan_conflicts(id).await?)
    }

    /// The current (latest) record of a drawn plan.
    pub async fn plan_record(&self, id: i64) -> Result<Option<StoredRecord>> {
        Ok(self.store().plan_record(id).await?)
    }

    /// Every stored record of a plan, oldest first (the draw, then one per recusal).
    pub async fn plan_records(&self, id: i64) -> Result<Vec<StoredRecord>> {
        Ok(self.store().plan_records(id).await?)
    }

    /// Check the current stored record of a plan ([`rules::check_record`]): `Err` carries a Chinese
    /// sentence naming the first problem.
    pub async fn check_plan_record(&self, id: i64) -> Result<Result<(), String>> {
        let plan = self.plan(id).await?;
        let Some(stored) = self.store().plan_record(id).await? else {
            return Ok(Err("该计划尚未产生抽查结果记录".into()));
        };
        Ok(rules::check_record(&plan, &stored))
    }

    /// All tasks of a plan, in target order.
    pub async fn plan_tasks(&self, plan_id: i64) -> Result<Vec<Task>> {
        Ok(self.store().plan_tasks(plan_id).await?)
    }

    /// One task.
    pub async fn task(&self, id: i64) -> Result<Task> {
        self.store().task(id).await?.ok_or_else(|| Error::NotFound(format!("检查任务 {id} 不存在")))
    }

    /// The tasks whose current team includes this inspector, newest plan first.
    pub async fn tasks_for_inspector(&self, code: &str) -> Result<Vec<Task>> {
        Ok(self.store().tasks_for_inspector(code).await?)
    }

    /// The tasks `actor` sees ([`access::task_scope`]), newest draw first: a page of them and the total.
    pub async fn visible_tasks(&self, actor: &Actor, limit: i64, offset: i64) -> Result<TaskPage> {
        let Some(filter) = task_filter(self.store(), actor).await? else {
            return Ok(TaskPage { rows: Vec::new(), total: 0 });
        };
        let store = self.store();
        Ok(TaskPage {
            rows: store.tasks(&filter, limit, offset).await?,
            total: store.count_tasks(&filter).await?,
        })
    }

    /// One task `actor` sees; a task they may not see is not found.
    pub async fn visible_task(&self, actor: &Actor, id: i64) -> Result<Task> {
        let not_found = || Error::NotFound(format!("检查任务 {id} 不存在或不在您的任务范围内"));
        let filter = task_filter(self.store(), actor).await?.ok_or_else(not_found)?;
        let filter = TaskFilter { task_id: Some(id), ..filter };
        self.store().tasks(&filter, 1, 0).await?.pop().ok_or_else(not_found)
    }
}

/// The tasks `actor` sees as a filter ([`access::task_scope`]); `None`: none at all.
async fn task_filter(store: &Store, actor: &Actor) -> Result<Option<TaskFilter>> {
    let own = store.inspector_of_user(&actor.user).await?;
    Ok(match access::task_scope(acting(actor), own.as_deref()) {
        TaskScope::All => Some(TaskFilter::default()),
        TaskScope::Department(d) => Some(TaskFilter { department: Some(d), ..TaskFilter::default() }),
        TaskScope::Inspector(code) => Some(TaskFilter { inspector: Some(code), ..TaskFilter::default() }),
        TaskScope::Nothing => None,
    })
}
