//! The official working-day calendar as the platform uses it: the shipped State Council data plus the
//! years an operator added later (a new notice comes out every November; until then a year is counted
//! on the provisional calendar and every date counted on it is marked 预估).

use lianjian_domain::calendar::Calendar;
use sqlx::Row;

use crate::audit::Actor;
use crate::{Store, StoreError};

impl Store {
    /// The newest operator file of each year, oldest year first.
    pub async fn calendar_files(&self) -> Result<Vec<(i64, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.year, c.content FROM calendar_years c WHERE c.id = \
             (SELECT MAX(d.id) FROM calendar_years d WHERE d.year = c.year) ORDER BY c.year",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
    }

    /// The calendar in force: the shipped data overlaid with the operator's files.
    pub async fn calendar(&self) -> Result<Calendar, StoreError> {
        let files = self.calendar_files().await?;
        let texts: Vec<&str> = files.iter().map(|(_, t)| t.as_str()).collect();
        // Files were validated on upload; should one no longer read, the shipped data still serves.
        Ok(Calendar::official_with(&texts).unwrap_or_else(|_| Calendar::official()))
    }
}

/// Store an operator's holiday file for `year` (validated by the use case), in the caller's
/// transaction; the newest file of a year is the one in force.
pub async fn insert_year(
    conn: &mut sqlx::AnyConnection,
    year: i32,
    content: &str,
    note: &str,
    actor: &Actor,
    now_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO calendar_years (year, content, note, set_by, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(i64::from(year))
    .bind(content)
    .bind(note)
    .bind(&actor.user)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
