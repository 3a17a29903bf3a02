//! The freeze, without I/O: from what the store read on the freeze day, the pool 检查对象库 (registry
//! institutions with a certificate in force plus every partner-listed one, minus those inspected up to
//! the yearly cap), its strata 分层 by credit grade, the inspectors 检查人员库 of the participating
//! departments with their conflicts — declared 利害关系 and rotation 轮换 (whoever last inspected an
//! institution may not inspect it again) — and the draw's `inputs` exactly as
//! `shared/spec/draw-protocol.md` §2 says, with their digest.
//!
//! The result does not depend on the order the data were read in: the same registry, lists, grades,
//! inspectors and prior tasks give the same `inputs` and digest.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;
use time::Date;

use super::engine::{Candidate, DepartmentMin, EntropySource, Inputs, Inspector, Stratum, Team};
use super::{engine, ymd, ConflictKind, Grade, Plan, PlanConflict, PoolEntry, PoolSource, Refusal};
use crate::org::{Category, Department};

/// An institution of the registry 机构名录库 as it stands on the freeze day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    pub uscc: String,
    pub name: String,
    /// Whether a certificate of it is in force that day; without one it stays out of the pool.
    pub certified: bool,
    /// Category codes 监测类别 of the scope, that day, of its certificates in force.
    pub categories: Vec<String>,
}

/// An institution on the partner departments' lists 协作部门名单 in force that day (R11).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub uscc: String,
    pub name: String,
    pub categories: Vec<Category>,
    /// The departments listing it.
    pub departments: Vec<Department>,
}

/// An inspector 检查人员 on duty on the freeze day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnDuty {
    pub code: String,
    pub department: Department,
    pub specialties: Vec<Category>,
    /// Most tasks this inspector may take in one draw.
    pub max_tasks: i64,
    /// The conflicts of interest declared and in force that day, in declaration order.
    pub conflicts: Vec<DeclaredConflict>,
}

/// A declared conflict 利害关系 with its reason in Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredConflict {
    pub institution_uscc: String,
    pub reason: String,
}

/// A task of an earlier drawn plan: it counts toward the yearly cap of its plan's year, and its team
/// rotates away from its institution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorTask {
    pub task_id: i64,
    pub plan_code: String,
    pub plan_version: i64,
    pub plan_period: String,
    pub drawn_on: Option<Date>,
    pub drawn_at: Option<i64>,
    pub institution_uscc: String,
    /// The team as it now stands.
    pub members: Vec<String>,
}

/// What the store read for a freeze on `day`.
#[derive(Debug, Clone, Default)]
pub struct FreezeData {
    pub registry: Vec<Registered>,
    pub listed: Vec<Listed>,
    /// Grades in force that day; an institution absent is [`Grade::DEFAULT`].
    pub grades: HashMap<String, Grade>,
    pub inspectors: Vec<OnDuty>,
    /// Every task of every drawn plan.
    pub prior_tasks: Vec<PriorTask>,
}

/// The frozen pool, its conflicts, and the inputs with their digest.
#[derive(Debug, Clone, PartialEq)]
pub struct Frozen {
    /// Candidates and those left out, by USCC.
    pub pool: Vec<PoolEntry>,
    pub conflicts: Vec<PlanConflict>,
    pub inputs: Value,
    pub digest: String,
}

impl Frozen {
    /// How many institutions the pool left out (the yearly cap).
    pub fn excluded(&self) -> usize {
        self.pool.iter().filter(|p| p.excluded_reason.is_some()).count()
    }

    /// How many inspectors the inputs name.
    pub fn inspectors(&self) -> usize {
        self.inputs["inspectors"].as_array().map_or(0, Vec::len)
    }
}

