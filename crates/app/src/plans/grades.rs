//! Hand-set credit grades 信用等级 (until the credit engine exists), and the link from inspectors to
//! the user accounts that see their tasks.

use lianjian_domain::plans::{access, rules, ymd, Grade, GradeEntry};
use lianjian_domain::uscc::Uscc;
use lianjian_store::audit::{self, Actor, AuditDraft};
use lianjian_store::plans as sql;
use serde_json::json;
use time::Date;

use super::acting;
use crate::{App, Error, Result};

impl App {
    /// Set an institution's grade from `valid_from` on, by hand, with its basis. Audited as
    /// `grade.set`.
    pub async fn set_grade(
        &self,
        actor: &Actor,
        uscc: &str,
        grade: Grade,
        valid_from: Date,
        basis: &str,
    ) -> Result<GradeEntry> {
        let uscc = Uscc::parse(uscc).map_err(|e| Error::invalid("uscc", "bad_uscc", e.to_string()))?;
        let basis = rules::check_grade_basis(basis)?;
        let store = self.store();
        let mut tx = store.begin().await?;
        let before = sql::grades_on_in(&mut tx, valid_from).await?.get(uscc.as_str()).copied();
        let entry = GradeEntry {
            institution_uscc: uscc.as_str().to_owned(),
            grade,
            valid_from,
            basis: basis.to_owned(),
            set_by: actor.user.clone(),
        };
        sql::insert_grade(&mut tx, &entry, store.now_ms()).await?;
        let mut draft = AuditDraft::new(actor, "grade.set", "institution", uscc.as_str())
            .after(serde_json::to_value(&entry).unwrap_or_default());
        if let Some(b) = before {
            draft = draft.before(json!({"grade": b.code(), "on": ymd(valid_from)}));
        }
        audit::append(&mut tx, draft, store.now()).await?;
        lianjian_store::commit(tx).await?;
        Ok(entry)
    }

    /// The grade of an institution on `day` (B when never graded).
    pub async fn grade_on(&self, uscc: &str, day: Date) -> Result<Grade> {
        Ok(self.store().grade_on(uscc, day).await?)
    }

    /// Every grade ever set for an institution, oldest first.
    pub async fn grade_history(&self, uscc: &str) -> Result<Vec<GradeEntry>> {
        Ok(self.store().grade_history(uscc).await?)
    }

    /// Link an inspector to the user account that sees their tasks (replacing earlier links of
    /// either). The account must belong to the inspector's department, and a person links only their
    /// own department's inspectors. Audited as `inspector.link_account`.
    pub async fn link_inspector_account(
        &self,
        actor: &Actor,
        inspector_code: &str,
        username: &str,
    ) -> Result<()> {
        let store = self.store();
        let code = inspector_code.trim();
        let username = username.trim();
        let inspector = store.inspector(code).await?.ok_or_else(|| {
            Error::invalid("inspector", "unknown_inspector", format!("检查人员 {code} 不在检查人员名录库中"))
        })?;
        let user = store
            .user_by_username(username)
            .await?
            .ok_or_else(|| Error::invalid("username", "unknown_user", format!("用户 {username} 不存在")))?;
        access::may_link_inspector(
            inspector.department,
            user.department,
            acting(actor),
            &user.username,
            &inspector.code,
        )?;
        let mut tx = store.begin().await?;
        sql::link_inspector(&mut tx, &inspector.code, &user.username, store.now_ms(), &actor.user).await?;
        let draft = AuditDraft::new(actor, "inspector.link_account", "inspector", &inspector.code)
            .after(json!({"username": user.username}));
        audit::append(&mut tx, draft, store.now()).await?;
        lianjian_store::commit(tx).await?;
        Ok(())
    }

    /// The inspector code a user account acts as, if linked.
    pub async fn inspector_of_user(&self, username: &str) -> Result<Option<String>> {
        Ok(self.store().inspector_of_user(username).await?)
    }
}
