//! Reading plans, their pools, records and tasks, and checking a stored record.

use std::collections::HashMap;

use lianjian_domain::org::{Department, UnknownCode};
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::{
    EntropyDecl, Plan, PlanConflict, PlanStatus, PoolEntry, StoredRecord, StratumRatio, Task, TaskMember,
};
use crate::inspectors::{decode, parse_day, parse_day_opt};
use crate::{Store, StoreError};

/// The calendar year a period (`2026-H2`) belongs to.
pub(crate) fn plan_year(period: &str) -> i32 {
    period.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0)
}

fn json_col<T: serde::de::DeserializeOwned>(row: &AnyRow, col: &str) -> Result<T, StoreError> {
    let text: String = row.try_get(col)?;
    serde_json::from_str(&text).map_err(|e| decode(format!("{col}: {e}")))
}

const PLAN_COLUMNS: &str = "id, code, version, period, title, departments, items, team_size, year_cap, \
    due_working_days, public_label, status, strata, freeze_on, inputs_digest, draw_error, drawn_on, \
    created_at, created_by, frozen_at, frozen_by, drawn_at, superseded_by";

#[derive(serde::Deserialize)]
struct StratumRow {
    grade: String,
    permille: i64,
}

fn plan_from_row(row: &AnyRow) -> Result<Plan, StoreError> {
    let code: String = row.try_get("code")?;
    let version: i64 = row.try_get("version")?;
    let departments: Vec<String> = json_col(row, "departments")?;
    let strata: Vec<StratumRow> = json_col(row, "strata")?;
    Ok(Plan {
        id: row.try_get("id")?,
        draw_id: format!("{code}-v{version}"),
        code,
        version,
        period: row.try_get("period")?,
        title: row.try_get("title")?,
        departments: departments
            .iter()
            .map(|d| d.parse::<Department>().map_err(|e: UnknownCode| decode(e.to_string())))
            .collect::<Result<_, _>>()?,
        items: json_col(row, "items")?,
        team_size: row.try_get("team_size")?,
        year_cap: row.try_get("year_cap")?,
        due_working_days: row.try_get("due_working_days")?,
        public_label: row.try_get("public_label")?,
        status: PlanStatus::parse(&row.try_get::<String, _>("status")?)?,
        strata: strata
            .into_iter()
            .map(|s| {
                Ok(StratumRatio {
                    grade: super::Grade::parse(&s.grade)
                        .ok_or_else(|| decode(format!("grade {:?}", s.grade)))?,
                    permille: s.permille,
                })
            })
            .collect::<Result<_, StoreError>>()?,
        freeze_on: parse_day_opt(row.try_get("freeze_on")?)?,
        inputs_digest: row.try_get("inputs_digest")?,
        draw_error: row.try_get("draw_error")?,
        drawn_on: parse_day_opt(row.try_get("drawn_on")?)?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
        frozen_at: row.try_get("frozen_at")?,
        frozen_by: row.try_get("frozen_by")?,
        drawn_at: row.try_get("drawn_at")?,
        superseded_by: row.try_get("superseded_by")?,
        entropy: Vec::new(),
    })
}

async fn entropy_of(conn: &mut AnyConnection, plan_id: i64) -> Result<Vec<EntropyDecl>, StoreError> {
    let rows = sqlx::query(
        "SELECT pos, kind, label, commitment, committed_by, value, revealed_by FROM plan_entropy \
         WHERE plan_id = $1 ORDER BY pos",
    )
    .bind(plan_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(EntropyDecl {
                pos: r.try_get("pos")?,
                kind: r.try_get("kind")?,
                label: r.try_get("label")?,
                commitment: r.try_get("commitment")?,
                committed_by: r.try_get("committed_by")?,
                value: r.try_get("value")?,
                revealed_by: r.try_get("revealed_by")?,
            })
        })
        .collect()
}

pub(crate) async fn load_plan(conn: &mut AnyConnection, id: i64) -> Result<Option<Plan>, StoreError> {
    let sql = format!("SELECT {PLAN_COLUMNS} FROM plans WHERE id = $1");
    let Some(row) = sqlx::query(&sql).bind(id).fetch_optional(&mut *conn).await? else {
        return Ok(None);
    };
    let mut plan = plan_from_row(&row)?;
    plan.entropy = entropy_of(conn, id).await?;
    Ok(Some(plan))
}

