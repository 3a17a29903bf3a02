//! Reading inspectors back, whole: each with its periods and conflicts, mapped from rows in one
//! place. The register holds hundreds to a few thousand people, so loading it whole is cheap.

use std::collections::HashMap;

use lianjian_domain::inspectors::{ActivePeriod, Conflict, ConflictReason, InspectorFilter, InspectorView};
use lianjian_domain::org::Category;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::Date;

use crate::sql::{code, day, day_opt, decode};
use crate::{Result, Store, StoreError};

const INSPECTOR_COLUMNS: &str =
    "id, code, department, name, enforcement_cert_no, specialties, max_tasks_per_plan";

fn inspector_from_row(row: &AnyRow) -> Result<InspectorView> {
    let specialties: String = row.try_get("specialties")?;
    let specialties: Vec<Category> =
        serde_json::from_str(&specialties).map_err(|e| decode(format!("specialties: {e}")))?;
    Ok(InspectorView {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        department: code(&row.try_get::<String, _>("department")?)?,
        name: row.try_get("name")?,
        enforcement_cert_no: row.try_get("enforcement_cert_no")?,
        specialties,
        max_tasks_per_plan: row.try_get("max_tasks_per_plan")?,
        periods: Vec::new(),
        conflicts: Vec::new(),
    })
}

fn period_from_row(row: &AnyRow) -> Result<ActivePeriod> {
    Ok(ActivePeriod {
        from: day(&row.try_get::<String, _>("active_from")?)?,
        deactivated_on: day_opt(row.try_get("deactivated_on")?)?,
        start_note: row.try_get("start_note")?,
        end_note: row.try_get("end_note")?,
    })
}

fn conflict_from_row(row: &AnyRow) -> Result<Conflict> {
    let reason: String = row.try_get("reason")?;
    Ok(Conflict {
        id: row.try_get("id")?,
        institution_uscc: row.try_get("institution_uscc")?,
        reason: ConflictReason::from_parts(&reason, row.try_get("reason_note")?)
            .ok_or_else(|| decode(format!("unknown conflict reason {reason:?}")))?,
        from: day(&row.try_get::<String, _>("valid_from")?)?,
        to: day_opt(row.try_get("valid_to")?)?,
    })
}

/// Inspectors (one by code, or all) with their periods and conflicts: three queries, assembled here.
async fn load(conn: &mut AnyConnection, code: Option<&str>) -> Result<Vec<InspectorView>> {
    let sql =
        format!("SELECT {INSPECTOR_COLUMNS} FROM inspectors WHERE ($1 IS NULL OR code = $1) ORDER BY code");
    let rows = sqlx::query(&sql).bind(code).fetch_all(&mut *conn).await?;
    let mut out = rows.iter().map(inspector_from_row).collect::<Result<Vec<_>>>()?;
    let index: HashMap<i64, usize> = out.iter().enumerate().map(|(n, i)| (i.id, n)).collect();

    let periods = sqlx::query(
        "SELECT p.inspector_id, p.active_from, p.deactivated_on, p.start_note, p.end_note \
         FROM inspector_periods p JOIN inspectors i ON i.id = p.inspector_id \
         WHERE ($1 IS NULL OR i.code = $1) ORDER BY p.inspector_id, p.active_from, p.id",
    )
    .bind(code)
    .fetch_all(&mut *conn)
    .await?;
    for row in &periods {
        if let Some(&n) = index.get(&row.try_get::<i64, _>("inspector_id")?) {
            out[n].periods.push(period_from_row(row)?);
        }
    }

    let conflicts = sqlx::query(
        "SELECT c.id, c.inspector_id, c.institution_uscc, c.reason, c.reason_note, c.valid_from, c.valid_to \
         FROM inspector_conflicts c JOIN inspectors i ON i.id = c.inspector_id \
         WHERE ($1 IS NULL OR i.code = $1) ORDER BY c.inspector_id, c.valid_from, c.id",
    )
    .bind(code)
    .fetch_all(&mut *conn)
    .await?;
    for row in &conflicts {
        if let Some(&n) = index.get(&row.try_get::<i64, _>("inspector_id")?) {
            out[n].conflicts.push(conflict_from_row(row)?);
        }
    }
    Ok(out)
}

/// One inspector by code, inside the caller's transaction (a use case reads what it changes there).
pub async fn load_one(conn: &mut AnyConnection, code: &str) -> Result<InspectorView> {
    load(conn, Some(code.trim()))
        .await?
        .pop()
        .ok_or_else(|| StoreError::NotFound(format!("检查人员 {}", code.trim())))
}

impl Store {
    /// The register, filtered, ordered by code; each inspector with the full history.
    pub async fn inspectors(&self, filter: &InspectorFilter) -> Result<Vec<InspectorView>> {
        let mut conn = self.pool().acquire().await?;
        let all = load(&mut conn, None).await?;
        Ok(all.into_iter().filter(|i| filter.admits(i)).collect())
    }

    pub async fn inspector(&self, code: &str) -> Result<Option<InspectorView>> {
        let mut conn = self.pool().acquire().await?;
        Ok(load(&mut conn, Some(code.trim())).await?.pop())
    }

    /// Who may be drawn on `day`: inspectors active that day, each with only the conflicts in force
    /// that day (periods are kept whole). This is what the draw reads.
    pub async fn active_inspectors_on(&self, day: Date) -> Result<Vec<InspectorView>> {
        let mut conn = self.pool().acquire().await?;
        let all = load(&mut conn, None).await?;
        Ok(all
            .into_iter()
            .filter(|i| i.is_active_on(day))
            .map(|mut i| {
                i.conflicts.retain(|c| c.in_force_on(day));
                i
            })
            .collect())
    }
}
