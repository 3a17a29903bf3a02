//! Working-day deadlines 期限 as stored: what each was counted from, and its review when a State
//! Council notice arrives. The rules are in `lianjian_domain::deadlines`; the use cases that recount
//! and decide are in `lianjian_app::deadlines`.

use lianjian_domain::calendar::Deadline;
use lianjian_domain::deadlines::{DeadlineKind, Review};
use lianjian_domain::org::Department;
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use time::Date;

use crate::sql::{day as parse_day, day_opt as parse_day_opt, decode, ymd};
use crate::{Store, StoreError};

/// A deadline to review, with what it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadlineReview {
    pub id: i64,
    pub kind: DeadlineKind,
    pub subject_id: i64,
    /// What the subject is, in Chinese (e.g. the task's institution and plan).
    pub subject: String,
    /// Where the subject's page is.
    pub subject_href: String,
    pub departments: Vec<Department>,
    #[serde(with = "lianjian_domain::date::ymd")]
    pub start_on: Date,
    pub working_days: i64,
    /// The date in force (served).
    #[serde(with = "lianjian_domain::date::ymd")]
    pub due_on: Date,
    pub provisional: bool,
    /// The date on the official calendar, when it differs.
    #[serde(with = "lianjian_domain::date::ymd_opt")]
    pub recomputed_on: Option<Date>,
    pub review: Review,
    pub reviewed_by: Option<String>,
    pub review_note: Option<String>,
}

impl DeadlineReview {
    /// Whether adopting the recomputed date would move the deadline earlier.
    pub fn moves_earlier(&self) -> bool {
        self.recomputed_on.is_some_and(|r| r < self.due_on)
    }
}

/// A deadline just counted, to record beside its subject.
pub struct NewDeadline<'a> {
    pub kind: DeadlineKind,
    pub subject_id: i64,
    /// Whose leaders decide it.
    pub departments: &'a [Department],
    pub start: Date,
    pub working_days: u32,
    pub due: Deadline,
}

/// Record a deadline, in the caller's transaction.
pub async fn record(conn: &mut AnyConnection, d: NewDeadline<'_>, now_ms: i64) -> Result<(), StoreError> {
    let NewDeadline { kind, subject_id, departments, start, working_days, due } = d;
    let depts: Vec<&str> = departments.iter().map(|d| d.code()).collect();
    sqlx::query(
        "INSERT INTO deadlines (kind, subject_id, departments, start_on, working_days, due_on, provisional, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(kind.code())
    .bind(subject_id)
    .bind(serde_json::to_string(&depts).unwrap_or_default())
    .bind(ymd(start))
    .bind(i64::from(working_days))
    .bind(ymd(due.value))
    .bind(i64::from(due.provisional))
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// An open deadline counted on a provisional year and not yet put to a leader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenProvisional {
    pub id: i64,
    pub kind: String,
    pub subject_id: i64,
    pub start_on: Date,
    pub working_days: u32,
    pub due_on: Date,
}

/// Every open provisional deadline not already waiting for a leader, in the caller's transaction.
pub async fn open_provisional(conn: &mut AnyConnection) -> Result<Vec<OpenProvisional>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, kind, subject_id, start_on, working_days, due_on FROM deadlines \
         WHERE provisional = 1 AND review <> 'pending' AND closed_at IS NULL ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(OpenProvisional {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                subject_id: r.try_get("subject_id")?,
                start_on: parse_day(&r.try_get::<String, _>("start_on")?)?,
                working_days: u32::try_from(r.try_get::<i64, _>("working_days")?).unwrap_or(0),
                due_on: parse_day(&r.try_get::<String, _>("due_on")?)?,
            })
        })
        .collect()
}

/// The recount gave the same date: the deadline is no longer provisional.
pub async fn confirm(conn: &mut AnyConnection, id: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE deadlines SET provisional = 0 WHERE id = $1").bind(id).execute(&mut *conn).await?;
    Ok(())
}

/// The recount gave another date: it waits for a leader.
pub async fn put_to_leader(conn: &mut AnyConnection, id: i64, recomputed: Date) -> Result<(), StoreError> {
    sqlx::query("UPDATE deadlines SET recomputed_on = $1, review = 'pending' WHERE id = $2")
        .bind(ymd(recomputed))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A leader's decision on a pending deadline: the date in force, and the subject's due date with it.
pub struct Decision<'a> {
    pub id: i64,
    pub kind: DeadlineKind,
    pub subject_id: i64,
    pub review: Review,
    pub due: Date,
    pub by: &'a str,
    pub at_ms: i64,
    pub note: Option<&'a str>,
}

