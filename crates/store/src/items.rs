//! The random-inspection item list 随机抽查事项清单 ("一单", R2, R3, R4): what a 双随机 inspection
//! may check, by which department, on what legal basis and how. Published on the public portal.
//!
//! Versioned, never overwritten: a revision closes the version in force (its `valid_to` becomes the
//! day before the revision takes effect) and inserts the next version, so `items(Some(day))` returns
//! the list as it stood on any day — what an inspection notice of that day was based on. Retiring an
//! item closes its last version. Each change is audited in its transaction.

use lianjian_domain::items::{self as seed, item_code, ItemMethod};
use lianjian_domain::org::{Department, Duty, UnknownCode};
use serde::Serialize;
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::{Date, Duration};

use crate::audit::{self, Actor, AuditDraft};
use crate::inspectors::{day_text, decode, parse_day, parse_day_opt, ymd, ymd_opt};
use crate::{Store, StoreError};

/// A change the item rules refuse (with its form field and a Chinese sentence), or a storage failure.
#[derive(Debug, thiserror::Error)]
pub enum ItemError {
    #[error("{message}")]
    Invalid { field: &'static str, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ItemError {
    fn from(e: sqlx::Error) -> Self {
        ItemError::Store(StoreError::from(e))
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> ItemError {
    ItemError::Invalid { field, message: message.into() }
}

/// One version of an item 抽查事项. In force from `valid_from` to `valid_to` inclusive (`None`: open).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub id: i64,
    /// `SJ-EEB-2-01`: the duty code and the item's number under it; the same for all versions.
    pub code: String,
    pub department: Department,
    pub duty: Duty,
    /// Legal basis 检查依据.
    pub basis: String,
    /// What is checked 检查内容.
    pub content: String,
    pub method: ItemMethod,
    pub version: i64,
    #[serde(with = "ymd")]
    pub valid_from: Date,
    #[serde(with = "ymd_opt")]
    pub valid_to: Option<Date>,
}

impl Item {
    pub fn in_force_on(&self, day: Date) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|t| day <= t)
    }
}

/// A new item for [`Store::add_item`]; its code is the next free number under the duty.
#[derive(Debug, Clone)]
pub struct NewItem {
    pub duty: Duty,
    pub basis: String,
    pub content: String,
    pub method: ItemMethod,
}

/// What a revision changes; `None` keeps the field.
#[derive(Debug, Clone, Default)]
pub struct ItemChanges {
    pub basis: Option<String>,
    pub content: Option<String>,
    pub method: Option<ItemMethod>,
}

const COLUMNS: &str = "id, code, version, department, duty, basis, content, method, valid_from, valid_to";

fn item_from_row(row: &AnyRow) -> Result<Item, StoreError> {
    let code_err = |e: UnknownCode| decode(e.to_string());
    Ok(Item {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        department: row.try_get::<String, _>("department")?.parse().map_err(code_err)?,
        duty: row.try_get::<String, _>("duty")?.parse().map_err(code_err)?,
        basis: row.try_get("basis")?,
        content: row.try_get("content")?,
        method: row.try_get::<String, _>("method")?.parse().map_err(code_err)?,
        version: row.try_get("version")?,
        valid_from: parse_day(&row.try_get::<String, _>("valid_from")?)?,
        valid_to: parse_day_opt(row.try_get("valid_to")?)?,
    })
}

fn text(field: &'static str, label: &str, v: &str) -> Result<String, ItemError> {
    let t = v.trim();
    if t.is_empty() {
        return Err(invalid(field, format!("{label}不能为空")));
    }
    if t.chars().count() > 2000 {
        return Err(invalid(field, format!("{label}不能超过 2000 个字符")));
    }
    Ok(t.to_owned())
}

