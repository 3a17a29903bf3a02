//! Consistent online backups and restores.
//!
//! SQLite: `VACUUM INTO` writes a transactionally consistent copy while the platform keeps running;
//! restore checks the file is a Lianjian database and copies it into place (the server must be stopped).
//! PostgreSQL: `pg_dump --format=custom` (one snapshot) and `pg_restore`, refusing a dump that does not
//! hold Lianjian's tables.

use std::path::Path;

use sqlx::{Connection, Row};

use crate::backend::sqlite_path;
use crate::{Backend, Result, Store, StoreError};

fn err(msg: impl Into<String>) -> StoreError {
    StoreError::Backup(msg.into())
}

impl Store {
    /// Write a consistent backup of the live database to `file` (which must not exist yet).
    pub async fn backup(&self, file: &Path) -> Result<()> {
        if file.exists() {
            return Err(err(format!("目标文件 {} 已存在,不会覆盖", file.display())));
        }
        match self.backend {
            Backend::Sqlite => {
                let target = file.to_str().ok_or_else(|| err("备份文件路径必须是 UTF-8"))?;
                sqlx::query("VACUUM INTO $1").bind(target).execute(&self.pool).await?;
                Ok(())
            }
            Backend::Postgres => {
                // One schema: the platform's own (public in production, a fresh one per test).
                let row = sqlx::query("SELECT CAST(current_schema() AS TEXT)").fetch_one(&self.pool).await?;
                let schema: String = row.try_get(0)?;
                let schema_arg = format!("--schema={schema}");
                run_tool("pg_dump", &["--format=custom", &schema_arg, "--file", path_str(file)?, &self.url])
                    .await
            }
        }
    }
}

/// Restore `file` into the database at `url`. Refuses anything that is not a Lianjian backup.
pub async fn restore(url: &str, file: &Path) -> Result<()> {
    let bytes = tokio::fs::read(file).await.map_err(|e| err(format!("无法读取 {}:{e}", file.display())))?;
    match Backend::from_url(url)? {
        Backend::Sqlite => {
            if !bytes.starts_with(b"SQLite format 3\0") {
                return Err(err(format!("{} 不是联监备份文件(不是 SQLite 数据库)", file.display())));
            }
            check_sqlite_backup(file).await?;
            let target = sqlite_path(url)?;
            wait_until_unused(&target).await?;
            if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
                tokio::fs::create_dir_all(dir).await.map_err(|e| err(e.to_string()))?;
            }
            for suffix in ["-wal", "-shm"] {
                let side = format!("{}{suffix}", target.display());
                let _ = tokio::fs::remove_file(&side).await;
            }
            tokio::fs::copy(file, &target)
                .await
                .map_err(|e| err(format!("复制到 {} 失败:{e}", target.display())))?;
            Ok(())
        }
        Backend::Postgres => {
            if !bytes.starts_with(b"PGDMP") {
                return Err(err(format!("{} 不是联监备份文件(不是 pg_dump 自定义格式)", file.display())));
            }
            let listing = tool_output("pg_restore", &["--list", path_str(file)?]).await?;
            if !(listing.contains("TABLE DATA")
                && listing.contains(" meta ")
                && listing.contains(" audit_log "))
            {
                return Err(err(format!("{} 不含联监的数据表,拒绝恢复", file.display())));
            }
            run_tool(
                "pg_restore",
                &["--clean", "--if-exists", "--no-owner", "--dbname", url, path_str(file)?],
            )
            .await
        }
    }
}

/// Take and release an exclusive lock on the file being replaced: a connection still finishing its work
/// (a server just stopped, a pool still closing) gets up to ten seconds, and a file that stays locked is
/// refused rather than overwritten under a live connection.
async fn wait_until_unused(target: &Path) -> Result<()> {
    use std::str::FromStr;
    if !target.exists() {
        return Ok(());
    }
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(&format!("sqlite://{}", path_str(target)?))
        .map_err(|e| err(e.to_string()))?
        .busy_timeout(std::time::Duration::from_secs(10));
    let mut conn = sqlx::ConnectOptions::connect(&options).await.map_err(|e| err(e.to_string()))?;
    let locked = sqlx::query("BEGIN EXCLUSIVE").execute(&mut conn).await;
    if locked.is_ok() {
        let _ = sqlx::query("ROLLBACK").execute(&mut conn).await;
    }
    let _ = conn.close().await;
    locked.map(|_| ()).map_err(|_| err(format!("{} 正在被使用,请先停止联监服务再恢复", target.display())))
}

async fn check_sqlite_backup(file: &Path) -> Result<()> {
    let url = format!("sqlite://{}?mode=ro", path_str(file)?);
    let mut conn = sqlx::SqliteConnection::connect(&url).await.map_err(|e| err(e.to_string()))?;
    let product = read_product(&mut conn, file).await;
    let _ = conn.close().await;
    product
}

async fn read_product(conn: &mut sqlx::SqliteConnection, file: &Path) -> Result<()> {
    let row = sqlx::query("SELECT value FROM meta WHERE key = 'product'")
        .fetch_optional(&mut *conn)
        .await
        .map_err(|_| err(format!("{} 不是联监备份文件(缺少 meta 表)", file.display())))?;
    let product: Option<String> = row.map(|r| r.try_get(0)).transpose().map_err(|e| err(e.to_string()))?;
    if product.as_deref() != Some("lianjian") {
        return Err(err(format!("{} 不是联监备份文件", file.display())));
    }
    Ok(())
}

fn path_str(p: &Path) -> Result<&str> {
    p.to_str().ok_or_else(|| err("文件路径必须是 UTF-8"))
}

async fn tool_output(tool: &str, args: &[&str]) -> Result<String> {
    let out = tokio::process::Command::new(tool)
        .args(args)
        .output()
        .await
        .map_err(|e| err(format!("无法运行 {tool}(需要安装 PostgreSQL 客户端):{e}")))?;
    if !out.status.success() {
        return Err(err(format!("{tool} 失败:{}", String::from_utf8_lossy(&out.stderr).trim())));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

async fn run_tool(tool: &str, args: &[&str]) -> Result<()> {
    tool_output(tool, args).await.map(|_| ())
}
