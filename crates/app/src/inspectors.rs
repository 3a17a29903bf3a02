//! The inspector register 检查人员名录库 as leaders keep it: register, correct, deactivate and bring
//! back, declare and end conflicts of interest — each checked by `lianjian_domain::inspectors` and
//! audited (`inspector.*`) in its transaction; and the reads the pages, the API and the draw use.

use lianjian_domain::inspectors::{
    check_conflict, check_conflict_end, check_deactivation, check_reactivation, Conflict, ConflictReason,
    InspectorChanges, InspectorFilter, InspectorView, NewInspector,
};
use lianjian_domain::invalid::Invalid;
use lianjian_store::audit::{Actor, AuditDraft};
use lianjian_store::inspectors::{load_one, write};
use lianjian_store::StoreError;
use serde::Serialize;
use serde_json::{json, Value};
use time::Date;

use crate::{App, Error, Result};

fn json_of<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

impl App {
    /// The register, filtered, ordered by code; each inspector with the full history.
    pub async fn inspectors(&self, filter: &InspectorFilter) -> Result<Vec<InspectorView>> {
        Ok(self.store().inspectors(filter).await?)
    }

    /// One inspector by code.
    pub async fn inspector(&self, code: &str) -> Result<InspectorView> {
        self.store().inspector(code).await?.ok_or_else(|| Error::NotFound(format!("检查人员 {code} 不存在")))
    }

    /// Register an inspector, on duty from `active_from`. Audited as `inspector.create` with the
    /// inspector as registered. A code already used, even by a deactivated inspector, is refused
    /// (`inspector_code_taken`): codes are never reused.
    pub async fn add_inspector(
        &self,
        actor: &Actor,
        new: NewInspector,
        active_from: Date,
    ) -> Result<InspectorView> {
        let department = new.department;
        let (code, particulars) = new.check()?;
        let store = self.store();
        let mut tx = store.begin().await?;
        let id = write::insert(&mut tx, &code, department, &particulars, store.now_ms()).await.map_err(
            |e| match e {
                StoreError::Conflict(_) => Error::Conflict(Invalid::field(
                    "code",
                    "inspector_code_taken",
                    format!("人员编号 {code} 已被使用(人员从不删除,编号不能重复使用)"),
                )),
                other => other.into(),
            },
        )?;
        write::open_period(&mut tx, id, active_from, "入库").await?;
        let view = load_one(&mut tx, &code).await?;
        let draft = AuditDraft::new(actor, "inspector.create", "inspector", &code).after(json_of(&view));
        self.commit_audited(tx, draft).await?;
        Ok(view)
    }

    /// Correct an inspector's particulars (never the code or the department). Audited as
    /// `inspector.update` with before and after.
    pub async fn update_inspector(
        &self,
        actor: &Actor,
        code: &str,
        changes: InspectorChanges,
    ) -> Result<InspectorView> {
        let store = self.store();
        let mut tx = store.begin().await?;
        let before = load_one(&mut tx, code).await?;
        let particulars = changes.apply(&before)?;
        write::update(&mut tx, before.id, &particulars, store.now_ms()).await?;
        let after = load_one(&mut tx, code).await?;
        let draft = AuditDraft::new(actor, "inspector.update", "inspector", &after.code)
            .before(json_of(&before))
            .after(json_of(&after));
        self.commit_audited(tx, draft).await?;
        Ok(after)
    }

    /// Take an inspector out of the pool from `on` (the first inactive day; may lie ahead). The
    /// inspector stays in the register. Audited as `inspector.deactivate`.
    pub async fn deactivate_inspector(
        &self,
        actor: &Actor,
        code: &str,
        on: Date,
        reason: &str,
    ) -> Result<InspectorView> {
        let store = self.store();
        let mut tx = store.begin().await?;
        let before = load_one(&mut tx, code).await?;
        let reason = check_deactivation(&before, on, reason)?;
        write::close_period(&mut tx, before.id, on, &reason).await?;
        let after = load_one(&mut tx, code).await?;
        let body = json!({"deactivated_on": lianjian_domain::date::format(on), "reason": reason});
        let draft = AuditDraft::new(actor, "inspector.deactivate", "inspector", &after.code).after(body);
        self.commit_audited(tx, draft).await?;
        Ok(after)
    }

    /// Bring a deactivated inspector back from `on` (not before the last deactivation): a new period
    /// opens. Audited as `inspector.reactivate`.
    pub async fn reactivate_inspector(
        &self,
        actor: &Actor,
        code: &str,
        on: Date,
        note: &str,
    ) -> Result<InspectorView> {
        let store = self.store();
        let mut tx = store.begin().await?;
        let before = load_one(&mut tx, code).await?;
        let note = check_reactivation(&before, on, note)?;
        write::open_period(&mut tx, before.id, on, &note).await?;
        let after = load_one(&mut tx, code).await?;
        let body = json!({"active_from": lianjian_domain::date::format(on), "note": note});
        let draft = AuditDraft::new(actor, "inspector.reactivate", "inspector", &after.code).after(body);
        self.commit_audited(tx, draft).await?;
        Ok(after)
    }

    /// Record a conflict of interest with an institution, in force from `from` to `to` inclusive
    /// (`None`: until ended). Audited as `inspector.conflict_declare`.
    pub async fn declare_conflict(
        &self,
        actor: &Actor,
        code: &str,
        institution_uscc: &str,
        reason: ConflictReason,
        from: Date,
        to: Option<Date>,
    ) -> Result<Conflict> {
        let new = check_conflict(institution_uscc, reason, from, to)?;
        let store = self.store();
        let mut tx = store.begin().await?;
        let inspector = load_one(&mut tx, code).await?;
        let id = write::insert_conflict(&mut tx, inspector.id, &new, store.now_ms()).await?;
        let conflict = Conflict {
            id,
            institution_uscc: new.institution_uscc.as_str().to_owned(),
            reason: new.reason,
            from: new.from,
            to: new.to,
        };
        let draft = AuditDraft::new(actor, "inspector.conflict_declare", "inspector", &inspector.code)
            .after(json_of(&conflict));
        self.commit_audited(tx, draft).await?;
        Ok(conflict)
    }

    /// End a conflict: `last_day` is the last day it is in force. Audited as
    /// `inspector.conflict_end` with before and after.
    pub async fn end_conflict(
        &self,
        actor: &Actor,
        code: &str,
        conflict_id: i64,
        last_day: Date,
    ) -> Result<Conflict> {
        let store = self.store();
        let mut tx = store.begin().await?;
        let inspector = load_one(&mut tx, code).await?;
        let before = inspector
            .conflicts
            .iter()
            .find(|c| c.id == conflict_id)
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("回避记录 {conflict_id} 不存在")))?;
        check_conflict_end(&before, last_day)?;
        write::end_conflict(&mut tx, conflict_id, last_day).await?;
        let after = Conflict { to: Some(last_day), ..before.clone() };
        let draft = AuditDraft::new(actor, "inspector.conflict_end", "inspector", &inspector.code)
            .before(json_of(&before))
            .after(json_of(&after));
        self.commit_audited(tx, draft).await?;
        Ok(after)
    }
}
