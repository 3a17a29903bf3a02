//! The freeze: the pool 检查对象库 and the inspectors 检查人员库 as the registries stand on the
//! freeze day, written as the draw's `inputs` (spec §2) with their digest.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use lianjian_domain::calendar::Calendar;
use lianjian_domain::org::Department;
use lianjian_draw::{Candidate, DepartmentMin, EntropyKind, EntropySource, Inputs, Inspector, Stratum, Team};
use serde_json::json;
use sqlx::{AnyConnection, Row};
use time::Date;

use super::grades::grades_on;
use super::query::{load_plan, plan_year};
use super::{invalid, Grade, Plan, PlanError, PlanStatus, PoolEntry};
use crate::audit::{self, Actor, AuditDraft};
use crate::inspectors::day_text;
use crate::partner_lists::ListScope;
use crate::{Store, StoreError};

impl Store {
    /// Freeze a draft on `today`: build the pool and the inspectors from the registries as they
    /// stand that day, write the `inputs` exactly as spec §2 says, store them with their digest and
    /// publish the entropy declarations. Every participating department must have committed.
    /// Audited as `plan.freeze`.
    pub async fn freeze_plan(
        &self,
        actor: &Actor,
        plan_id: i64,
        cal: &Calendar,
        today: Date,
    ) -> Result<Plan, PlanError> {
        let plan =
            self.plan(plan_id).await?.ok_or_else(|| StoreError::NotFound(format!("计划 {plan_id}")))?;
        check_draft_ready(&plan)?;
        cal.add_working_days(today, plan.due_working_days as u32)
            .map_err(|e| PlanError::State(format!("无法计算检查任务期限:{e}")))?;
        let frozen = self.build_inputs(&plan, today).await?;

        let mut tx = self.begin().await?;
        // Re-checked inside the transaction: two leaders may press the button together.
        let plan = load_plan(&mut tx, plan_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("计划 {plan_id}")))?;
        check_draft_ready(&plan)?;
        for p in &frozen.pool {
            sqlx::query(
                "INSERT INTO plan_pool (plan_id, institution_uscc, name, stratum, categories, sources, excluded_reason) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(plan_id)
            .bind(&p.uscc)
            .bind(&p.name)
            .bind(&p.stratum)
            .bind(serde_json::to_string(&p.categories).unwrap_or_default())
            .bind(serde_json::to_string(&p.sources).unwrap_or_default())
            .bind(p.excluded_reason.as_deref())
            .execute(&mut *tx)
            .await?;
        }
        for (inspector, uscc, kind, reason) in &frozen.conflicts {
            sqlx::query(
                "INSERT INTO plan_conflicts (plan_id, inspector_code, institution_uscc, kind, reason) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(plan_id)
            .bind(inspector)
            .bind(uscc)
            .bind(kind)
            .bind(reason)
            .execute(&mut *tx)
            .await?;
        }
        let inputs_text = frozen.inputs.to_string();
        sqlx::query(
            "UPDATE plans SET status = 'frozen', freeze_on = $1, inputs_json = $2, inputs_digest = $3, \
             frozen_at = $4, frozen_by = $5 WHERE id = $6",
        )
        .bind(day_text(today))
        .bind(&inputs_text)
        .bind(&frozen.digest)
        .bind(self.now_ms())
        .bind(&actor.user)
        .bind(plan_id)
        .execute(&mut *tx)
        .await?;
        let plan = load_plan(&mut tx, plan_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("计划 {plan_id}")))?;
        let excluded = frozen.pool.iter().filter(|p| p.excluded_reason.is_some()).count();
        let d = AuditDraft::new(actor, "plan.freeze", "plan", plan.draw_id.clone()).after(json!({
            "inputs_digest": frozen.digest,
            "freeze_on": day_text(today),
            "candidates": frozen.pool.len() - excluded,
            "excluded": excluded,
            "inspectors": frozen.inputs["inspectors"].as_array().map_or(0, Vec::len),
            "entropy_sources": frozen.inputs["entropy_sources"],
        }));
        audit::append(&mut tx, d, self.now()).await?;
        crate::commit(tx).await?;
        Ok(plan)
    }

