//! Working-day deadlines 期限 and their review when a State Council notice arrives
//! (`lianjian_domain::deadlines` holds the rules; this module stores and applies them).
//!
//! Every deadline the platform counts is recorded with what it was counted from. When an operator
//! loads a year's notice, the open deadlines counted provisionally are counted again in the same
//! transaction: unchanged ones stop being provisional, changed ones wait for a leader of an owning
//! department, who adopts the recomputed date or keeps the served one. Both are audited.

use lianjian_domain::calendar::{Calendar, Deadline};
use lianjian_domain::deadlines::{recount, DeadlineKind, Recount, Review};
use lianjian_domain::org::{Department, Role};
use serde::Serialize;
use serde_json::json;
use sqlx::{AnyConnection, Row};
use time::Date;

use crate::audit::{self, Actor, AuditDraft};
use crate::inspectors::{day_text, decode, parse_day, parse_day_opt};
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
    #[serde(with = "crate::inspectors::ymd")]
    pub start_on: Date,
    pub working_days: i64,
    /// The date in force (served).
    #[serde(with = "crate::inspectors::ymd")]
    pub due_on: Date,
    pub provisional: bool,
    /// The date on the official calendar, when it differs.
    #[serde(with = "crate::inspectors::ymd_opt")]
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

/// A refused review decision.
#[derive(Debug, thiserror::Error)]
pub enum DeadlineError {
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for DeadlineError {
    fn from(e: sqlx::Error) -> Self {
        DeadlineError::Store(e.into())
    }
}

/// What loading a notice did to the open provisional deadlines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RecountSummary {
    /// Counted again to the same date: no longer provisional.
    pub confirmed: usize,
    /// Counted again to another date: waiting for a leader.
    pub pending: usize,
    /// Still resting on a year without a notice.
    pub still_provisional: usize,
}

/// A deadline just counted, to record beside its subject.
pub(crate) struct NewDeadline<'a> {
    pub kind: DeadlineKind,
    pub subject_id: i64,
    /// Whose leaders decide it.
    pub departments: &'a [Department],
    pub start: Date,
    pub working_days: u32,
    pub due: Deadline,
}

