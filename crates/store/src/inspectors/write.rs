//! Writing the register inside the caller's transaction. The values are already checked
//! (`lianjian_domain::inspectors`); nothing here validates or audits.

use lianjian_domain::inspectors::{NewConflict, Particulars};
use lianjian_domain::org::{Category, Department};
use sqlx::{AnyConnection, Row};
use time::Date;

use crate::sql::ymd;
use crate::Result;

fn specialties_json(v: &[Category]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

/// Insert an inspector; returns its id. A code already used is [`crate::StoreError::Conflict`].
pub async fn insert(
    conn: &mut AnyConnection,
    code: &str,
    department: Department,
    p: &Particulars,
    now_ms: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO inspectors (code, department, name, enforcement_cert_no, specialties, \
         max_tasks_per_plan, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(code)
    .bind(department.code())
    .bind(&p.name)
    .bind(&p.enforcement_cert_no)
    .bind(specialties_json(&p.specialties))
    .bind(p.max_tasks_per_plan)
    .bind(now_ms)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get(0)?)
}

/// Replace an inspector's particulars (never its code or department).
pub async fn update(conn: &mut AnyConnection, id: i64, p: &Particulars, now_ms: i64) -> Result<()> {
    sqlx::query(
        "UPDATE inspectors SET name = $1, enforcement_cert_no = $2, specialties = $3, \
         max_tasks_per_plan = $4, updated_at = $5 WHERE id = $6",
    )
    .bind(&p.name)
    .bind(&p.enforcement_cert_no)
    .bind(specialties_json(&p.specialties))
    .bind(p.max_tasks_per_plan)
    .bind(now_ms)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Open a period of duty from `from`.
pub async fn open_period(conn: &mut AnyConnection, inspector_id: i64, from: Date, note: &str) -> Result<()> {
    sqlx::query("INSERT INTO inspector_periods (inspector_id, active_from, start_note) VALUES ($1, $2, $3)")
        .bind(inspector_id)
        .bind(ymd(from))
        .bind(note)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Close the open period: `on` is the first day no longer on duty.
pub async fn close_period(conn: &mut AnyConnection, inspector_id: i64, on: Date, note: &str) -> Result<()> {
    sqlx::query(
        "UPDATE inspector_periods SET deactivated_on = $1, end_note = $2 \
         WHERE inspector_id = $3 AND deactivated_on IS NULL",
    )
    .bind(ymd(on))
    .bind(note)
    .bind(inspector_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Record a declared conflict; returns its id.
pub async fn insert_conflict(
    conn: &mut AnyConnection,
    inspector_id: i64,
    c: &NewConflict,
    now_ms: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO inspector_conflicts (inspector_id, institution_uscc, reason, reason_note, valid_from, \
         valid_to, declared_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(inspector_id)
    .bind(c.institution_uscc.as_str())
    .bind(c.reason.code())
    .bind(c.reason.note())
    .bind(ymd(c.from))
    .bind(c.to.map(ymd))
    .bind(now_ms)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get(0)?)
}

/// Close a conflict: `last_day` is its last day in force.
pub async fn end_conflict(conn: &mut AnyConnection, conflict_id: i64, last_day: Date) -> Result<()> {
    sqlx::query("UPDATE inspector_conflicts SET valid_to = $1 WHERE id = $2")
        .bind(ymd(last_day))
        .bind(conflict_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