async fn insert(
    store: &Store,
    conn: &mut AnyConnection,
    actor: &Actor,
    code: &str,
    version: i64,
    fields: &NewItem,
    valid_from: Date,
) -> Result<Item, StoreError> {
    let NewItem { duty, basis, content, method } = fields;
    let (duty, method) = (*duty, *method);
    let row = sqlx::query(
        "INSERT INTO inspection_items (code, version, department, duty, basis, content, method, valid_from, \
         created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(code)
    .bind(version)
    .bind(duty.department().code())
    .bind(duty.code())
    .bind(basis)
    .bind(content)
    .bind(method.code())
    .bind(day_text(valid_from))
    .bind(store.now_ms())
    .bind(&actor.user)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Item {
        id: row.try_get(0)?,
        code: code.to_owned(),
        department: duty.department(),
        duty,
        basis: basis.clone(),
        content: content.clone(),
        method,
        version,
        valid_from,
        valid_to: None,
    })
}

/// The latest version of `code`.
async fn latest(conn: &mut AnyConnection, code: &str) -> Result<Item, ItemError> {
    let sql = format!("SELECT {COLUMNS} FROM inspection_items WHERE code = $1 ORDER BY version DESC LIMIT 1");
    let row = sqlx::query(&sql).bind(code.trim()).fetch_optional(&mut *conn).await?;
    match row {
        Some(r) => Ok(item_from_row(&r)?),
        None => Err(ItemError::Store(StoreError::NotFound(format!("抽查事项 {code}")))),
    }
}

async fn audited(
    store: &Store,
    conn: &mut AnyConnection,
    actor: &Actor,
    action: &str,
    before: Option<&Item>,
    after: &Item,
    note: Option<&str>,
) -> Result<(), StoreError> {
    let json = |i: &Item| serde_json::to_value(i).unwrap_or(Value::Null);
    let mut draft = AuditDraft::new(actor, action, "item", &after.code).after(json(after));
    if let Some(b) = before {
        draft = draft.before(json(b));
    }
    if let Some(n) = note {
        draft = draft.note(n);
    }
    audit::append(conn, draft, store.now()).await?;
    Ok(())
}

impl Store {
    /// Load the work plan's item list ([`lianjian_domain::items::seed`]) into an empty table, in force
    /// from the plan's issue date. Returns how many items were inserted (0 when the list already
    /// exists). Each item is audited as `item.create`.
    pub async fn seed_items_if_empty(&self, actor: &Actor) -> Result<usize, ItemError> {
        let mut tx = self.begin().await?;
        let count: i64 =
            sqlx::query("SELECT COUNT(*) FROM inspection_items").fetch_one(&mut *tx).await?.try_get(0)?;
        if count > 0 {
            return Ok(0);
        }
        let items = seed::seed_with_codes();
        for (code, s) in &items {
            let fields = NewItem {
                duty: s.duty,
                basis: s.basis.to_owned(),
                content: s.content.to_owned(),
                method: s.method,
            };
            let item = insert(self, &mut tx, actor, code, 1, &fields, seed::SEED_VALID_FROM).await?;
            audited(self, &mut tx, actor, "item.create", None, &item, Some("工作方案初始清单")).await?;
        }
        crate::commit(tx).await?;
        Ok(items.len())
    }

    /// The list in force on `day` (one version per item), or with `None` the latest version of every
    /// item, retired ones included. Ordered by code.
    pub async fn items(&self, on: Option<Date>) -> Result<Vec<Item>, StoreError> {
        let rows = match on {
            Some(day) => {
                let sql = format!(
                    "SELECT {COLUMNS} FROM inspection_items WHERE valid_from <= $1 \
                     AND (valid_to IS NULL OR valid_to >= $1) ORDER BY code, version"
                );
                sqlx::query(&sql).bind(day_text(day)).fetch_all(self.pool()).await?
            }
            None => {
                let sql = format!(
                    "SELECT {COLUMNS} FROM inspection_items i WHERE version = \
                     (SELECT MAX(version) FROM inspection_items j WHERE j.code = i.code) ORDER BY code"
                );
                sqlx::query(&sql).fetch_all(self.pool()).await?
            }
        };
        rows.iter().map(item_from_row).collect()
    }