/// Record a deadline, in the caller's transaction.
pub(crate) async fn record(
    conn: &mut AnyConnection,
    d: NewDeadline<'_>,
    now_ms: i64,
) -> Result<(), StoreError> {
    let NewDeadline { kind, subject_id, departments, start, working_days, due } = d;
    let depts: Vec<&str> = departments.iter().map(|d| d.code()).collect();
    sqlx::query(
        "INSERT INTO deadlines (kind, subject_id, departments, start_on, working_days, due_on, provisional, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(kind.code())
    .bind(subject_id)
    .bind(serde_json::to_string(&depts).unwrap_or_default())
    .bind(day_text(start))
    .bind(i64::from(working_days))
    .bind(day_text(due.value))
    .bind(i64::from(due.provisional))
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Count every open provisional deadline again on `cal` (the calendar with the new notice), in the
/// caller's transaction; each outcome is audited under `actor`.
pub(crate) async fn recount_open(
    store: &Store,
    conn: &mut AnyConnection,
    actor: &Actor,
    cal: &Calendar,
) -> Result<RecountSummary, StoreError> {
    let rows = sqlx::query(
        "SELECT id, kind, subject_id, start_on, working_days, due_on FROM deadlines \
         WHERE provisional = 1 AND review <> 'pending' AND closed_at IS NULL ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut summary = RecountSummary::default();
    for r in rows {
        let id: i64 = r.try_get("id")?;
        let kind: String = r.try_get("kind")?;
        let start = parse_day(&r.try_get::<String, _>("start_on")?)?;
        let n = u32::try_from(r.try_get::<i64, _>("working_days")?).unwrap_or(0);
        let due = parse_day(&r.try_get::<String, _>("due_on")?)?;
        let outcome = recount(cal, start, n, due).map_err(|e| decode(format!("deadline {id}: {e}")))?;
        let (action, after) = match outcome {
            Recount::StillProvisional => {
                summary.still_provisional += 1;
                continue;
            }
            Recount::Unchanged => {
                summary.confirmed += 1;
                sqlx::query("UPDATE deadlines SET provisional = 0 WHERE id = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                ("deadline.confirm", json!({"due_on": day_text(due), "recount": "unchanged"}))
            }
            Recount::Changed(other) => {
                summary.pending += 1;
                sqlx::query("UPDATE deadlines SET recomputed_on = $1, review = 'pending' WHERE id = $2")
                    .bind(day_text(other))
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                ("deadline.recount", json!({"due_on": day_text(due), "recomputed_on": day_text(other)}))
            }
        };
        let draft = AuditDraft::new(actor, action, "deadline", id.to_string())
            .after(json!({"kind": kind, "subject_id": r.try_get::<i64, _>("subject_id")?, "result": after}));
        audit::append(conn, draft, store.now()).await?;
    }
    Ok(summary)
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

/// Whether `actor` may decide a deadline owned by `departments`: a leader of one of them.
fn may_decide(actor: &Actor, departments: &[Department]) -> bool {
    let department = actor.department.parse::<Department>().ok();
    actor.role.parse::<Role>().ok() == Some(Role::Leader)
        && department.is_some_and(|d| departments.contains(&d))
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
        let sql = format!("{SELECT} WHERE d.id = $1");
        sqlx::query(&sql).bind(id).fetch_optional(self.pool()).await?.as_ref().map(review_of).transpose()
    }

    /// A leader decides a pending deadline: `adopt` takes the recomputed date (the subject's due date
    /// changes with it), otherwise the served date is kept. Moving a deadline earlier needs a reason.
    /// Audited as `deadline.adopt` or `deadline.keep`.
    pub async fn decide_deadline(
        &self,
        actor: &Actor,
        id: i64,
        adopt: bool,
        note: &str,
    ) -> Result<DeadlineReview, DeadlineError> {
        let note = note.trim();
        let mut tx = self.begin().await?;
        let sql = format!("{SELECT} WHERE d.id = $1");
        let current = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .as_ref()
            .map(review_of)
            .transpose()?
            .ok_or_else(|| StoreError::NotFound(format!("期限 {id}")))?;
        if !may_decide(actor, &current.departments) {
            return Err(DeadlineError::Refused("只有该期限所属部门的科室负责人可以确认".into()));
        }
        if current.review != Review::Pending {
            return Err(DeadlineError::Refused(format!("该期限{},无需再确认", current.review.zh())));
        }
        let recomputed =
            current.recomputed_on.ok_or_else(|| decode(format!("deadline {id} has no recount")))?;
        if adopt && recomputed < current.due_on && note.is_empty() {
            return Err(DeadlineError::Refused(format!(
                "采用重算日期 {recomputed} 会使已送达的期限 {} 提前,请写明决定理由",
                current.due_on
            )));
        }
        if note.chars().count() > 500 {
            return Err(DeadlineError::Refused("理由不能超过 500 个字符".into()));
        }
        let (review, due) =
            if adopt { (Review::Adopted, recomputed) } else { (Review::Kept, current.due_on) };
        sqlx::query(
            "UPDATE deadlines SET review = $1, due_on = $2, provisional = 0, reviewed_by = $3, reviewed_at = $4, \
             review_note = $5 WHERE id = $6",
        )
        .bind(review.code())
        .bind(day_text(due))
        .bind(&actor.user)
        .bind(self.now_ms())
        .bind((!note.is_empty()).then_some(note))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        match current.kind {
            DeadlineKind::TaskDue => {
                sqlx::query("UPDATE plan_tasks SET due_on = $1 WHERE id = $2")
                    .bind(day_text(due))
                    .bind(current.subject_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let action = if adopt { "deadline.adopt" } else { "deadline.keep" };
        let mut draft = AuditDraft::new(actor, action, "deadline", id.to_string())
            .before(json!({"due_on": day_text(current.due_on), "recomputed_on": day_text(recomputed)}))
            .after(json!({"kind": current.kind.code(), "subject_id": current.subject_id, "due_on": day_text(due)}));
        if !note.is_empty() {
            draft = draft.note(note);
        }
        audit::append(&mut tx, draft, self.now()).await?;
        let decided = sqlx::query(&sql)
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::from)
            .and_then(|r| review_of(&r))?;
        crate::commit(tx).await?;
        Ok(decided)
    }
}
