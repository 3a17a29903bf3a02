//! Statements built at run time, shared by the store's modules: values bound in order onto a query
//! ([`Cell`], [`bind_all`]), `LIMIT`/`OFFSET` after them, and multi-row INSERTs and `IN (…)` lists
//! that stay well under SQLite's 32,766 bound-parameter limit and keep PostgreSQL round trips few;
//! and the one way a row's columns are read back: dates ([`day`], [`ymd`]), codes ([`code`]),
//! corruption ([`decode`]).

use std::str::FromStr;

use lianjian_domain::date;
use lianjian_domain::org::UnknownCode;
use sqlx::AnyConnection;
use time::Date;

use crate::{Backend, Result, StoreError};

/// Bound parameters per multi-row statement: a tuning knob, not a dialect difference. SQLite
/// (through sqlx) looks each `$n` up by a linear scan, so binding is quadratic in the statement's
/// size and small statements win; PostgreSQL pays a round trip per statement, so large ones win.
/// Both stay far below SQLite's 32,766 and PostgreSQL's 65,535 limits.
pub(crate) fn max_params(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => 250,
        Backend::Postgres => 6000,
    }
}
/// Keys per `IN (…)` list.
pub(crate) const IN_CHUNK: usize = 500;

/// One bound value.
#[derive(Debug, Clone)]
pub(crate) enum Cell {
    Text(String),
    Null,
    Int(i64),
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }
}

impl From<Option<String>> for Cell {
    fn from(s: Option<String>) -> Cell {
        s.map_or(Cell::Null, Cell::Text)
    }
}

impl From<Option<&String>> for Cell {
    fn from(s: Option<&String>) -> Cell {
        s.map_or(Cell::Null, |s| Cell::Text(s.clone()))
    }
}

impl From<i64> for Cell {
    fn from(v: i64) -> Cell {
        Cell::Int(v)
    }
}

/// `$from, $from+1, …` for `n` parameters.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    let mut s = String::with_capacity(n * 6);
    for k in 0..n {
        if k > 0 {
            s.push_str(", ");
        }
        s.push('$');
        s.push_str(&(from + k).to_string());
    }
    s
}

fn insert_sql(table: &str, cols: &[&str], rows: usize) -> String {
    let width = cols.len();
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        sql.push_str(&placeholders(r * width + 1, width));
        sql.push(')');
    }
    sql
}

/// Binds cells in order onto a query.
pub(crate) fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    cells: &'q [Cell],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for c in cells {
        q = match c {
            Cell::Text(s) => q.bind(s.as_str()),
            Cell::Null => q.bind(None::<&str>),
            Cell::Int(v) => q.bind(*v),
        };
    }
    q
}

/// ` LIMIT $n+1 OFFSET $n+2`: the page, bound after a statement's `n` other parameters.
pub(crate) fn limit_offset(n: usize) -> String {
    format!(" LIMIT ${} OFFSET ${}", n + 1, n + 2)
}

/// Inserts `cells` (row-major, `cols.len()` per row) with as few statements as the limit allows.
/// Full-size batches share one SQL text, so each connection prepares it once.
pub(crate) async fn insert_rows(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
    cols: &[&str],
    cells: &[Cell],
) -> Result<()> {
    let width = cols.len();
    debug_assert_eq!(cells.len() % width, 0);
    let per = (max_params(backend) / width).max(1);
    let full = insert_sql(table, cols, per);
    for chunk in cells.chunks(per * width) {
        let rows = chunk.len() / width;
        let partial;
        let sql = if rows == per {
            &full
        } else {
            partial = insert_sql(table, cols, rows);
            &partial
        };
        bind_all(sqlx::query(sql), chunk).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Runs `sql_for(placeholders)` once per chunk of `keys`, e.g. a `DELETE … WHERE uscc IN ({})`.
pub(crate) async fn execute_in(
    conn: &mut AnyConnection,
    keys: &[String],
    sql_for: impl Fn(&str) -> String,
) -> Result<()> {
    for chunk in keys.chunks(IN_CHUNK) {
        let sql = sql_for(&placeholders(1, chunk.len()));
        let mut q = sqlx::query(&sql);
        for k in chunk {
            q = q.bind(k.as_str());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Like [`execute_in`] but collects the rows of each chunk.
pub(crate) async fn fetch_in(
    conn: &mut AnyConnection,
    keys: &[String],
    sql_for: impl Fn(&str) -> String,
) -> Result<Vec<sqlx::any::AnyRow>> {
    let mut out = Vec::new();
    for chunk in keys.chunks(IN_CHUNK) {
        let sql = sql_for(&placeholders(1, chunk.len()));
        let mut q = sqlx::query(&sql);
        for k in chunk {
            q = q.bind(k.as_str());
        }
        out.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(out)
}

/// A stored value that does not read back is corruption, reported as a decode error.
pub(crate) fn decode(msg: String) -> StoreError {
    StoreError::Sql(sqlx::Error::Decode(msg.into()))
}

/// A stored date (`YYYY-MM-DD`, [`lianjian_domain::date`]); one that does not parse is corruption.
pub(crate) fn day(s: &str) -> Result<Date> {
    date::parse(s).ok_or_else(|| decode(format!("日期“{s}”不是 YYYY-MM-DD")))
}

pub(crate) fn day_opt(s: Option<String>) -> Result<Option<Date>> {
    s.as_deref().map(day).transpose()
}

/// Stored form of a date.
pub(crate) fn ymd(d: Date) -> String {
    date::format(d)
}

/// A stored code of one of the closed vocabularies (department, duty, category, …).
pub(crate) fn code<T: FromStr<Err = UnknownCode>>(s: &str) -> Result<T> {
    s.parse().map_err(|e: UnknownCode| decode(e.to_string()))
}
