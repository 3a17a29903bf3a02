//! The random-inspection item list 随机抽查事项清单 ("一单", R2, R3, R4) in the database. The types and
//! rules are `lianjian_domain::items`; the use cases check and audit, this module reads (methods on
//! [`Store`]) and writes inside the caller's transaction.
//!
//! Versioned, never overwritten: a revision closes the version in force (its `valid_to` becomes the
//! day before the revision takes effect) and inserts the next version, so `items(Some(day))` returns
//! the list as it stood on any day — what an inspection notice of that day was based on. Retiring an
//! item closes its last version.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::Date;

use crate::sql::{code, day, day_opt, ymd};
use crate::{Result, Store, StoreError};

pub use lianjian_domain::items::{Item, ItemChanges, ItemMethod, NewItem};

const COLUMNS: &str = "id, code, version, department, duty, basis, content, method, valid_from, valid_to";

fn item_from_row(row: &AnyRow) -> Result<Item> {
    Ok(Item {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        department: code(&row.try_get::<String, _>("department")?)?,
        duty: code(&row.try_get::<String, _>("duty")?)?,
        basis: row.try_get("basis")?,
        content: row.try_get("content")?,
        method: code(&row.try_get::<String, _>("method")?)?,
        version: row.try_get("version")?,
        valid_from: day(&row.try_get::<String, _>("valid_from")?)?,
        valid_to: day_opt(row.try_get("valid_to")?)?,
    })
}

/// Insert version `version` of item `code`, in force from `valid_from`.
pub async fn insert(
    conn: &mut AnyConnection,
    code: &str,
    version: i64,
    fields: &NewItem,
    valid_from: Date,
    by: &str,
    now_ms: i64,
) -> Result<Item> {
    let row = sqlx::query(
        "INSERT INTO inspection_items (code, version, department, duty, basis, content, method, valid_from, \
         created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(code)
    .bind(version)
    .bind(fields.duty.department().code())
    .bind(fields.duty.code())
    .bind(&fields.basis)
    .bind(&fields.content)
    .bind(fields.method.code())
    .bind(ymd(valid_from))
    .bind(now_ms)
    .bind(by)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Item {
        id: row.try_get(0)?,
        code: code.to_owned(),
        department: fields.duty.department(),
        duty: fields.duty,
        basis: fields.basis.clone(),
        content: fields.content.clone(),
        method: fields.method,
        version,
        valid_from,
        valid_to: None,
    })
}

/// Close a version: `last_day` is its last day in force.
pub async fn close(conn: &mut AnyConnection, id: i64, last_day: Date) -> Result<()> {
    sqlx::query("UPDATE inspection_items SET valid_to = $1 WHERE id = $2")
        .bind(ymd(last_day))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// How many items (not versions) exist under `duty`, or in the whole list with `None`.
pub async fn count(conn: &mut AnyConnection, duty: Option<&str>) -> Result<i64> {
    let row =
        sqlx::query("SELECT COUNT(DISTINCT code) FROM inspection_items WHERE ($1 IS NULL OR duty = $1)")
            .bind(duty)
            .fetch_one(&mut *conn)
            .await?;
    Ok(row.try_get(0)?)
}

/// The latest version of `code`, inside the caller's transaction.
pub async fn latest(conn: &mut AnyConnection, code: &str) -> Result<Item> {
    let sql = format!("SELECT {COLUMNS} FROM inspection_items WHERE code = $1 ORDER BY version DESC LIMIT 1");
    match sqlx::query(&sql).bind(code.trim()).fetch_optional(&mut *conn).await? {
        Some(r) => item_from_row(&r),
        None => Err(StoreError::NotFound(format!("抽查事项 {}", code.trim()))),
    }
}

impl Store {
    /// The list in force on `day` (one version per item), or with `None` the latest version of every
    /// item, retired ones included. Ordered by code.
    pub async fn items(&self, on: Option<Date>) -> Result<Vec<Item>> {
        let rows = match on {
            Some(day) => {
                let sql = format!(
                    "SELECT {COLUMNS} FROM inspection_items WHERE valid_from <= $1 \
                     AND (valid_to IS NULL OR valid_to >= $1) ORDER BY code, version"
                );
                sqlx::query(&sql).bind(ymd(day)).fetch_all(self.pool()).await?
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
    pub async fn item_history(&self, code: &str) -> Result<Vec<Item>> {
        let sql = format!("SELECT {COLUMNS} FROM inspection_items WHERE code = $1 ORDER BY version");
        let rows = sqlx::query(&sql).bind(code.trim()).fetch_all(self.pool()).await?;
        rows.iter().map(item_from_row).collect()
    }
}
