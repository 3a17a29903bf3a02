//! The inspector registry 检查人员名录库 (R8): the enforcement officers of EEB and MSA who may be
//! drawn for 双随机 inspections, their specialties, when they are on duty, and the conflicts of
//! interest 利害关系 they declared — the draw keeps them away from those institutions (回避,
//! 行政处罚法 第四十三条).
//!
//! Inspectors are never deleted (the database refuses it): leaving the pool is a deactivation that
//! closes an active period, and coming back opens a new one, so "who could have been drawn on day D"
//! is always answerable. Conflicts are ended by closing their date range, never removed. Every
//! change writes its audit entry in the same transaction.

use std::collections::HashMap;

use lianjian_domain::org::{Category, Department};
use lianjian_domain::uscc::Uscc;
use serde::Serialize;
use serde_json::{json, Value};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::Date;

use crate::audit::{self, Actor, AuditDraft};
use crate::{Store, StoreError};

/// A change the registry rules refuse (with the form field it concerns and a Chinese sentence), or a
/// storage failure.
#[derive(Debug, thiserror::Error)]
pub enum InspectorError {
    #[error("{message}")]
    Invalid { field: &'static str, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for InspectorError {
    fn from(e: sqlx::Error) -> Self {
        InspectorError::Store(StoreError::from(e))
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> InspectorError {
    InspectorError::Invalid { field, message: message.into() }
}

/// A new inspector for [`Store::add_inspector`].
#[derive(Debug, Clone)]
pub struct NewInspector {
    /// Stable registry code, e.g. `EEB-0007`; unique, never reused.
    pub code: String,
    /// EEB or MSA: only the supervising departments inspect.
    pub department: Department,
    pub name: String,
    /// 执法证号: shown with the 随机抽查告知书 (行政处罚法 第四十二条).
    pub enforcement_cert_no: String,
    /// Specialties 专业领域 among the nine categories; may be empty (a generalist).
    pub specialties: Vec<Category>,
    /// Most tasks this inspector may take in one plan's draw.
    pub max_tasks_per_plan: i64,
}

/// Corrections to an inspector's particulars; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct InspectorChanges {
    pub name: Option<String>,
    pub enforcement_cert_no: Option<String>,
    pub specialties: Option<Vec<Category>>,
    pub max_tasks_per_plan: Option<i64>,
}

/// Why an inspector must withdraw from an institution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "note", rename_all = "snake_case")]
pub enum ConflictReason {
    /// 曾任职: the inspector used to work there.
    FormerEmployer,
    /// 近亲属: a relative works there.
    Relative,
    /// 其他利害关系, with the inspector's description.
    Other(String),
}

impl ConflictReason {
    pub fn code(&self) -> &'static str {
        match self {
            ConflictReason::FormerEmployer => "former_employer",
            ConflictReason::Relative => "relative",
            ConflictReason::Other(_) => "other",
        }
    }

    pub fn zh(&self) -> String {
        match self {
            ConflictReason::FormerEmployer => "曾在该机构任职".to_owned(),
            ConflictReason::Relative => "近亲属在该机构任职".to_owned(),
            ConflictReason::Other(note) => format!("其他利害关系:{note}"),
        }
    }

    fn note(&self) -> Option<&str> {
        match self {
            ConflictReason::Other(note) => Some(note),
            _ => None,
        }
    }

    fn from_parts(code: &str, note: Option<String>) -> Result<ConflictReason, StoreError> {
        match code {
            "former_employer" => Ok(ConflictReason::FormerEmployer),
            "relative" => Ok(ConflictReason::Relative),
            "other" => Ok(ConflictReason::Other(note.unwrap_or_default())),
            other => Err(decode(format!("unknown conflict reason {other:?}"))),
        }
    }
}

/// One stretch of duty: active on D when `from <= D` and (`deactivated_on` is `None` or
/// `D < deactivated_on`). `deactivated_on` is the first day no longer active.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivePeriod {
    #[serde(with = "ymd")]
    pub from: Date,
    #[serde(with = "ymd_opt")]
    pub deactivated_on: Option<Date>,
    pub start_note: Option<String>,
    pub end_note: Option<String>,
}

impl ActivePeriod {
    pub fn contains(&self, day: Date) -> bool {
        self.from <= day && self.deactivated_on.is_none_or(|d| day < d)
    }
}

