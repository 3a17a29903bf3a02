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
    /// A uniqueness rule of the schema refused the write; the name of the constraint (or what the
    /// calling code says it is) tells the use case which field it concerns. Never shown as is: the
    /// database's own message stays in the log.
    #[error("记录已存在({0})")]
    Conflict(String),
    /// A write referred to a row that does not exist (a foreign key).
    #[error("引用的记录不存在({0})")]
    MissingReference(String),
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
            // The constraint's name, not the message (which quotes the values and the schema): on
            // SQLite, whose errors name no constraint, the message's column list stands in.
            let which = || db.constraint().map(str::to_owned).unwrap_or_else(|| sqlite_columns(db.message()));
            if db.is_unique_violation() {
                tracing::debug!(message = db.message(), "unique violation");
                return StoreError::Conflict(which());
            }
            if db.is_foreign_key_violation() {
                tracing::debug!(message = db.message(), "foreign key violation");
                return StoreError::MissingReference(which());
            }
        }
        if matches!(e, sqlx::Error::RowNotFound) {
            return StoreError::NotFound("row".into());
        }
        StoreError::Sql(e)
    }
}

/// `UNIQUE constraint failed: users.username` → `users.username`; anything else → empty.
fn sqlite_columns(message: &str) -> String {
    message.split_once("failed: ").map(|(_, cols)| cols.trim().to_owned()).unwrap_or_default()
}
