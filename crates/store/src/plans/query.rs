//! Reading plans, their entropy, pools, conflicts, records and tasks, the grades and the inspector
//! accounts: methods on [`Store`], and `*_in` functions for reads inside the caller's transaction.

use std::collections::HashMap;

use lianjian_domain::org::Department;
use lianjian_domain::plans::pool::PriorTask;
use lianjian_domain::plans::{Grade, GradeEntry, Plan, PlanConflict, PoolEntry, StoredRecord, Task};
use serde_json::Value;
use sqlx::{AnyConnection, Row};
use time::Date;

use super::rows::{self, decode, ENTROPY_COLUMNS, MEMBER_SELECT, PLAN_COLUMNS, RECORD_COLUMNS, TASK_SELECT};
use crate::sql::{bind_all, day_opt, limit_offset, placeholders, ymd, Cell, IN_CHUNK};
use crate::{Result, Store};

/// Which tasks [`Store::tasks`] reads; every `None` is no restriction.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub task_id: Option<i64>,
    pub plan_id: Option<i64>,
    /// Tasks whose current team includes this inspector.
    pub inspector: Option<String>,
    /// Tasks of plans this department takes part in.
    pub department: Option<Department>,
}

impl TaskFilter {
    fn clause(&self) -> (String, Vec<Cell>) {
        let mut parts = Vec::new();
        let mut binds = Vec::new();
        let mut add = |sql: &str, cell: Cell| {
            binds.push(cell);
            parts.push(sql.replace('?', &format!("${}", binds.len())));
        };
        if let Some(id) = self.task_id {
            add("t.id = ?", id.into());
        }
        if let Some(id) = self.plan_id {
            add("t.plan_id = ?", id.into());
        }
        if let Some(code) = &self.inspector {
            add(
                "t.id IN (SELECT task_id FROM plan_task_members WHERE inspector_code = ?)",
                code.as_str().into(),
            );
        }
        if let Some(d) = self.department {
            // `departments` is a JSON array of codes: `["EEB","MSA"]`.
            add("p.departments LIKE ?", format!("%\"{}\"%", d.code()).into());
        }
        let clause = if parts.is_empty() { String::new() } else { format!(" WHERE {}", parts.join(" AND ")) };
        (clause, binds)
    }
}

/// One plan version with its entropy declarations, in the caller's transaction.
pub async fn plan_in(conn: &mut AnyConnection, id: i64) -> Result<Option<Plan>> {
    let sql = format!("SELECT {PLAN_COLUMNS} FROM plans WHERE id = $1");
    let Some(row) = sqlx::query(&sql).bind(id).fetch_optional(&mut *conn).await? else {
        return Ok(None);
    };
    let mut plan = rows::plan(&row)?;
    let sql = format!("SELECT {ENTROPY_COLUMNS} FROM plan_entropy WHERE plan_id = $1 ORDER BY pos");
    let rows = sqlx::query(&sql).bind(id).fetch_all(&mut *conn).await?;
    plan.entropy = rows.iter().map(rows::entropy).collect::<Result<_>>()?;
    Ok(Some(plan))
}

/// The frozen `inputs` of a plan, raw; `None` before the freeze.
pub async fn inputs_in(conn: &mut AnyConnection, id: i64) -> Result<Option<Value>> {
    let row =
        sqlx::query("SELECT inputs_json FROM plans WHERE id = $1").bind(id).fetch_one(&mut *conn).await?;
    let text: Option<String> = row.try_get(0)?;
    text.map(|t| serde_json::from_str(&t).map_err(|e| decode(format!("inputs_json: {e}")))).transpose()
}

/// The current (latest) record of a plan.
pub async fn current_record_in(conn: &mut AnyConnection, plan_id: i64) -> Result<Option<StoredRecord>> {
    let sql =
        format!("SELECT {RECORD_COLUMNS} FROM plan_records WHERE plan_id = $1 ORDER BY seq DESC LIMIT 1");
    let row = sqlx::query(&sql).bind(plan_id).fetch_optional(&mut *conn).await?;
    row.as_ref().map(rows::record).transpose()
}

/// The names of the institutions of a plan's frozen pool, by USCC.
pub async fn pool_names_in(conn: &mut AnyConnection, plan_id: i64) -> Result<HashMap<String, String>> {
    let rows = sqlx::query("SELECT institution_uscc, name FROM plan_pool WHERE plan_id = $1")
        .bind(plan_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
}

/// How many plans (all versions counted once) have a code starting with `prefix`.
pub async fn plan_codes_in(conn: &mut AnyConnection, prefix: &str) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(DISTINCT code) FROM plans WHERE code LIKE $1")
        .bind(format!("{prefix}%"))
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get(0)?)
}

/// The newest version number of plan `code`.
pub async fn max_version_in(conn: &mut AnyConnection, code: &str) -> Result<i64> {
    let row = sqlx::query("SELECT MAX(version) FROM plans WHERE code = $1")
        .bind(code)
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get(0)?)
}