/// A declared conflict of interest, in force from `from` to `to` inclusive (`None`: open).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub id: i64,
    pub institution_uscc: String,
    pub reason: ConflictReason,
    #[serde(with = "ymd")]
    pub from: Date,
    #[serde(with = "ymd_opt")]
    pub to: Option<Date>,
}

impl Conflict {
    pub fn in_force_on(&self, day: Date) -> bool {
        self.from <= day && self.to.is_none_or(|t| day <= t)
    }
}

/// An inspector with the whole history of duty periods and conflicts, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InspectorView {
    pub id: i64,
    pub code: String,
    pub department: Department,
    pub name: String,
    pub enforcement_cert_no: String,
    pub specialties: Vec<Category>,
    pub max_tasks_per_plan: i64,
    pub periods: Vec<ActivePeriod>,
    pub conflicts: Vec<Conflict>,
}

impl InspectorView {
    pub fn is_active_on(&self, day: Date) -> bool {
        self.periods.iter().any(|p| p.contains(day))
    }

    /// The open period, if the inspector is not (yet) deactivated.
    pub fn open_period(&self) -> Option<&ActivePeriod> {
        self.periods.iter().find(|p| p.deactivated_on.is_none())
    }

    pub fn conflicts_on(&self, day: Date) -> impl Iterator<Item = &Conflict> {
        self.conflicts.iter().filter(move |c| c.in_force_on(day))
    }

    /// The USCCs this inspector must not inspect on `day` — the draw's `conflicts` input.
    pub fn conflict_usccs_on(&self, day: Date) -> Vec<String> {
        let mut v: Vec<String> = self.conflicts_on(day).map(|c| c.institution_uscc.clone()).collect();
        v.sort();
        v.dedup();
        v
    }
}

/// Which inspectors [`Store::inspectors`] lists; all `None` lists everyone, active or not.
#[derive(Debug, Clone, Default)]
pub struct InspectorFilter {
    pub department: Option<Department>,
    pub specialty: Option<Category>,
    pub active_on: Option<Date>,
}

impl InspectorFilter {
    fn admits(&self, i: &InspectorView) -> bool {
        self.department.is_none_or(|d| i.department == d)
            && self.specialty.is_none_or(|c| i.specialties.contains(&c))
            && self.active_on.is_none_or(|d| i.is_active_on(d))
    }
}

// ---- dates as 'YYYY-MM-DD' text: the store's one row-mapping helper, under the names other
// modules still use ----

pub(crate) use crate::sql::{day as parse_day, day_opt as parse_day_opt, day_text, decode};
pub(crate) use lianjian_domain::date::{ymd, ymd_opt};

// ---- validation ----

fn clean(field: &'static str, label: &str, value: &str, max: usize) -> Result<String, InspectorError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(invalid(field, format!("{label}不能为空")));
    }
    if v.chars().count() > max {
        return Err(invalid(field, format!("{label}不能超过 {max} 个字符")));
    }
    Ok(v.to_owned())
}

fn check_code(code: &str) -> Result<String, InspectorError> {
    let c = code.trim();
    if c.is_empty()
        || c.len() > 32
        || !c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
    {
        return Err(invalid("code", "人员编号只能由字母、数字和 - _ 组成,长度 1–32,例如“EEB-0007”"));
    }
    Ok(c.to_owned())
}

fn check_max_tasks(n: i64) -> Result<i64, InspectorError> {
    if !(1..=1000).contains(&n) {
        return Err(invalid("max_tasks_per_plan", "每个计划最多承担任务数应在 1–1000 之间"));
    }
    Ok(n)
}

fn normalise_specialties(mut v: Vec<Category>) -> Vec<Category> {
    v.sort();
    v.dedup();
    v
}

fn specialties_json(v: &[Category]) -> String {
    Value::Array(v.iter().map(|c| Value::String(c.code().to_owned())).collect()).to_string()
}

// ---- reading ----

const INSPECTOR_COLUMNS: &str =
    "id, code, department, name, enforcement_cert_no, specialties, max_tasks_per_plan";

