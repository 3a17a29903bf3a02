//! The official working-day calendar as the platform uses it: the shipped State Council data plus the
//! years an operator added later (a new notice comes out every November; until then a year is counted
//! on the provisional calendar and every date counted on it is marked 预估).

use lianjian_domain::calendar::{Calendar, CalendarError};
use serde_json::json;
use sqlx::Row;

use crate::audit::{self, Actor, AuditDraft};
use crate::deadlines::RecountSummary;
use crate::{Store, StoreError};

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

    /// Add a year's holiday file (holiday-cn JSON); audited as `calendar.add`. In the same
    /// transaction every open deadline counted provisionally is counted again on the calendar with
    /// the new notice ([`crate::deadlines`]): unchanged ones are confirmed, changed ones are listed
    /// for the leaders.
    pub async fn add_calendar_year(
        &self,
        actor: &Actor,
        content: &str,
        note: &str,
    ) -> Result<(i32, RecountSummary), CalendarUploadError> {
        let note = note.trim();
        if note.is_empty() {
            return Err(CalendarUploadError::NoteRequired);
        }
        let parsed = Calendar::from_json_files(&[content])?;
        let year = parsed.known_years().into_iter().next().ok_or(CalendarUploadError::Empty)?;
        let mut texts: Vec<String> = self.calendar_files().await?.into_iter().map(|(_, t)| t).collect();
        texts.push(content.to_owned());
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let with_notice = Calendar::official_with(&refs)?;
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO calendar_years (year, content, note, set_by, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(i64::from(year))
        .bind(content)
        .bind(note)
        .bind(&actor.user)
        .bind(self.now_ms())
        .execute(&mut *tx)
        .await?;
        let draft = AuditDraft::new(actor, "calendar.add", "calendar", year.to_string())
            .after(json!({"year": year, "papers": parsed.papers(year)}))
            .note(note);
        audit::append(&mut tx, draft, self.now()).await?;
        let summary = crate::deadlines::recount_open(self, &mut tx, actor, &with_notice).await?;
        crate::commit(tx).await?;
        Ok((year, summary))
    }
}
