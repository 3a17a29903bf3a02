//! 期限复核: a leader of an owning department decides a deadline whose recount differs once the
//! State Council notice is loaded — adopt the recomputed date or keep the served one; moving a served
//! deadline earlier needs a written reason.

use lianjian_domain::deadlines::Review;
use lianjian_domain::org::{Department, Role};
use lianjian_store::audit::{self, Actor, AuditDraft};
use lianjian_store::deadlines::{self, DeadlineReview, Decision};
use serde_json::json;

use crate::{App, Error, Result};

/// Whether `actor` may decide a deadline owned by `departments`: a leader of one of them.
fn may_decide(actor: &Actor, departments: &[Department]) -> bool {
    let department = actor.department.parse::<Department>().ok();
    actor.role.parse::<Role>().ok() == Some(Role::Leader)
        && department.is_some_and(|d| departments.contains(&d))
}

impl App {
    /// Deadlines waiting for a leader's decision, oldest first; with `department`, only its own.
    pub async fn deadlines_pending(&self, department: Option<Department>) -> Result<Vec<DeadlineReview>> {
        Ok(self.store().deadlines_pending(department).await?)
    }

    /// Decisions already taken, newest first.
    pub async fn deadlines_reviewed(&self, limit: i64) -> Result<Vec<DeadlineReview>> {
        Ok(self.store().deadlines_reviewed(limit).await?)
    }

    /// A leader decides a pending deadline: `adopt` takes the recomputed date (the subject's due date
    /// changes with it), otherwise the served date is kept. Audited as `deadline.adopt` or
    /// `deadline.keep`.
    pub async fn decide_deadline(
        &self,
        actor: &Actor,
        id: i64,
        adopt: bool,
        note: &str,
    ) -> Result<DeadlineReview> {
        let note = note.trim();
        if note.chars().count() > 500 {
            return Err(Error::invalid("note", "note_too_long", "理由不能超过 500 个字符"));
        }
        let store = self.store();
        let mut tx = store.begin().await?;
        let current =
            deadlines::one(&mut tx, id).await?.ok_or_else(|| Error::NotFound(format!("期限 {id} 不存在")))?;
        if !may_decide(actor, &current.departments) {
            return Err(Error::Forbidden("只有该期限所属部门的科室负责人可以确认".into()));
        }
        if current.review != Review::Pending {
            return Err(Error::state(
                "deadline_decided",
                format!("该期限{},无需再确认", current.review.zh()),
            ));
        }
        let recomputed = current
            .recomputed_on
            .ok_or_else(|| Error::Internal(format!("deadline {id} is pending without a recount")))?;
        if adopt && recomputed < current.due_on && note.is_empty() {
            return Err(Error::Refused {
                code: "earlier_needs_reason",
                field: Some("note".into()),
                message: format!(
                    "采用重算日期 {recomputed} 会使已送达的期限 {} 提前,请写明决定理由",
                    current.due_on
                ),
                lines: Vec::new(),
            });
        }
        let (review, due) =
            if adopt { (Review::Adopted, recomputed) } else { (Review::Kept, current.due_on) };
        let decision = Decision {
            id,
            kind: current.kind,
            subject_id: current.subject_id,
            review,
            due,
            by: &actor.user,
            at_ms: store.now_ms(),
            note: (!note.is_empty()).then_some(note),
        };
        deadlines::decide(&mut tx, decision).await?;
        let day = lianjian_registry::date::format;
        let action = if adopt { "deadline.adopt" } else { "deadline.keep" };
        let mut draft = AuditDraft::new(actor, action, "deadline", id.to_string())
            .before(json!({"due_on": day(current.due_on), "recomputed_on": day(recomputed)}))
            .after(
                json!({"kind": current.kind.code(), "subject_id": current.subject_id, "due_on": day(due)}),
            );
        if !note.is_empty() {
            draft = draft.note(note);
        }
        audit::append(&mut tx, draft, store.now()).await?;
        let decided =
            deadlines::one(&mut tx, id).await?.ok_or_else(|| Error::NotFound(format!("期限 {id}")))?;
        lianjian_store::commit(tx).await?;
        Ok(decided)
    }
}