/// Record a decision, in the caller's transaction.
pub async fn decide(conn: &mut AnyConnection, d: Decision<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE deadlines SET review = $1, due_on = $2, provisional = 0, reviewed_by = $3, reviewed_at = $4, \
         review_note = $5 WHERE id = $6",
    )
    .bind(d.review.code())
    .bind(ymd(d.due))
    .bind(d.by)
    .bind(d.at_ms)
    .bind(d.note)
    .bind(d.id)
    .execute(&mut *conn)
    .await?;
    match d.kind {
        DeadlineKind::TaskDue => {
            sqlx::query("UPDATE plan_tasks SET due_on = $1 WHERE id = $2")
                .bind(ymd(d.due))
                .bind(d.subject_id)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// One deadline, in the caller's transaction.
pub async fn one(conn: &mut AnyConnection, id: i64) -> Result<Option<DeadlineReview>, StoreError> {
    let sql = format!("{SELECT} WHERE d.id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(&mut *conn).await?.as_ref().map(review_of).transpose()
}

const SELECT: &str =
    "SELECT d.id, d.kind, d.subject_id, d.departments, d.start_on, d.working_days, d.due_on, \
    d.provisional, d.recomputed_on, d.review, d.reviewed_by, d.review_note, t.institution_name, \
    t.institution_uscc, p.code AS plan_code, p.version AS plan_version \
    FROM deadlines d LEFT JOIN plan_tasks t ON d.kind = 'task.due' AND t.id = d.subject_id \
    LEFT JOIN plans p ON p.id = t.plan_id";

fn review_of(r: &sqlx::any::AnyRow) -> Result<DeadlineReview, StoreError> {
    let kind_code: String = r.try_get("kind")?;
    let kind = DeadlineKind::parse(&kind_code)
        .ok_or_else(|| decode(format!("unknown deadline kind {kind_code:?}")))?;
    let subject_id: i64 = r.try_get("subject_id")?;
    let (subject, subject_href) = match kind {
        DeadlineKind::TaskDue => {
            let name: Option<String> = r.try_get("institution_name")?;
            let uscc: Option<String> = r.try_get("institution_uscc")?;
            let plan: Option<String> = r.try_get("plan_code")?;
            let version: Option<i64> = r.try_get("plan_version")?;
            (
                format!(
                    "检查任务:{}({})· 计划 {} 第 {} 版",
                    name.unwrap_or_default(),
                    uscc.unwrap_or_default(),
                    plan.unwrap_or_default(),
                    version.unwrap_or_default()
                ),
                format!("/tasks/{subject_id}"),
            )
        }
    };
    let departments: Vec<String> =
        serde_json::from_str(&r.try_get::<String, _>("departments")?).map_err(|e| decode(e.to_string()))?;
    let review_code: String = r.try_get("review")?;
    Ok(DeadlineReview {
        id: r.try_get("id")?,
        kind,
        subject_id,
        subject,
        subject_href,
        departments: departments.iter().filter_map(|d| d.parse().ok()).collect(),
        start_on: parse_day(&r.try_get::<String, _>("start_on")?)?,
        working_days: r.try_get("working_days")?,
        due_on: parse_day(&r.try_get::<String, _>("due_on")?)?,
        provisional: r.try_get::<i64, _>("provisional")? == 1,
        recomputed_on: parse_day_opt(r.try_get("recomputed_on")?)?,
        review: Review::parse(&review_code)
            .ok_or_else(|| decode(format!("unknown review {review_code:?}")))?,
        reviewed_by: r.try_get("reviewed_by")?,
        review_note: r.try_get("review_note")?,
    })
}

impl Store {
    /// Deadlines waiting for a leader's decision, oldest first; with `department`, only those it owns.
    pub async fn deadlines_pending(
        &self,
        department: Option<Department>,
    ) -> Result<Vec<DeadlineReview>, StoreError> {
        let sql = format!("{SELECT} WHERE d.review = 'pending' ORDER BY d.due_on, d.id");
        let rows = sqlx::query(&sql).fetch_all(self.pool()).await?;
        let all = rows.iter().map(review_of).collect::<Result<Vec<_>, _>>()?;
        Ok(all.into_iter().filter(|d| department.is_none_or(|dep| d.departments.contains(&dep))).collect())
    }

    /// Decisions already taken, newest first (for the review page's history).
    pub async fn deadlines_reviewed(&self, limit: i64) -> Result<Vec<DeadlineReview>, StoreError> {
        let sql = format!(
            "{SELECT} WHERE d.review IN ('adopted', 'kept') ORDER BY d.reviewed_at DESC, d.id DESC LIMIT $1"
        );
        let rows = sqlx::query(&sql).bind(limit).fetch_all(self.pool()).await?;
        rows.iter().map(review_of).collect()
    }

    /// One deadline.
    pub async fn deadline(&self, id: i64) -> Result<Option<DeadlineReview>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        one(&mut conn, id).await
    }
}
