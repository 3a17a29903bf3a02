//! The one place each plan table's row becomes its domain type. A stored value that does not decode
//! (an unknown status, a grade outside A–E, bad JSON) is corruption, reported as a decode error.

use lianjian_domain::org::Department;
use lianjian_domain::plans::{
    ConflictKind, EntropyDecl, EntropyKind, Grade, GradeEntry, Plan, PlanConflict, PlanStatus, PoolEntry,
    RecordKind, StoredRecord, StratumRatio, Task, TaskMember,
};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::sql::{day, day_opt};
use crate::Result;

pub(super) use crate::sql::decode;

fn json_col<T: serde::de::DeserializeOwned>(row: &AnyRow, col: &str) -> Result<T> {
    let text: String = row.try_get(col)?;
    serde_json::from_str(&text).map_err(|e| decode(format!("{col}: {e}")))
}

/// A column holding the code of a domain enum (a status, a kind, a grade).
fn code_col<T>(row: &AnyRow, col: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T> {
    let code: String = row.try_get(col)?;
    parse(&code).ok_or_else(|| decode(format!("{col}: unknown code {code:?}")))
}

pub(super) const PLAN_COLUMNS: &str = "id, code, version, period, title, departments, items, team_size, \
    year_cap, due_working_days, public_label, status, strata, freeze_on, inputs_digest, draw_error, drawn_on, \
    created_at, created_by, frozen_at, frozen_by, drawn_at, superseded_by";

/// A plan row, without its entropy declarations (read apart, [`entropy`]).
pub(super) fn plan(row: &AnyRow) -> Result<Plan> {
    let code: String = row.try_get("code")?;
    let version: i64 = row.try_get("version")?;
    Ok(Plan {
        id: row.try_get("id")?,
        draw_id: Plan::draw_id_of(&code, version),
        code,
        version,
        period: row.try_get("period")?,
        title: row.try_get("title")?,
        departments: json_col::<Vec<Department>>(row, "departments")?,
        items: json_col(row, "items")?,
        team_size: row.try_get("team_size")?,
        year_cap: row.try_get("year_cap")?,
        due_working_days: row.try_get("due_working_days")?,
        public_label: row.try_get("public_label")?,
        status: code_col(row, "status", PlanStatus::parse)?,
        strata: json_col::<Vec<StratumRatio>>(row, "strata")?,
        freeze_on: day_opt(row.try_get("freeze_on")?)?,
        inputs_digest: row.try_get("inputs_digest")?,
        draw_error: row.try_get("draw_error")?,
        drawn_on: day_opt(row.try_get("drawn_on")?)?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
        frozen_at: row.try_get("frozen_at")?,
        frozen_by: row.try_get("frozen_by")?,
        drawn_at: row.try_get("drawn_at")?,
        superseded_by: row.try_get("superseded_by")?,
        entropy: Vec::new(),
    })
}

pub(super) const ENTROPY_COLUMNS: &str =
    "plan_id, pos, kind, label, commitment, committed_by, value, revealed_by";

pub(super) fn entropy(row: &AnyRow) -> Result<EntropyDecl> {
    Ok(EntropyDecl {
        pos: row.try_get("pos")?,
        kind: code_col(row, "kind", EntropyKind::parse)?,
        label: row.try_get("label")?,
        commitment: row.try_get("commitment")?,
        committed_by: row.try_get("committed_by")?,
        value: row.try_get("value")?,
        revealed_by: row.try_get("revealed_by")?,
    })
}

pub(super) const RECORD_COLUMNS: &str = "seq, kind, record_json, record_sha256, note, created_at, created_by";

pub(super) fn record(row: &AnyRow) -> Result<StoredRecord> {
    Ok(StoredRecord {
        seq: row.try_get("seq")?,
        kind: code_col(row, "kind", RecordKind::parse)?,
        record: json_col(row, "record_json")?,
        record_sha256: row.try_get("record_sha256")?,
        note: row.try_get("note")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
    })
}

pub(super) fn pool_entry(row: &AnyRow) -> Result<PoolEntry> {
    Ok(PoolEntry {
        uscc: row.try_get("institution_uscc")?,
        name: row.try_get("name")?,
        stratum: code_col(row, "stratum", Grade::parse)?,
        categories: json_col(row, "categories")?,
        sources: json_col(row, "sources")?,
        excluded_reason: row.try_get("excluded_reason")?,
    })
}

pub(super) fn conflict(row: &AnyRow) -> Result<PlanConflict> {
    Ok(PlanConflict {
        inspector_code: row.try_get("inspector_code")?,
        institution_uscc: row.try_get("institution_uscc")?,
        kind: code_col(row, "kind", ConflictKind::parse)?,
        reason: row.try_get("reason")?,
    })
}

pub(super) const TASK_SELECT: &str = "SELECT t.id, t.plan_id, p.code, p.version, p.title, p.items, \
    t.target_order, t.institution_uscc, t.institution_name, t.stratum, t.due_on, \
    d.provisional AS due_provisional, d.review AS due_review FROM plan_tasks t JOIN plans p ON p.id = t.plan_id \
    LEFT JOIN deadlines d ON d.kind = 'task.due' AND d.subject_id = t.id";

/// A task row, without its team (read apart, [`member`]).
pub(super) fn task(row: &AnyRow) -> Result<Task> {
    Ok(Task {
        id: row.try_get("id")?,
        plan_id: row.try_get("plan_id")?,
        plan_code: row.try_get("code")?,
        plan_version: row.try_get("version")?,
        plan_title: row.try_get("title")?,
        target_order: row.try_get("target_order")?,
        institution_uscc: row.try_get("institution_uscc")?,
        institution_name: row.try_get("institution_name")?,
        stratum: code_col(row, "stratum", Grade::parse)?,
        due_on: day(&row.try_get::<String, _>("due_on")?)?,
        due_on_provisional: row.try_get::<Option<i64>, _>("due_provisional")? == Some(1),
        due_on_pending_review: row.try_get::<Option<String>, _>("due_review")?.as_deref() == Some("pending"),
        items: json_col(row, "items")?,
        members: Vec::new(),
    })
}

pub(super) const MEMBER_SELECT: &str = "SELECT m.task_id, m.slot, m.inspector_code, i.name, i.department \
    FROM plan_task_members m LEFT JOIN inspectors i ON i.code = m.inspector_code";

pub(super) fn member(row: &AnyRow) -> Result<(i64, TaskMember)> {
    Ok((
        row.try_get("task_id")?,
        TaskMember {
            slot: row.try_get("slot")?,
            code: row.try_get("inspector_code")?,
            name: row.try_get::<Option<String>, _>("name")?.unwrap_or_default(),
            department: row.try_get::<Option<String>, _>("department")?.unwrap_or_default(),
        },
    ))
}

pub(super) fn grade_entry(row: &AnyRow) -> Result<GradeEntry> {
    Ok(GradeEntry {
        institution_uscc: row.try_get("institution_uscc")?,
        grade: code_col(row, "grade", Grade::parse)?,
        valid_from: day(&row.try_get::<String, _>("valid_from")?)?,
        basis: row.try_get("basis")?,
        set_by: row.try_get("set_by")?,
    })
}
