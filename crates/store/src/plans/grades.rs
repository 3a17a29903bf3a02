//! Hand-set credit grades 信用等级 (until the credit engine exists) and the link from inspectors
//! to the user accounts that see their tasks.

use std::collections::HashMap;

use lianjian_domain::uscc::Uscc;
use serde_json::json;
use sqlx::{AnyConnection, Row};
use time::Date;

use super::{invalid, Grade, GradeEntry, PlanError};
use crate::audit::{self, Actor, AuditDraft};
use crate::inspectors::{day_text, decode, parse_day};
use crate::{Store, StoreError};

/// Every institution's grade on `day` (institutions without a grade are absent: they are B).
pub(crate) async fn grades_on(
    conn: &mut AnyConnection,
    day: Date,
) -> Result<HashMap<String, Grade>, StoreError> {
    let rows = sqlx::query(
        "SELECT institution_uscc, grade FROM institution_grades WHERE valid_from <= $1 \
         ORDER BY institution_uscc, valid_from, id",
    )
    .bind(day_text(day))
    .fetch_all(&mut *conn)
    .await?;
    let mut out = HashMap::new();
    for r in &rows {
        let g: String = r.try_get("grade")?;
        let grade = Grade::parse(&g).ok_or_else(|| decode(format!("unknown grade {g:?}")))?;
        // Rows come oldest first, so the last one written wins.
        out.insert(r.try_get::<String, _>("institution_uscc")?, grade);
    }
    Ok(out)
}

impl Store {
    /// Set an institution's grade from `valid_from` on, by hand, with its basis. Audited as
    /// `grade.set`.
    pub async fn set_grade(
        &self,
        actor: &Actor,
        uscc: &str,
        grade: Grade,
        valid_from: Date,
        basis: &str,
    ) -> Result<GradeEntry, PlanError> {
        let uscc = Uscc::parse(uscc).map_err(|e| invalid("uscc", e.to_string()))?;
        let basis = basis.trim();
        if basis.is_empty() {
            return Err(invalid("basis", "请写明设定信用等级的依据"));
        }
        if basis.chars().count() > 500 {
            return Err(invalid("basis", "依据不能超过 500 个字符"));
        }
        let mut tx = self.begin().await?;
        let before = grades_on(&mut tx, valid_from).await?.get(uscc.as_str()).copied();
        sqlx::query(
            "INSERT INTO institution_grades (institution_uscc, grade, valid_from, basis, set_at, set_by) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(uscc.as_str())
        .bind(grade.code())
        .bind(day_text(valid_from))
        .bind(basis)
        .bind(self.now_ms())
        .bind(&actor.user)
        .execute(&mut *tx)
        .await?;
        let entry = GradeEntry {
            institution_uscc: uscc.as_str().to_owned(),
            grade,
            valid_from,
            basis: basis.to_owned(),
            set_by: actor.user.clone(),
        };
        let mut draft = AuditDraft::new(actor, "grade.set", "institution", uscc.as_str())
            .after(serde_json::to_value(&entry).unwrap_or_default());
        if let Some(b) = before {
            draft = draft.before(json!({"grade": b.code(), "on": day_text(valid_from)}));
        }
        audit::append(&mut tx, draft, self.now()).await?;
        crate::commit(tx).await?;
        Ok(entry)
    }

    /// The grade of an institution on `day` (B when never graded).
    pub async fn grade_on(&self, uscc: &str, day: Date) -> Result<Grade, StoreError> {
        let mut conn = self.pool().acquire().await?;
        Ok(grades_on(&mut conn, day).await?.get(uscc).copied().unwrap_or(Grade::DEFAULT))
    }

    /// Every grade ever set for an institution, oldest first.
    pub async fn grade_history(&self, uscc: &str) -> Result<Vec<GradeEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT institution_uscc, grade, valid_from, basis, set_by FROM institution_grades \
             WHERE institution_uscc = $1 ORDER BY valid_from, id",
        )
        .bind(uscc)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let g: String = r.try_get("grade")?;
                Ok(GradeEntry {
                    institution_uscc: r.try_get("institution_uscc")?,
                    grade: Grade::parse(&g).ok_or_else(|| decode(format!("unknown grade {g:?}")))?,
                    valid_from: parse_day(&r.try_get::<String, _>("valid_from")?)?,
                    basis: r.try_get("basis")?,
                    set_by: r.try_get("set_by")?,
                })
            })
            .collect()
    }

    /// Link an inspector to the user account that sees their tasks (replacing earlier links of
    /// either). The account must belong to the inspector's department. Audited as
    /// `inspector.link_account`.
    pub async fn link_inspector_account(
        &self,
        actor: &Actor,
        inspector_code: &str,
        username: &str,
    ) -> Result<(), PlanError> {
        let inspector = self
            .inspector(inspector_code)
            .await?
            .ok_or_else(|| invalid("inspector", format!("检查人员 {inspector_code} 不在检查人员名录库中")))?;
        let user = self
            .user_by_username(username.trim())
            .await?
            .ok_or_else(|| invalid("username", format!("用户 {username} 不存在")))?;
        if user.department != inspector.department {
            return Err(invalid(
                "username",
                format!(
                    "用户 {} 属于{},检查人员 {} 属于{},不能关联",
                    user.username,
                    user.department.zh(),
                    inspector.code,
                    inspector.department.zh()
                ),
            ));
        }
        let mut tx = self.begin().await?;
        // The link is current state only; its history is the audit chain.
        sqlx::query("DELETE FROM inspector_accounts WHERE inspector_code = $1 OR username = $2")
            .bind(&inspector.code)
            .bind(&user.username)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO inspector_accounts (inspector_code, username, linked_at, linked_by) VALUES ($1, $2, $3, $4)",
        )
        .bind(&inspector.code)
        .bind(&user.username)
        .bind(self.now_ms())
        .bind(&actor.user)
        .execute(&mut *tx)
        .await?;
        let draft = AuditDraft::new(actor, "inspector.link_account", "inspector", &inspector.code)
            .after(json!({"username": user.username}));
        audit::append(&mut tx, draft, self.now()).await?;
        crate::commit(tx).await?;
        Ok(())
    }

    /// The inspector code a user account acts as, if linked.
    pub async fn inspector_of_user(&self, username: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT inspector_code FROM inspector_accounts WHERE username = $1")
            .bind(username)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }
}