/// Build the pool, the conflicts and the draw's inputs of `plan` frozen on `day`.
pub fn build(plan: &Plan, day: Date, data: &FreezeData) -> Result<Frozen, Refusal> {
    let pool = pool(plan, day, data)?;
    let candidate_ids: BTreeSet<&str> =
        pool.values().filter(|e| e.excluded_reason.is_none()).map(|c| c.uscc.as_str()).collect();
    let inspectors: Vec<&OnDuty> = data.inspectors.iter().filter(|i| plan.takes_part(i.department)).collect();
    for d in &plan.departments {
        if !inspectors.iter().any(|i| i.department == *d) {
            return Err(Refusal::state(
                "too_few_inspectors",
                format!("{} {}没有在岗的检查人员,无法组队,不能冻结", ymd(day), d.zh()),
            ));
        }
    }
    if (inspectors.len() as i64) < plan.team_size {
        return Err(Refusal::state(
            "too_few_inspectors",
            format!(
                "在岗检查人员只有 {} 人,少于每组 {} 人,无法组队,不能冻结",
                inspectors.len(),
                plan.team_size
            ),
        ));
    }
    let rotation = last_teams(&data.prior_tasks);
    let mut conflicts = Vec::new();
    let mut draw_inspectors = Vec::new();
    for i in &inspectors {
        let mut mine: BTreeSet<String> = BTreeSet::new();
        for c in &i.conflicts {
            if candidate_ids.contains(c.institution_uscc.as_str()) && mine.insert(c.institution_uscc.clone())
            {
                conflicts.push(PlanConflict {
                    inspector_code: i.code.clone(),
                    institution_uscc: c.institution_uscc.clone(),
                    kind: ConflictKind::Declared,
                    reason: c.reason.clone(),
                });
            }
        }
        for (uscc, (label, members)) in &rotation {
            if members.contains(&i.code) && candidate_ids.contains(uscc.as_str()) && mine.insert(uscc.clone())
            {
                conflicts.push(PlanConflict {
                    inspector_code: i.code.clone(),
                    institution_uscc: uscc.clone(),
                    kind: ConflictKind::Rotation,
                    reason: format!("轮换:上次检查该机构({label})"),
                });
            }
        }
        draw_inspectors.push(Inspector {
            id: i.code.clone(),
            department: i.department.code().to_owned(),
            specialties: i.specialties.iter().map(|c| c.code().to_owned()).collect(),
            max_tasks: i.max_tasks.max(0) as u64,
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
        candidates: pool
            .values()
            .filter(|e| e.excluded_reason.is_none())
            .map(|c| Candidate {
                id: c.uscc.clone(),
                stratum: c.stratum.code().to_owned(),
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
                kind: e.kind.engine(),
                label: e.label.clone(),
                commitment: e.commitment.clone(),
            })
            .collect(),
    };
    let bad = |e: String| Refusal::invalid("inputs", "inputs_invalid", format!("抽查输入无效:{e}"));
    let value = serde_json::to_value(&inputs).map_err(|e| bad(e.to_string()))?;
    // The engine's own validation: what we freeze is what it will accept.
    Inputs::from_value(&value).map_err(|e| bad(e.to_string()))?;
    let digest = engine::inputs_digest(&value).map_err(|e| bad(e.to_string()))?;
    Ok(Frozen { pool: pool.into_values().collect(), conflicts, inputs: value, digest })
}

/// Registry institutions with a certificate in force plus every partner-listed one, graded, with
/// those at the yearly cap left out (with the reason).
fn pool(plan: &Plan, day: Date, data: &FreezeData) -> Result<BTreeMap<String, PoolEntry>, Refusal> {
    let mut pool: BTreeMap<String, PoolEntry> = BTreeMap::new();
    for inst in data.registry.iter().filter(|i| i.certified) {
        let categories: BTreeSet<String> = inst.categories.iter().cloned().collect();
        pool.insert(
            inst.uscc.clone(),
            PoolEntry {
                uscc: inst.uscc.clone(),
                name: inst.name.clone(),
                stratum: Grade::DEFAULT,
                categories: categories.into_iter().collect(),
                sources: vec![PoolSource::Registry],
                excluded_reason: None,
            },
        );
    }
    for listed in &data.listed {
        let e = pool.entry(listed.uscc.clone()).or_insert_with(|| PoolEntry {
            uscc: listed.uscc.clone(),
            name: listed.name.clone(),
            stratum: Grade::DEFAULT,
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
        e.sources.extend(listed.departments.iter().map(|d| PoolSource::Partner(*d)));
    }
    let year = plan.year();
    let mut counts: HashMap<&str, i64> = HashMap::new();
    for t in data.prior_tasks.iter().filter(|t| super::period_year(&t.plan_period) == year) {
        *counts.entry(t.institution_uscc.as_str()).or_default() += 1;
    }
    for e in pool.values_mut() {
        e.stratum = data.grades.get(&e.uscc).copied().unwrap_or(Grade::DEFAULT);
        let n = counts.get(e.uscc.as_str()).copied().unwrap_or(0);
        if n >= plan.year_cap {
            e.excluded_reason = Some(format!(
                "{year} 年已被抽查 {n} 次,达到每年 {} 次的上限,本次不列入抽查对象库",
                plan.year_cap
            ));
        }
    }
    if pool.values().all(|e| e.excluded_reason.is_some()) {
        return Err(Refusal::state(
            "empty_pool",
            format!(
                "{} 的抽查对象库为空(名录中没有持有效证书的机构,协作部门名单也为空,或都已达到年度上限),不能冻结",
                ymd(day)
            ),
        ));
    }
    Ok(pool)
}

/// For each institution, its most recent task's label and team (as it now stands).
fn last_teams(prior: &[PriorTask]) -> BTreeMap<String, (String, Vec<String>)> {
    let mut newest_first: Vec<&PriorTask> = prior.iter().collect();
    newest_first.sort_by_key(|t| std::cmp::Reverse((t.drawn_at, t.task_id)));
    let mut latest = BTreeMap::new();
    for t in newest_first {
        latest.entry(t.institution_uscc.clone()).or_insert_with(|| {
            let drawn_on = t.drawn_on.map(ymd).unwrap_or_default();
            (format!("{} 第 {} 版,{drawn_on} 抽取", t.plan_code, t.plan_version), t.members.clone())
        });
    }
    latest
}