    /// The pool, the conflicts and the inputs of `plan` as the registries stand on `day`.
    async fn build_inputs(&self, plan: &Plan, day: Date) -> Result<Frozen, PlanError> {
        // Pool: registry institutions with a certificate in force, plus every partner-listed one.
        let mut pool: BTreeMap<String, PoolEntry> = BTreeMap::new();
        for inst in self.export_registry().await?.institutions {
            let in_force: Vec<_> = inst.certificates.iter().filter(|c| c.in_force_on(day)).collect();
            if in_force.is_empty() {
                continue;
            }
            let cats: BTreeSet<String> = in_force
                .iter()
                .flat_map(|c| {
                    c.scope.iter().filter(|s| s.covers(day)).map(|s| s.category.as_str().to_owned())
                })
                .collect();
            pool.insert(
                inst.uscc.clone(),
                PoolEntry {
                    uscc: inst.uscc.clone(),
                    name: inst.name.clone(),
                    stratum: String::new(),
                    categories: cats.into_iter().collect(),
                    sources: vec!["registry".into()],
                    excluded_reason: None,
                },
            );
        }
        for listed in self.listed_institutions(ListScope::AsOf(day)).await? {
            let e = pool.entry(listed.uscc.clone()).or_insert_with(|| PoolEntry {
                uscc: listed.uscc.clone(),
                name: listed.name.clone(),
                stratum: String::new(),
                categories: Vec::new(),
                sources: Vec::new(),
                excluded_reason: None,
            });
            for c in &listed.categories {
                if !e.categories.iter().any(|x| x == c.code()) {
                    e.categories.push(c.code().to_owned());
                }
            }
            e.categories.sort();
            for d in &listed.departments {
                e.sources.push(format!("partner:{}", d.code()));
            }
        }
        let mut conn = self.pool().acquire().await?;
        let grades = grades_on(&mut conn, day).await?;
        let year = plan_year(&plan.period);
        let counts = inspections_in_year(&mut conn, year).await?;
        for e in pool.values_mut() {
            e.stratum = grades.get(&e.uscc).copied().unwrap_or(Grade::DEFAULT).code().to_owned();
            let n = counts.get(&e.uscc).copied().unwrap_or(0);
            if n >= plan.year_cap {
                e.excluded_reason = Some(format!(
                    "{year} 年已被抽查 {n} 次,达到每年 {} 次的上限,本次不列入抽查对象库",
                    plan.year_cap
                ));
            }
        }
        let candidates: Vec<&PoolEntry> = pool.values().filter(|e| e.excluded_reason.is_none()).collect();
        if candidates.is_empty() {
            return Err(PlanError::State(format!(
                "{} 的抽查对象库为空(名录中没有持有效证书的机构,协作部门名单也为空,或都已达到年度上限),不能冻结",
                day_text(day)
            )));
        }
        let candidate_ids: BTreeSet<&str> = candidates.iter().map(|c| c.uscc.as_str()).collect();

        // Inspectors of the participating departments on duty that day, with their conflicts.
        let inspectors: Vec<_> = self
            .active_inspectors_on(day)
            .await?
            .into_iter()
            .filter(|i| plan.departments.contains(&i.department))
            .collect();
        for d in &plan.departments {
            if !inspectors.iter().any(|i| i.department == *d) {
                return Err(PlanError::State(format!(
                    "{} {}没有在岗的检查人员,无法组队,不能冻结",
                    day_text(day),
                    d.zh()
                )));
            }
        }
        if (inspectors.len() as i64) < plan.team_size {
            return Err(PlanError::State(format!(
                "在岗检查人员只有 {} 人,少于每组 {} 人,无法组队,不能冻结",
                inspectors.len(),
                plan.team_size
            )));
        }
        let rotation = last_teams(&mut conn).await?;
        let mut conflicts: Vec<(String, String, String, String)> = Vec::new();
        let mut draw_inspectors = Vec::new();
        for i in &inspectors {
            let mut mine: BTreeSet<String> = BTreeSet::new();
            for c in i.conflicts_on(day) {
                if candidate_ids.contains(c.institution_uscc.as_str())
                    && mine.insert(c.institution_uscc.clone())
                {
                    conflicts.push((
                        i.code.clone(),
                        c.institution_uscc.clone(),
                        "declared".into(),
                        c.reason.zh(),
                    ));
                }
            }
            for (uscc, (label, members)) in &rotation {
                if members.contains(&i.code)
                    && candidate_ids.contains(uscc.as_str())
                    && mine.insert(uscc.clone())
                {
                    conflicts.push((
                        i.code.clone(),
                        uscc.clone(),
                        "rotation".into(),
                        format!("轮换:上次检查该机构({label})"),
                    ));
                }
            }
            draw_inspectors.push(Inspector {
                id: i.code.clone(),
                department: i.department.code().to_owned(),
                specialties: i.specialties.iter().map(|c| c.code().to_owned()).collect(),
                max_tasks: i.max_tasks_per_plan.max(0) as u64,
                conflicts: mine.into_iter().collect(),
            });
        }
        draw_inspectors.sort_by(|a, b| a.id.cmp(&b.id));

        let inputs = Inputs {
            plan_id: plan.draw_id.clone(),
            strata: plan
                .strata
                .iter()
                .map(|s| Stratum { key: s.grade.code().to_owned(), permille: s.permille.max(0) as u64 })
                .collect(),
            candidates: candidates
                .iter()
                .map(|c| Candidate {
                    id: c.uscc.clone(),
                    stratum: c.stratum.clone(),
                    categories: c.categories.clone(),
                })
                .collect(),
            inspectors: draw_inspectors,
            team: Team {
                size: plan.team_size as u64,
                per_department: plan
                    .departments
                    .iter()
                    .map(|d| DepartmentMin { department: d.code().to_owned(), min: 1 })
                    .collect(),
            },
            entropy_sources: plan
                .entropy
                .iter()
                .map(|e| EntropySource {
                    kind: if e.kind == "public" {
                        EntropyKind::Public
                    } else {
                        EntropyKind::DepartmentSecret
                    },
                    label: e.label.clone(),
                    commitment: e.commitment.clone(),
                })
                .collect(),
        };
        let value =
            serde_json::to_value(&inputs).map_err(|e| StoreError::Sql(sqlx::Error::Decode(e.into())))?;
        // The engine's own validation: what we freeze is what it will accept.
        Inputs::from_value(&value).map_err(|e| invalid("inputs", format!("抽查输入无效:{e}")))?;
        let digest = lianjian_draw::inputs_digest(&value)
            .map_err(|e| invalid("inputs", format!("抽查输入无效:{e}")))?;
        Ok(Frozen { pool: pool.into_values().collect(), conflicts, inputs: value, digest })
    }
}