/// The frozen inputs, raw.
pub(crate) async fn inputs_of(conn: &mut AnyConnection, id: i64) -> Result<Option<Value>, StoreError> {
    let row =
        sqlx::query("SELECT inputs_json FROM plans WHERE id = $1").bind(id).fetch_one(&mut *conn).await?;
    let text: Option<String> = row.try_get(0)?;
    text.map(|t| serde_json::from_str(&t).map_err(|e| decode(format!("inputs_json: {e}")))).transpose()
}

fn record_from_row(row: &AnyRow) -> Result<StoredRecord, StoreError> {
    Ok(StoredRecord {
        seq: row.try_get("seq")?,
        kind: row.try_get("kind")?,
        record: json_col(row, "record_json")?,
        record_sha256: row.try_get("record_sha256")?,
        note: row.try_get("note")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
    })
}

pub(crate) async fn current_record(
    conn: &mut AnyConnection,
    plan_id: i64,
) -> Result<Option<StoredRecord>, StoreError> {
    let row = sqlx::query(
        "SELECT seq, kind, record_json, record_sha256, note, created_at, created_by FROM plan_records \
         WHERE plan_id = $1 ORDER BY seq DESC LIMIT 1",
    )
    .bind(plan_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(record_from_row).transpose()
}

/// SHA-256 of a record's canonical JSON (RFC 8785), lowercase hex.
pub fn record_sha256(record: &Value) -> String {
    // The engine's digest is exactly SHA-256 of the canonical JSON of a value.
    lianjian_draw::inputs_digest(record).unwrap_or_default()
}

const TASK_SELECT: &str = "SELECT t.id, t.plan_id, p.code, p.version, p.title, p.items, t.target_order, \
    t.institution_uscc, t.institution_name, t.stratum, t.due_on, d.provisional AS due_provisional, \
    d.review AS due_review FROM plan_tasks t JOIN plans p ON p.id = t.plan_id \
    LEFT JOIN deadlines d ON d.kind = 'task.due' AND d.subject_id = t.id";

async fn tasks_where(conn: &mut AnyConnection, clause: &str, bind: Value) -> Result<Vec<Task>, StoreError> {
    let sql = format!("{TASK_SELECT} {clause} ORDER BY p.drawn_at DESC, t.plan_id DESC, t.target_order");
    let q = sqlx::query(&sql);
    let q = match &bind {
        Value::Number(n) => q.bind(n.as_i64().unwrap_or(0)),
        Value::String(s) => q.bind(s.clone()),
        _ => q,
    };
    let rows = q.fetch_all(&mut *conn).await?;
    let mut tasks = rows
        .iter()
        .map(|r| {
            Ok(Task {
                id: r.try_get("id")?,
                plan_id: r.try_get("plan_id")?,
                plan_code: r.try_get("code")?,
                plan_version: r.try_get("version")?,
                plan_title: r.try_get("title")?,
                target_order: r.try_get("target_order")?,
                institution_uscc: r.try_get("institution_uscc")?,
                institution_name: r.try_get("institution_name")?,
                stratum: r.try_get("stratum")?,
                due_on: parse_day(&r.try_get::<String, _>("due_on")?)?,
                due_on_provisional: r.try_get::<Option<i64>, _>("due_provisional")? == Some(1),
                due_on_pending_review: r.try_get::<Option<String>, _>("due_review")?.as_deref()
                    == Some("pending"),
                items: json_col(r, "items")?,
                members: Vec::new(),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    if tasks.is_empty() {
        return Ok(tasks);
    }
    let members = sqlx::query(
        "SELECT m.task_id, m.slot, m.inspector_code, i.name, i.department FROM plan_task_members m \
         LEFT JOIN inspectors i ON i.code = m.inspector_code ORDER BY m.task_id, m.slot",
    )
    .fetch_all(&mut *conn)
    .await?;
    let index: HashMap<i64, usize> = tasks.iter().enumerate().map(|(n, t)| (t.id, n)).collect();
    for m in &members {
        if let Some(&n) = index.get(&m.try_get::<i64, _>("task_id")?) {
            tasks[n].members.push(TaskMember {
                slot: m.try_get("slot")?,
                code: m.try_get("inspector_code")?,
                name: m.try_get::<Option<String>, _>("name")?.unwrap_or_default(),
                department: m.try_get::<Option<String>, _>("department")?.unwrap_or_default(),
            });
        }
    }
    Ok(tasks)
}

impl Store {
    /// One plan version with its entropy declarations.
    pub async fn plan(&self, id: i64) -> Result<Option<Plan>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        load_plan(&mut conn, id).await
    }

    /// Plans, newest first; drafts only when asked (the public sees frozen plans and later).
    pub async fn plans(&self, include_drafts: bool) -> Result<Vec<Plan>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let sql = format!(
            "SELECT {PLAN_COLUMNS} FROM plans WHERE ($1 = 1 OR status <> 'draft') ORDER BY created_at DESC, id DESC"
        );
        let rows = sqlx::query(&sql).bind(i64::from(include_drafts)).fetch_all(&mut *conn).await?;
        let mut plans = rows.iter().map(plan_from_row).collect::<Result<Vec<_>, _>>()?;
        for p in &mut plans {
            p.entropy = entropy_of(&mut conn, p.id).await?;
        }
        Ok(plans)
    }

    /// The frozen `inputs` of a plan (spec §2), exactly as stored; `None` before the freeze.
    pub async fn plan_inputs(&self, id: i64) -> Result<Option<Value>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        inputs_of(&mut conn, id).await
    }

    /// The pool as frozen: candidates and those left out (with why), by USCC.
    pub async fn plan_pool(&self, id: i64) -> Result<Vec<PoolEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT institution_uscc, name, stratum, categories, sources, excluded_reason FROM plan_pool \
             WHERE plan_id = $1 ORDER BY institution_uscc",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PoolEntry {
                    uscc: r.try_get("institution_uscc")?,
                    name: r.try_get("name")?,
                    stratum: r.try_get("stratum")?,
                    categories: json_col(r, "categories")?,
                    sources: json_col(r, "sources")?,
                    excluded_reason: r.try_get("excluded_reason")?,
                })
            })
            .collect()
    }

    /// Why each conflict of the frozen inputs is there.
    pub async fn plan_conflicts(&self, id: i64) -> Result<Vec<PlanConflict>, StoreError> {
        let rows = sqlx::query(
            "SELECT inspector_code, institution_uscc, kind, reason FROM plan_conflicts WHERE plan_id = $1 \
             ORDER BY inspector_code, institution_uscc",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PlanConflict {
                    inspector_code: r.try_get("inspector_code")?,
                    institution_uscc: r.try_get("institution_uscc")?,
                    kind: r.try_get("kind")?,
                    reason: r.try_get("reason")?,
                })
            })
            .collect()
    }

    /// The current (latest) record of a drawn plan.
    pub async fn plan_record(&self, id: i64) -> Result<Option<StoredRecord>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        current_record(&mut conn, id).await
    }

    /// Every stored record of a plan, oldest first (the draw, then one per recusal).
    pub async fn plan_records(&self, id: i64) -> Result<Vec<StoredRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, kind, record_json, record_sha256, note, created_at, created_by FROM plan_records \
             WHERE plan_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(record_from_row).collect()
    }

    /// Check the current stored record of a plan: it must verify (spec §6 and the recusal rules),
    /// carry the digest published at the freeze and the entropy values entered at the meeting, and
    /// still hash to what was stored. `Err` carries a Chinese sentence naming the first problem.
    pub async fn check_plan_record(&self, id: i64) -> Result<Result<(), String>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let Some(plan) = load_plan(&mut conn, id).await? else {
            return Err(StoreError::NotFound(format!("计划 {id}")));
        };
        let Some(stored) = current_record(&mut conn, id).await? else {
            return Ok(Err("该计划尚未产生抽查结果记录".into()));
        };
        Ok(check_record(&plan, &stored))
    }

    /// All tasks of a plan, in target order.
    pub async fn plan_tasks(&self, plan_id: i64) -> Result<Vec<Task>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        tasks_where(&mut conn, "WHERE t.plan_id = $1", Value::from(plan_id)).await
    }

    /// One task.
    pub async fn task(&self, task_id: i64) -> Result<Option<Task>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        Ok(tasks_where(&mut conn, "WHERE t.id = $1", Value::from(task_id)).await?.pop())
    }

    /// The tasks whose current team includes this inspector, newest plan first.
    pub async fn tasks_for_inspector(&self, code: &str) -> Result<Vec<Task>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        tasks_where(
            &mut conn,
            "WHERE p.status = 'drawn' AND t.id IN (SELECT task_id FROM plan_task_members WHERE inspector_code = $1)",
            Value::from(code),
        )
        .await
    }
}

/// See [`Store::check_plan_record`].
pub(crate) fn check_record(plan: &Plan, stored: &StoredRecord) -> Result<(), String> {
    lianjian_draw::verify(&stored.record).map_err(|e| format!("记录未通过验证:{e}"))?;
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
