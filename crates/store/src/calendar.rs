//! The official working-day calendar as the platform uses it: the shipped State Council data plus the
//! years an operator added later (a new notice comes out every November; deadlines that cross into a
//! year without data are refused, never counted as weekends-only).

use lianjian_domain::calendar::{Calendar, CalendarError};
use serde_json::json;
use sqlx::Row;

use crate::audit::{self, Actor, AuditDraft};
use crate::{now_ms, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum CalendarUploadError {
    #[error("节假日文件无法读取:{0}")]
    Invalid(#[from] CalendarError),
    #[error("节假日文件没有任何日期(国务院通知尚未发布时不要上传空文件)")]
    Empty,
    #[error("请说明数据来源(国务院办公厅通知文号或网址)")]
    NoteRequired,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for CalendarUploadError {
    fn from(e: sqlx::Error) -> Self {
        CalendarUploadError::Store(e.into())
    }
}

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

    /// Add a year's holiday file (holiday-cn JSON); audited as `calendar.add`.
    pub async fn add_calendar_year(
        &self,
        actor: &Actor,
        content: &str,
        note: &str,
    ) -> Result<i32, CalendarUploadError> {
        let note = note.trim();
        if note.is_empty() {
            return Err(CalendarUploadError::NoteRequired);
        }
        let parsed = Calendar::from_json_files(&[content])?;
        let year = parsed.known_years().into_iter().next().ok_or(CalendarUploadError::Empty)?;
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO calendar_years (year, content, note, set_by, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(i64::from(year))
        .bind(content)
        .bind(note)
        .bind(&actor.user)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        let draft = AuditDraft::new(actor, "calendar.add", "calendar", year.to_string())
            .after(json!({"year": year, "papers": parsed.papers(year)}))
            .note(note);
        audit::append(&mut tx, draft, time::OffsetDateTime::now_utc()).await?;
        crate::commit(tx).await?;
        Ok(year)
    }
}
