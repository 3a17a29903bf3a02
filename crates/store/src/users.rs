//! Accounts 用户 and sign-in failures. Password hashes are produced above this crate; the store only
//! keeps them.

use lianjian_domain::org::{Department, Role};
use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub department: Department,
    pub role: Role,
    pub institution_uscc: Option<String>,
    #[serde(skip)]
    pub password_hash: String,
    pub must_change_password: bool,
    pub active: bool,
    pub locked_until: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub department: Department,
    pub role: Role,
    pub institution_uscc: Option<String>,
    pub password_hash: String,
    pub must_change_password: bool,
}

const USER_COLUMNS: &str = "id, username, display_name, department, role, institution_uscc, password_hash, \
     must_change_password, active, locked_until";

fn user_from_row(row: &sqlx::any::AnyRow) -> Result<User> {
    let department: String = row.try_get("department")?;
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        department: department.parse().map_err(|e| StoreError::Sql(sqlx::Error::Decode(Box::new(e))))?,
        role: role.parse().map_err(|e| StoreError::Sql(sqlx::Error::Decode(Box::new(e))))?,
        institution_uscc: row.try_get("institution_uscc")?,
        password_hash: row.try_get("password_hash")?,
        must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
        active: row.try_get::<i64, _>("active")? != 0,
        locked_until: row.try_get("locked_until")?,
    })
}

pub async fn insert(conn: &mut AnyConnection, user: &NewUser, now: i64) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO users (username, display_name, department, role, institution_uscc, password_hash, \
         must_change_password, active, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8) RETURNING id",
    )
    .bind(&user.username)
    .bind(&user.display_name)
    .bind(user.department.code())
    .bind(user.role.code())
    .bind(&user.institution_uscc)
    .bind(&user.password_hash)
    .bind(i64::from(user.must_change_password))
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| match StoreError::from(e) {
        StoreError::Conflict(_) => StoreError::Conflict(format!("用户名 {} 已被使用", user.username)),
        other => other,
    })?;
    Ok(row.try_get(0)?)
}

pub async fn by_username(conn: &mut AnyConnection, username: &str) -> Result<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
    let row = sqlx::query(&sql).bind(username).fetch_optional(&mut *conn).await?;
    row.as_ref().map(user_from_row).transpose()
}

pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(&mut *conn).await?;
    row.as_ref().map(user_from_row).transpose()
}

pub async fn list(conn: &mut AnyConnection) -> Result<Vec<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY department, role, username");
    let rows = sqlx::query(&sql).fetch_all(&mut *conn).await?;
    rows.iter().map(user_from_row).collect()
}

pub async fn set_password(conn: &mut AnyConnection, id: i64, hash: &str, must_change: bool) -> Result<()> {
    sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3")
        .bind(hash)
        .bind(i64::from(must_change))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_active(conn: &mut AnyConnection, id: i64, active: bool) -> Result<()> {
    sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
        .bind(i64::from(active))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_role(conn: &mut AnyConnection, id: i64, role: Role, department: Department) -> Result<()> {
    sqlx::query("UPDATE users SET role = $1, department = $2 WHERE id = $3")
        .bind(role.code())
        .bind(department.code())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Record a failed sign-in and return how many failures fall inside the window ending now.
pub async fn record_failure(conn: &mut AnyConnection, id: i64, now: i64, window_ms: i64) -> Result<i64> {
    sqlx::query("INSERT INTO login_failures (user_id, at) VALUES ($1, $2)")
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    let row = sqlx::query("SELECT COUNT(*) FROM login_failures WHERE user_id = $1 AND at > $2")
        .bind(id)
        .bind(now - window_ms)
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get(0)?)
}

/// Failed sign-ins from `address` after `since`.
pub async fn address_failures(conn: &mut AnyConnection, address: &str, since: i64) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) FROM sign_in_address_failures WHERE address = $1 AND at > $2")
        .bind(address)
        .bind(since)
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get(0)?)
}

/// Record a failed sign-in from `address`.
pub async fn record_address_failure(conn: &mut AnyConnection, address: &str, now: i64) -> Result<()> {
    sqlx::query("INSERT INTO sign_in_address_failures (address, at) VALUES ($1, $2)")
        .bind(address)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Failed sign-ins in the window ending `now`, and when the account's lockout ends (if it is locked).
pub async fn failures_since(conn: &mut AnyConnection, id: i64, since: i64) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) FROM login_failures WHERE user_id = $1 AND at > $2")
        .bind(id)
        .bind(since)
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get(0)?)
}

pub async fn clear_failures(conn: &mut AnyConnection, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE user_id = $1").bind(id).execute(&mut *conn).await?;
    Ok(())
}

pub async fn lock_until(conn: &mut AnyConnection, id: i64, until: Option<i64>) -> Result<()> {
    sqlx::query("UPDATE users SET locked_until = $1 WHERE id = $2")
        .bind(until)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Store {
    /// Failed sign-ins from `address` after `since`.
    pub async fn address_failures(&self, address: &str, since: i64) -> Result<i64> {
        let mut conn = self.pool().acquire().await?;
        address_failures(&mut conn, address, since).await
    }

    /// Drop address failures older than `before` (they no longer count in any window).
    pub async fn prune_address_failures(&self, before: i64) -> Result<u64> {
        let r = sqlx::query("DELETE FROM sign_in_address_failures WHERE at <= $1")
            .bind(before)
            .execute(self.pool())
            .await?;
        Ok(r.rows_affected())
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        let mut conn = self.pool.acquire().await?;
        by_username(&mut conn, username).await
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<User>> {
        let mut conn = self.pool.acquire().await?;
        by_id(&mut conn, id).await
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        let mut conn = self.pool.acquire().await?;
        list(&mut conn).await
    }

    pub async fn user_count(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) FROM users").fetch_one(&self.pool).await?;
        Ok(row.try_get(0)?)
    }
}