struct Frozen {
    pool: Vec<PoolEntry>,
    /// (inspector, uscc, kind, reason)
    conflicts: Vec<(String, String, String, String)>,
    inputs: serde_json::Value,
    digest: String,
}

fn check_draft_ready(plan: &Plan) -> Result<(), PlanError> {
    if plan.status != PlanStatus::Draft {
        return Err(PlanError::State(format!("计划{},不能再次冻结", plan.status.zh())));
    }
    let missing: Vec<&str> = plan
        .entropy
        .iter()
        .filter(|e| e.kind == "department-secret" && e.commitment.is_none())
        .map(|e| e.label.parse::<Department>().map(|d| d.zh()).unwrap_or(e.label.as_str()))
        .collect();
    if !missing.is_empty() {
        return Err(PlanError::State(format!("{}尚未提交秘密的承诺值,不能冻结", missing.join("、"))));
    }
    Ok(())
}

/// Inspections of each institution in drawn plans of `year` (by the plan's period).
async fn inspections_in_year(
    conn: &mut AnyConnection,
    year: i32,
) -> Result<HashMap<String, i64>, StoreError> {
    let rows = sqlx::query(
        "SELECT t.institution_uscc, COUNT(*) AS n FROM plan_tasks t JOIN plans p ON p.id = t.plan_id \
         WHERE p.status = 'drawn' AND p.period LIKE $1 GROUP BY t.institution_uscc",
    )
    .bind(format!("{year:04}%"))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?))).collect()
}

/// For each institution, the team (as it stood) of its most recent task: rotation keeps them away.
async fn last_teams(conn: &mut AnyConnection) -> Result<HashMap<String, (String, Vec<String>)>, StoreError> {
    let rows = sqlx::query(
        "SELECT t.id, t.institution_uscc, p.code, p.version, p.drawn_on FROM plan_tasks t \
         JOIN plans p ON p.id = t.plan_id WHERE p.status = 'drawn' ORDER BY p.drawn_at DESC, t.id DESC",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut latest: HashMap<String, (i64, String)> = HashMap::new();
    for r in &rows {
        let uscc: String = r.try_get("institution_uscc")?;
        if let std::collections::hash_map::Entry::Vacant(slot) = latest.entry(uscc) {
            let label = format!(
                "{} 第 {} 版,{} 抽取",
                r.try_get::<String, _>("code")?,
                r.try_get::<i64, _>("version")?,
                r.try_get::<Option<String>, _>("drawn_on")?.unwrap_or_default()
            );
            slot.insert((r.try_get("id")?, label));
        }
    }
    let members = sqlx::query("SELECT task_id, inspector_code FROM plan_task_members ORDER BY task_id, slot")
        .fetch_all(&mut *conn)
        .await?;
    let mut by_task: HashMap<i64, Vec<String>> = HashMap::new();
    for m in &members {
        by_task.entry(m.try_get("task_id")?).or_default().push(m.try_get("inspector_code")?);
    }
    Ok(latest
        .into_iter()
        .map(|(uscc, (task, label))| (uscc, (label, by_task.remove(&task).unwrap_or_default())))
        .collect())
}
