use thiserror::Error;

/// Storage errors. The user-facing edge turns these into Chinese sentences; the log keeps the cause.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("不支持的数据库地址“{0}”:只接受 sqlite://路径 或 postgres://…")]
    UnsupportedScheme(String),
    #[error("数据库地址“{url}”无效:{reason}")]
    BadUrl { url: String, reason: String },
    #[error("无法连接数据库 {url}:{reason}")]
    Unreachable { url: String, reason: String },
    #[error("数据库迁移失败:{0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("记录不存在:{0}")]
    NotFound(String),
    #[error("记录已存在:{0}")]
    Conflict(String),
    #[error("审计链错误:{0}")]
    Audit(String),
    #[error("备份或恢复失败:{0}")]
    Backup(String),
    #[error("数据库错误:{0}")]
    Sql(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                return StoreError::Conflict(db.message().to_owned());
            }
        }
        if matches!(e, sqlx::Error::RowNotFound) {
            return StoreError::NotFound("row".into());
        }
        StoreError::Sql(e)
    }
}