    /// Every version of one item, oldest first.
    pub async fn item_history(&self, code: &str) -> Result<Vec<Item>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM inspection_items WHERE code = $1 ORDER BY version");
        let rows = sqlx::query(&sql).bind(code.trim()).fetch_all(self.pool()).await?;
        rows.iter().map(item_from_row).collect()
    }

    /// Add an item under `duty`, in force from `valid_from`. Audited as `item.create`.
    pub async fn add_item(&self, actor: &Actor, new: NewItem, valid_from: Date) -> Result<Item, ItemError> {
        let basis = text("basis", "检查依据", &new.basis)?;
        let content = text("content", "检查内容", &new.content)?;
        let mut tx = self.begin().await?;
        let n: i64 = sqlx::query("SELECT COUNT(DISTINCT code) FROM inspection_items WHERE duty = $1")
            .bind(new.duty.code())
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        let code = item_code(new.duty, u32::try_from(n + 1).unwrap_or(u32::MAX));
        let fields = NewItem { duty: new.duty, basis, content, method: new.method };
        let item = insert(self, &mut tx, actor, &code, 1, &fields, valid_from).await?;
        audited(self, &mut tx, actor, "item.create", None, &item, None).await?;
        crate::commit(tx).await?;
        Ok(item)
    }

    /// Revise an item from `effective_from`: the version in force is closed the day before and a new
    /// version inserted. A revision effective on the current version's first day leaves that version
    /// empty (in force on no day) but still in the history. Audited as `item.revise`.
    pub async fn revise_item(
        &self,
        actor: &Actor,
        code: &str,
        changes: ItemChanges,
        effective_from: Date,
    ) -> Result<Item, ItemError> {
        let mut tx = self.begin().await?;
        let current = latest(&mut tx, code).await?;
        if let Some(to) = current.valid_to {
            return Err(invalid(
                "code",
                format!("抽查事项 {} 已于 {} 废止,不能修订", current.code, day_text(to)),
            ));
        }
        if effective_from < current.valid_from {
            return Err(invalid(
                "effective_from",
                format!(
                    "修订生效日期 {} 不能早于现行版本的生效日期 {}",
                    day_text(effective_from),
                    day_text(current.valid_from)
                ),
            ));
        }
        let basis = match &changes.basis {
            Some(b) => text("basis", "检查依据", b)?,
            None => current.basis.clone(),
        };
        let content = match &changes.content {
            Some(c) => text("content", "检查内容", c)?,
            None => current.content.clone(),
        };
        let method = changes.method.unwrap_or(current.method);
        if basis == current.basis && content == current.content && method == current.method {
            return Err(invalid("content", "修订内容与现行版本相同"));
        }
        let closes = effective_from - Duration::days(1);
        sqlx::query("UPDATE inspection_items SET valid_to = $1 WHERE id = $2")
            .bind(day_text(closes))
            .bind(current.id)
            .execute(&mut *tx)
            .await?;
        let fields = NewItem { duty: current.duty, basis, content, method };
        let next =
            insert(self, &mut tx, actor, &current.code, current.version + 1, &fields, effective_from).await?;
        let closed = Item { valid_to: Some(closes), ..current };
        audited(self, &mut tx, actor, "item.revise", Some(&closed), &next, None).await?;
        crate::commit(tx).await?;
        Ok(next)
    }

    /// Retire an item: `last_day` is the last day it is in force. Audited as `item.retire`.
    pub async fn retire_item(
        &self,
        actor: &Actor,
        code: &str,
        last_day: Date,
        reason: &str,
    ) -> Result<Item, ItemError> {
        let reason = text("reason", "废止原因", reason)?;
        let mut tx = self.begin().await?;
        let current = latest(&mut tx, code).await?;
        if let Some(to) = current.valid_to {
            return Err(invalid("code", format!("抽查事项 {} 已于 {} 废止", current.code, day_text(to))));
        }
        if last_day < current.valid_from {
            return Err(invalid(
                "last_day",
                format!(
                    "废止日期 {} 不能早于现行版本的生效日期 {}",
                    day_text(last_day),
                    day_text(current.valid_from)
                ),
            ));
        }
        sqlx::query("UPDATE inspection_items SET valid_to = $1 WHERE id = $2")
            .bind(day_text(last_day))
            .bind(current.id)
            .execute(&mut *tx)
            .await?;
        let after = Item { valid_to: Some(last_day), ..current.clone() };
        audited(self, &mut tx, actor, "item.retire", Some(&current), &after, Some(&reason)).await?;
        crate::commit(tx).await?;
        Ok(after)
    }
}
