//! Writing plans, their freeze, entropy, records and tasks, grades and inspector accounts: each a
//! function taking the caller's transaction and values the use case has already checked.

use lianjian_domain::plans::pool::Frozen;
use lianjian_domain::plans::{GradeEntry, PlanSettings, RecordKind};
use serde_json::Value;
use sqlx::{AnyConnection, Row};
use time::Date;

use crate::sql::ymd;
use crate::Result;

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// Insert version `version` of plan `code` as a draft, with its entropy declarations; returns its id.
pub async fn insert_version(
    conn: &mut AnyConnection,
    code: &str,
    version: i64,
    s: &PlanSettings,
    now_ms: i64,
    by: &str,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO plans (code, version, period, title, departments, items, team_size, year_cap, \
         due_working_days, public_label, status, strata, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'draft', $11, $12, $13) RETURNING id",
    )
    .bind(code)
    .bind(version)
    .bind(&s.period)
    .bind(&s.title)
    .bind(json(&s.departments))
    .bind(json(&s.items))
    .bind(s.team_size)
    .bind(s.year_cap)
    .bind(s.due_working_days)
    .bind(s.public_label.as_deref())
    .bind(json(&s.strata))
    .bind(now_ms)
    .bind(by)
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.try_get(0)?;
    for (pos, (kind, label)) in s.entropy().into_iter().enumerate() {
        sqlx::query("INSERT INTO plan_entropy (plan_id, pos, kind, label) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(pos as i64)
            .bind(kind.code())
            .bind(label)
            .execute(&mut *conn)
            .await?;
    }
    Ok(id)
}