/// Every institution's grade on `day` (institutions never graded are absent: they are B).
pub async fn grades_on_in(conn: &mut AnyConnection, day: Date) -> Result<HashMap<String, Grade>> {
    let rows = sqlx::query(
        "SELECT institution_uscc, grade, valid_from, basis, set_by FROM institution_grades \
         WHERE valid_from <= $1 ORDER BY institution_uscc, valid_from, id",
    )
    .bind(ymd(day))
    .fetch_all(&mut *conn)
    .await?;
    let mut out = HashMap::new();
    for r in &rows {
        // Rows come oldest first, so the last one written wins.
        let e = rows::grade_entry(r)?;
        out.insert(e.institution_uscc, e.grade);
    }
    Ok(out)
}

/// The teams of `tasks`, as they now stand, in slot order.
async fn with_members(conn: &mut AnyConnection, mut tasks: Vec<Task>) -> Result<Vec<Task>> {
    let index: HashMap<i64, usize> = tasks.iter().enumerate().map(|(n, t)| (t.id, n)).collect();
    let ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();
    for chunk in ids.chunks(IN_CHUNK) {
        let sql = format!(
            "{MEMBER_SELECT} WHERE m.task_id IN ({}) ORDER BY m.task_id, m.slot",
            placeholders(1, chunk.len())
        );
        let cells: Vec<Cell> = chunk.iter().map(|&id| Cell::Int(id)).collect();
        for row in bind_all(sqlx::query(&sql), &cells).fetch_all(&mut *conn).await? {
            let (task_id, member) = rows::member(&row)?;
            if let Some(&n) = index.get(&task_id) {
                tasks[n].members.push(member);
            }
        }
    }
    Ok(tasks)
}

impl Store {
    /// One plan version with its entropy declarations.
    pub async fn plan(&self, id: i64) -> Result<Option<Plan>> {
        plan_in(&mut *self.pool().acquire().await?, id).await
    }

    /// Plans, newest first; drafts only when asked (the public sees frozen plans and later).
    pub async fn plans(&self, include_drafts: bool) -> Result<Vec<Plan>> {
        let mut conn = self.pool().acquire().await?;
        let sql = format!(
            "SELECT {PLAN_COLUMNS} FROM plans WHERE ($1 = 1 OR status <> 'draft') ORDER BY created_at DESC, id DESC"
        );
        let rows = sqlx::query(&sql).bind(i64::from(include_drafts)).fetch_all(&mut *conn).await?;
        let mut plans = rows.iter().map(rows::plan).collect::<Result<Vec<_>>>()?;
        let sql = format!(
            "SELECT {ENTROPY_COLUMNS} FROM plan_entropy e JOIN plans p ON p.id = e.plan_id \
             WHERE ($1 = 1 OR p.status <> 'draft') ORDER BY e.plan_id, e.pos"
        );
        let index: HashMap<i64, usize> = plans.iter().enumerate().map(|(n, p)| (p.id, n)).collect();
        for row in sqlx::query(&sql).bind(i64::from(include_drafts)).fetch_all(&mut *conn).await? {
            if let Some(&n) = index.get(&row.try_get::<i64, _>("plan_id")?) {
                plans[n].entropy.push(rows::entropy(&row)?);
            }
        }
        Ok(plans)
    }

    /// The frozen `inputs` of a plan (spec §2), exactly as stored; `None` before the freeze.
    pub async fn plan_inputs(&self, id: i64) -> Result<Option<Value>> {
        inputs_in(&mut *self.pool().acquire().await?, id).await
    }