fn inspector_from_row(row: &AnyRow) -> Result<InspectorView, StoreError> {
    let department: String = row.try_get("department")?;
    let specialties: String = row.try_get("specialties")?;
    let codes: Vec<String> =
        serde_json::from_str(&specialties).map_err(|e| decode(format!("specialties: {e}")))?;
    let specialties = codes
        .iter()
        .map(|c| c.parse::<Category>().map_err(|e| decode(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(InspectorView {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        department: department
            .parse()
            .map_err(|e: lianjian_domain::org::UnknownCode| decode(e.to_string()))?,
        name: row.try_get("name")?,
        enforcement_cert_no: row.try_get("enforcement_cert_no")?,
        specialties,
        max_tasks_per_plan: row.try_get("max_tasks_per_plan")?,
        periods: Vec::new(),
        conflicts: Vec::new(),
    })
}

/// Load inspectors (one by code, or all) with their periods and conflicts: three queries, assembled
/// here. The registry holds hundreds to a few thousand people, so loading it whole is cheap.
async fn load(conn: &mut AnyConnection, code: Option<&str>) -> Result<Vec<InspectorView>, StoreError> {
    let sql =
        format!("SELECT {INSPECTOR_COLUMNS} FROM inspectors WHERE ($1 IS NULL OR code = $1) ORDER BY code");
    let rows = sqlx::query(&sql).bind(code).fetch_all(&mut *conn).await?;
    let mut out = rows.iter().map(inspector_from_row).collect::<Result<Vec<_>, _>>()?;
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
        let owner: i64 = row.try_get("inspector_id")?;
        if let Some(&n) = index.get(&owner) {
            out[n].periods.push(ActivePeriod {
                from: parse_day(&row.try_get::<String, _>("active_from")?)?,
                deactivated_on: parse_day_opt(row.try_get("deactivated_on")?)?,
                start_note: row.try_get("start_note")?,
                end_note: row.try_get("end_note")?,
            });
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
        let owner: i64 = row.try_get("inspector_id")?;
        if let Some(&n) = index.get(&owner) {
            out[n].conflicts.push(conflict_from_row(row)?);
        }
    }
    Ok(out)
}

fn conflict_from_row(row: &AnyRow) -> Result<Conflict, StoreError> {
    Ok(Conflict {
        id: row.try_get("id")?,
        institution_uscc: row.try_get("institution_uscc")?,
        reason: ConflictReason::from_parts(
            &row.try_get::<String, _>("reason")?,
            row.try_get("reason_note")?,
        )?,
        from: parse_day(&row.try_get::<String, _>("valid_from")?)?,
        to: parse_day_opt(row.try_get("valid_to")?)?,
    })
}

async fn load_one(conn: &mut AnyConnection, code: &str) -> Result<InspectorView, InspectorError> {
    load(conn, Some(code.trim()))
        .await?
        .pop()
        .ok_or_else(|| InspectorError::Store(StoreError::NotFound(format!("检查人员 {code}"))))
}

fn view_json(v: &InspectorView) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

async fn audited(
    store: &Store,
    conn: &mut AnyConnection,
    actor: &Actor,
    action: &str,
    code: &str,
    before: Option<Value>,
    after: Value,
) -> Result<(), StoreError> {
    let mut draft = AuditDraft::new(actor, action, "inspector", code).after(after);
    if let Some(b) = before {
        draft = draft.before(b);
    }
    audit::append(conn, draft, store.now()).await?;
    Ok(())
}

impl Store {
    /// Register an inspector, active from `active_from`. Audited as `inspector.create`.
    pub async fn add_inspector(
        &self,
        actor: &Actor,
        new: NewInspector,
        active_from: Date,
    ) -> Result<InspectorView, InspectorError> {
        let code = check_code(&new.code)?;
        if !new.department.is_supervisor() {
            return Err(invalid(
                "department",
                format!("检查人员只能属于区生态环境局或区市场监管局,不能是“{}”", new.department.zh()),
            ));
        }
        let name = clean("name", "姓名", &new.name, 64)?;
        let cert = clean("enforcement_cert_no", "执法证号", &new.enforcement_cert_no, 64)?;
        let max_tasks = check_max_tasks(new.max_tasks_per_plan)?;
        let specialties = normalise_specialties(new.specialties);
        let now = self.now_ms();

        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "INSERT INTO inspectors (code, department, name, enforcement_cert_no, specialties, \
             max_tasks_per_plan, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(&code)
        .bind(new.department.code())
        .bind(&name)
        .bind(&cert)
        .bind(specialties_json(&specialties))
        .bind(max_tasks)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => invalid("code", format!("人员编号 {code} 已被使用(人员从不删除,编号不能重复使用)")),
            other => InspectorError::Store(other),
        })?;
        let id: i64 = row.try_get(0)?;
        sqlx::query(
            "INSERT INTO inspector_periods (inspector_id, active_from, start_note) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(day_text(active_from))
        .bind("入库")
        .execute(&mut *tx)
        .await?;
        let view = load_one(&mut tx, &code).await?;
        audited(self, &mut tx, actor, "inspector.create", &code, None, view_json(&view)).await?;
        crate::commit(tx).await?;
        Ok(view)
    }

    /// Correct an inspector's particulars (not the code or department). Audited as
    /// `inspector.update` with before and after.
    pub async fn update_inspector(
        &self,
        actor: &Actor,
        code: &str,
        changes: InspectorChanges,
    ) -> Result<InspectorView, InspectorError> {
        let mut tx = self.begin().await?;
        let before = load_one(&mut tx, code).await?;
        let name = match &changes.name {
            Some(n) => clean("name", "姓名", n, 64)?,
            None => before.name.clone(),
        };
        let cert = match &changes.enforcement_cert_no {
            Some(c) => clean("enforcement_cert_no", "执法证号", c, 64)?,
            None => before.enforcement_cert_no.clone(),
        };
        let specialties =
            normalise_specialties(changes.specialties.unwrap_or_else(|| before.specialties.clone()));
        let max_tasks = check_max_tasks(changes.max_tasks_per_plan.unwrap_or(before.max_tasks_per_plan))?;
        sqlx::query(
            "UPDATE inspectors SET name = $1, enforcement_cert_no = $2, specialties = $3, \
             max_tasks_per_plan = $4, updated_at = $5 WHERE id = $6",
        )
        .bind(&name)
        .bind(&cert)
        .bind(specialties_json(&specialties))
        .bind(max_tasks)
        .bind(self.now_ms())
        .bind(before.id)
        .execute(&mut *tx)
        .await?;
        let after = load_one(&mut tx, code).await?;
        audited(
            self,
            &mut tx,
            actor,
            "inspector.update",
            &after.code,
            Some(view_json(&before)),
            view_json(&after),
        )
        .await?;
        crate::commit(tx).await?;
        Ok(after)
    }

    /// Take an inspector out of the pool from `on` (the first inactive day; may lie in the future).
    /// Audited as `inspector.deactivate`. The inspector stays in the registry.
    pub async fn deactivate_inspector(
        &self,
        actor: &Actor,
        code: &str,
        on: Date,
        reason: &str,
    ) -> Result<InspectorView, InspectorError> {
        let reason = clean("reason", "停用原因", reason, 200)?;
        let mut tx = self.begin().await?;
        let before = load_one(&mut tx, code).await?;
        let open = before
            .open_period()
            .ok_or_else(|| invalid("on", format!("检查人员 {} 已停用,无需再次停用", before.code)))?;
        if on < open.from {
            return Err(invalid(
                "on",
                format!("停用日期 {} 不能早于本次启用日期 {}", day_text(on), day_text(open.from)),
            ));
        }
        sqlx::query(
            "UPDATE inspector_periods SET deactivated_on = $1, end_note = $2 \
             WHERE inspector_id = $3 AND deactivated_on IS NULL",
        )
        .bind(day_text(on))
        .bind(&reason)
        .bind(before.id)
        .execute(&mut *tx)
        .await?;
        let after = load_one(&mut tx, code).await?;
        audited(
            self,
            &mut tx,
            actor,
            "inspector.deactivate",
            &after.code,
            None,
            json!({"deactivated_on": day_text(on), "reason": reason}),
        )
        .await?;
        crate::commit(tx).await?;
        Ok(after)
    }

    /// Bring a deactivated inspector back from `on` (not before the last deactivation): opens a new
    /// period. Audited as `inspector.reactivate`.
    pub async fn reactivate_inspector(
        &self,
        actor: &Actor,
        code: &str,
        on: Date,
        note: &str,
    ) -> Result<InspectorView, InspectorError> {
        let note = clean("note", "恢复原因", note, 200)?;
        let mut tx = self.begin().await?;
        let before = load_one(&mut tx, code).await?;
        if before.open_period().is_some() {
            return Err(invalid("on", format!("检查人员 {} 仍在岗,无需恢复", before.code)));
        }
        let last_end = before.periods.iter().filter_map(|p| p.deactivated_on).max();
        if let Some(end) = last_end.filter(|e| on < *e) {
            return Err(invalid(
                "on",
                format!("恢复日期 {} 不能早于停用日期 {}", day_text(on), day_text(end)),
            ));
        }
        sqlx::query(
            "INSERT INTO inspector_periods (inspector_id, active_from, start_note) VALUES ($1, $2, $3)",
        )
        .bind(before.id)
        .bind(day_text(on))
        .bind(&note)
        .execute(&mut *tx)
        .await?;
        let after = load_one(&mut tx, code).await?;
        audited(
            self,
            &mut tx,
            actor,
            "inspector.reactivate",
            &after.code,
            None,
            json!({"active_from": day_text(on), "note": note}),
        )
        .await?;
        crate::commit(tx).await?;
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
    ) -> Result<Conflict, InspectorError> {
        let uscc = Uscc::parse(institution_uscc).map_err(|e| invalid("institution_uscc", e.to_string()))?;
        if let ConflictReason::Other(note) = &reason {
            if note.trim().is_empty() {
                return Err(invalid("reason", "选择“其他”时须说明利害关系"));
            }
        }
        let reason = match reason {
            ConflictReason::Other(note) => ConflictReason::Other(note.trim().to_owned()),
            r => r,
        };
        if let Some(t) = to.filter(|t| *t < from) {
            return Err(invalid(
                "to",
                format!("回避截止日期 {} 不能早于开始日期 {}", day_text(t), day_text(from)),
            ));
        }
        let mut tx = self.begin().await?;
        let inspector = load_one(&mut tx, code).await?;
        let row = sqlx::query(
            "INSERT INTO inspector_conflicts (inspector_id, institution_uscc, reason, reason_note, valid_from, \
             valid_to, declared_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(inspector.id)
        .bind(uscc.as_str())
        .bind(reason.code())
        .bind(reason.note())
        .bind(day_text(from))
        .bind(to.map(day_text))
        .bind(self.now_ms())
        .fetch_one(&mut *tx)
        .await?;
        let conflict =
            Conflict { id: row.try_get(0)?, institution_uscc: uscc.as_str().to_owned(), reason, from, to };
        let after = serde_json::to_value(&conflict).unwrap_or(Value::Null);
        audited(self, &mut tx, actor, "inspector.conflict_declare", &inspector.code, None, after).await?;
        crate::commit(tx).await?;
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
    ) -> Result<Conflict, InspectorError> {
        let mut tx = self.begin().await?;
        let inspector = load_one(&mut tx, code).await?;
        let before =
            inspector.conflicts.iter().find(|c| c.id == conflict_id).cloned().ok_or_else(|| {
                InspectorError::Store(StoreError::NotFound(format!("回避记录 {conflict_id}")))
            })?;
        if last_day < before.from {
            return Err(invalid(
                "to",
                format!("回避截止日期 {} 不能早于开始日期 {}", day_text(last_day), day_text(before.from)),
            ));
        }
        if let Some(t) = before.to.filter(|t| *t < last_day) {
            return Err(invalid("to", format!("该回避记录已于 {} 结束", day_text(t))));
        }
        sqlx::query("UPDATE inspector_conflicts SET valid_to = $1 WHERE id = $2")
            .bind(day_text(last_day))
            .bind(conflict_id)
            .execute(&mut *tx)
            .await?;
        let after = Conflict { to: Some(last_day), ..before.clone() };
        audited(
            self,
            &mut tx,
            actor,
            "inspector.conflict_end",
            &inspector.code,
            Some(serde_json::to_value(&before).unwrap_or(Value::Null)),
            serde_json::to_value(&after).unwrap_or(Value::Null),
        )
        .await?;
        crate::commit(tx).await?;
        Ok(after)
    }

    /// The registry, filtered, ordered by code; each inspector with the full history.
    pub async fn inspectors(&self, filter: &InspectorFilter) -> Result<Vec<InspectorView>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let all = load(&mut conn, None).await?;
        Ok(all.into_iter().filter(|i| filter.admits(i)).collect())
    }

    pub async fn inspector(&self, code: &str) -> Result<Option<InspectorView>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        Ok(load(&mut conn, Some(code.trim())).await?.pop())
    }

    /// Who may be drawn on `day`: inspectors active that day, each with only the conflicts in force
    /// that day (periods are kept whole). This is what the draw reads.
    pub async fn active_inspectors_on(&self, day: Date) -> Result<Vec<InspectorView>, StoreError> {
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