/// Mark version `old` superseded by `new`.
pub async fn supersede(conn: &mut AnyConnection, old: i64, new: i64) -> Result<()> {
    sqlx::query("UPDATE plans SET status = 'superseded', superseded_by = $1 WHERE id = $2")
        .bind(new)
        .bind(old)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Store the commitment of the secret declared at `pos`.
pub async fn set_commitment(
    conn: &mut AnyConnection,
    plan_id: i64,
    pos: i64,
    commitment: &str,
    by: &str,
    now_ms: i64,
) -> Result<()> {
    let sql = "UPDATE plan_entropy SET commitment = $1, committed_by = $2, committed_at = $3 \
               WHERE plan_id = $4 AND pos = $5";
    update_entropy(conn, sql, (plan_id, pos), commitment, by, now_ms).await
}

/// One entropy declaration's value (or commitment), who entered it and when.
async fn update_entropy(
    conn: &mut AnyConnection,
    sql: &str,
    (plan_id, pos): (i64, i64),
    value: &str,
    by: &str,
    now_ms: i64,
) -> Result<()> {
    sqlx::query(sql).bind(value).bind(by).bind(now_ms).bind(plan_id).bind(pos).execute(&mut *conn).await?;
    Ok(())
}

/// Freeze a draft on `day`: its pool, its conflicts, the inputs and their digest.
pub async fn store_freeze(
    conn: &mut AnyConnection,
    plan_id: i64,
    frozen: &Frozen,
    day: Date,
    now_ms: i64,
    by: &str,
) -> Result<()> {
    for p in &frozen.pool {
        sqlx::query(
            "INSERT INTO plan_pool (plan_id, institution_uscc, name, stratum, categories, sources, excluded_reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(plan_id)
        .bind(&p.uscc)
        .bind(&p.name)
        .bind(p.stratum.code())
        .bind(json(&p.categories))
        .bind(json(&p.sources))
        .bind(p.excluded_reason.as_deref())
        .execute(&mut *conn)
        .await?;
    }
    for c in &frozen.conflicts {
        sqlx::query(
            "INSERT INTO plan_conflicts (plan_id, inspector_code, institution_uscc, kind, reason) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(plan_id)
        .bind(&c.inspector_code)
        .bind(&c.institution_uscc)
        .bind(c.kind.code())
        .bind(&c.reason)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "UPDATE plans SET status = 'frozen', freeze_on = $1, inputs_json = $2, inputs_digest = $3, \
         frozen_at = $4, frozen_by = $5 WHERE id = $6",
    )
    .bind(ymd(day))
    .bind(frozen.inputs.to_string())
    .bind(&frozen.digest)
    .bind(now_ms)
    .bind(by)
    .bind(plan_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Store the value of the source declared at `pos` (a matching secret, or the public value).
pub async fn set_value(
    conn: &mut AnyConnection,
    plan_id: i64,
    pos: i64,
    value: &str,
    by: &str,
    now_ms: i64,
) -> Result<()> {
    let sql = "UPDATE plan_entropy SET value = $1, revealed_by = $2, revealed_at = $3 WHERE plan_id = $4 AND pos = $5";
    update_entropy(conn, sql, (plan_id, pos), value, by, now_ms).await
}

/// Record why the draw failed; the plan stays frozen.
pub async fn set_draw_error(conn: &mut AnyConnection, plan_id: i64, message: &str) -> Result<()> {
    sqlx::query("UPDATE plans SET draw_error = $1 WHERE id = $2")
        .bind(message)
        .bind(plan_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Append record `seq` of a plan (the draw, or one more recusal) with its digest.
#[allow(clippy::too_many_arguments)]
pub async fn insert_record(
    conn: &mut AnyConnection,
    plan_id: i64,
    seq: i64,
    kind: RecordKind,
    record: &Value,
    sha256: &str,
    note: Option<&str>,
    now_ms: i64,
    by: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO plan_records (plan_id, seq, kind, record_json, record_sha256, note, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(plan_id)
    .bind(seq)
    .bind(kind.code())
    .bind(record.to_string())
    .bind(sha256)
    .bind(note)
    .bind(now_ms)
    .bind(by)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Mark a plan drawn on `day`.
pub async fn mark_drawn(conn: &mut AnyConnection, plan_id: i64, day: Date, now_ms: i64) -> Result<()> {
    sqlx::query("UPDATE plans SET status = 'drawn', drawn_on = $1, drawn_at = $2 WHERE id = $3")
        .bind(ymd(day))
        .bind(now_ms)
        .bind(plan_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A drawn target becoming a task, with its team in slot order.
pub struct NewTask<'a> {
    pub plan_id: i64,
    pub target_order: i64,
    pub institution_uscc: &'a str,
    pub institution_name: &'a str,
    pub stratum: &'a str,
    pub due_on: Date,
    pub members: &'a [String],
}

/// Insert a task and its team; returns the task's id.
pub async fn insert_task(conn: &mut AnyConnection, t: NewTask<'_>, now_ms: i64) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO plan_tasks (plan_id, target_order, institution_uscc, institution_name, stratum, due_on, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(t.plan_id)
    .bind(t.target_order)
    .bind(t.institution_uscc)
    .bind(t.institution_name)
    .bind(t.stratum)
    .bind(ymd(t.due_on))
    .bind(now_ms)
    .fetch_one(&mut *conn)
    .await?;
    let task_id: i64 = row.try_get(0)?;
    for (slot, member) in t.members.iter().enumerate() {
        sqlx::query("INSERT INTO plan_task_members (task_id, slot, inspector_code) VALUES ($1, $2, $3)")
            .bind(task_id)
            .bind(slot as i64)
            .bind(member)
            .execute(&mut *conn)
            .await?;
    }
    Ok(task_id)
}

/// Put `inspector` in `slot` of the team of the plan's task for `target_uscc` (a recusal).
pub async fn replace_member(
    conn: &mut AnyConnection,
    plan_id: i64,
    target_uscc: &str,
    slot: i64,
    inspector: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE plan_task_members SET inspector_code = $1 WHERE slot = $2 AND task_id = \
         (SELECT id FROM plan_tasks WHERE plan_id = $3 AND institution_uscc = $4)",
    )
    .bind(inspector)
    .bind(slot)
    .bind(plan_id)
    .bind(target_uscc)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Insert one version of an institution's grade.
pub async fn insert_grade(conn: &mut AnyConnection, e: &GradeEntry, now_ms: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO institution_grades (institution_uscc, grade, valid_from, basis, set_at, set_by) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&e.institution_uscc)
    .bind(e.grade.code())
    .bind(ymd(e.valid_from))
    .bind(&e.basis)
    .bind(now_ms)
    .bind(&e.set_by)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Link an inspector to the account that sees their tasks, replacing earlier links of either (the
/// link is current state only; its history is the audit chain).
pub async fn link_inspector(
    conn: &mut AnyConnection,
    inspector_code: &str,
    username: &str,
    now_ms: i64,
    by: &str,
) -> Result<()> {
    sqlx::query("DELETE FROM inspector_accounts WHERE inspector_code = $1 OR username = $2")
        .bind(inspector_code)
        .bind(username)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO inspector_accounts (inspector_code, username, linked_at, linked_by) VALUES ($1, $2, $3, $4)",
    )
    .bind(inspector_code)
    .bind(username)
    .bind(now_ms)
    .bind(by)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