    /// The pool as frozen: candidates and those left out (with why), by USCC.
    pub async fn plan_pool(&self, id: i64) -> Result<Vec<PoolEntry>> {
        let rows = sqlx::query(
            "SELECT institution_uscc, name, stratum, categories, sources, excluded_reason FROM plan_pool \
             WHERE plan_id = $1 ORDER BY institution_uscc",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(rows::pool_entry).collect()
    }

    /// Why each conflict of the frozen inputs is there.
    pub async fn plan_conflicts(&self, id: i64) -> Result<Vec<PlanConflict>> {
        let rows = sqlx::query(
            "SELECT inspector_code, institution_uscc, kind, reason FROM plan_conflicts WHERE plan_id = $1 \
             ORDER BY inspector_code, institution_uscc",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(rows::conflict).collect()
    }

    /// The current (latest) record of a drawn plan.
    pub async fn plan_record(&self, id: i64) -> Result<Option<StoredRecord>> {
        current_record_in(&mut *self.pool().acquire().await?, id).await
    }

    /// Every stored record of a plan, oldest first (the draw, then one per recusal).
    pub async fn plan_records(&self, id: i64) -> Result<Vec<StoredRecord>> {
        let sql = format!("SELECT {RECORD_COLUMNS} FROM plan_records WHERE plan_id = $1 ORDER BY seq");
        sqlx::query(&sql).bind(id).fetch_all(self.pool()).await?.iter().map(rows::record).collect()
    }

    /// Tasks matching `filter`, newest draw first, then in target order; `limit` 0 reads them all.
    pub async fn tasks(&self, filter: &TaskFilter, limit: i64, offset: i64) -> Result<Vec<Task>> {
        let (clause, binds) = filter.clause();
        let page = if limit > 0 { limit_offset(binds.len()) } else { String::new() };
        let sql =
            format!("{TASK_SELECT}{clause} ORDER BY p.drawn_at DESC, t.plan_id DESC, t.target_order{page}");
        let mut conn = self.pool().acquire().await?;
        let mut q = bind_all(sqlx::query(&sql), &binds);
        if limit > 0 {
            q = q.bind(limit).bind(offset.max(0));
        }
        let tasks = q.fetch_all(&mut *conn).await?.iter().map(rows::task).collect::<Result<Vec<_>>>()?;
        with_members(&mut conn, tasks).await
    }

    /// How many tasks match `filter`.
    pub async fn count_tasks(&self, filter: &TaskFilter) -> Result<i64> {
        let (clause, binds) = filter.clause();
        let sql = format!("SELECT COUNT(*) FROM plan_tasks t JOIN plans p ON p.id = t.plan_id{clause}");
        Ok(bind_all(sqlx::query(&sql), &binds).fetch_one(self.pool()).await?.try_get(0)?)
    }

    /// All tasks of a plan, in target order.
    pub async fn plan_tasks(&self, plan_id: i64) -> Result<Vec<Task>> {
        self.tasks(&TaskFilter { plan_id: Some(plan_id), ..TaskFilter::default() }, 0, 0).await
    }

    /// One task.
    pub async fn task(&self, task_id: i64) -> Result<Option<Task>> {
        Ok(self.tasks(&TaskFilter { task_id: Some(task_id), ..TaskFilter::default() }, 0, 0).await?.pop())
    }

    /// The tasks whose current team includes this inspector, newest plan first.
    pub async fn tasks_for_inspector(&self, code: &str) -> Result<Vec<Task>> {
        self.tasks(&TaskFilter { inspector: Some(code.to_owned()), ..TaskFilter::default() }, 0, 0).await
    }

    /// Every task of every drawn plan, with its team as it now stands: what the yearly cap counts and
    /// what rotation keeps away.
    pub async fn prior_tasks(&self) -> Result<Vec<PriorTask>> {
        let mut conn = self.pool().acquire().await?;
        let rows = sqlx::query(
            "SELECT t.id, t.institution_uscc, p.code, p.version, p.period, p.drawn_on, p.drawn_at FROM plan_tasks t \
             JOIN plans p ON p.id = t.plan_id WHERE p.status = 'drawn' ORDER BY t.id",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut tasks = rows
            .iter()
            .map(|r| {
                Ok(PriorTask {
                    task_id: r.try_get("id")?,
                    plan_code: r.try_get("code")?,
                    plan_version: r.try_get("version")?,
                    plan_period: r.try_get("period")?,
                    drawn_on: day_opt(r.try_get("drawn_on")?)?,
                    drawn_at: r.try_get("drawn_at")?,
                    institution_uscc: r.try_get("institution_uscc")?,
                    members: Vec::new(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let index: HashMap<i64, usize> = tasks.iter().enumerate().map(|(n, t)| (t.task_id, n)).collect();
        let members =
            sqlx::query("SELECT task_id, inspector_code FROM plan_task_members ORDER BY task_id, slot")
                .fetch_all(&mut *conn)
                .await?;
        for m in &members {
            if let Some(&n) = index.get(&m.try_get::<i64, _>("task_id")?) {
                tasks[n].members.push(m.try_get("inspector_code")?);
            }
        }
        Ok(tasks)
    }

    /// Every institution's grade on `day` (institutions never graded are absent: they are B).
    pub async fn grades_on(&self, day: Date) -> Result<HashMap<String, Grade>> {
        grades_on_in(&mut *self.pool().acquire().await?, day).await
    }

    /// The grade of an institution on `day` (B when never graded).
    pub async fn grade_on(&self, uscc: &str, day: Date) -> Result<Grade> {
        Ok(self.grades_on(day).await?.get(uscc).copied().unwrap_or(Grade::DEFAULT))
    }

    /// Every grade ever set for an institution, oldest first.
    pub async fn grade_history(&self, uscc: &str) -> Result<Vec<GradeEntry>> {
        let rows = sqlx::query(
            "SELECT institution_uscc, grade, valid_from, basis, set_by FROM institution_grades \
             WHERE institution_uscc = $1 ORDER BY valid_from, id",
        )
        .bind(uscc)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(rows::grade_entry).collect()
    }

    /// The inspector code a user account acts as, if linked.
    pub async fn inspector_of_user(&self, username: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT inspector_code FROM inspector_accounts WHERE username = $1")
            .bind(username)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }
}
