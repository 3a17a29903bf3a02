use lianjian_store::audit::{self, Actor, AuditDraft};
use lianjian_store::{backup, testing, Backend};

#[tokio::test]
async fn backup_then_restore_brings_back_the_backed_up_state() {
    let db = testing::fresh().await.unwrap();
    let mut tx = db.store.begin().await.unwrap();
    audit::append(
        &mut tx,
        AuditDraft::new(&Actor::system("t"), "a.b", "x", "1"),
        time::OffsetDateTime::now_utc(),
    )
    .await
    .unwrap();
    lianjian_store::commit(tx).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.bin");
    db.store.backup(&file).await.unwrap();
    assert!(db.store.backup(&file).await.is_err(), "an existing file is never overwritten");

    let mut tx = db.store.begin().await.unwrap();
    audit::append(
        &mut tx,
        AuditDraft::new(&Actor::system("t"), "a.c", "x", "2"),
        time::OffsetDateTime::now_utc(),
    )
    .await
    .unwrap();
    lianjian_store::commit(tx).await.unwrap();
    db.store.close().await;

    // A restore runs with the server stopped. Inside one test process the closed pool's SQLite
    // connections may still be checkpointing on their threads, so SQLite restores into a fresh file;
    // PostgreSQL restores the platform's schema in place.
    let (target, fresh_file) = match db.store.backend() {
        Backend::Sqlite => testing::fresh_url().await.unwrap(),
        Backend::Postgres => (db.url.clone(), None),
    };
    backup::restore(&target, &file).await.unwrap();
    let store = lianjian_store::Store::open(&target).await.unwrap();
    let summary = store.audit_verify().await.unwrap().unwrap();
    assert_eq!(summary.count, 1);
    store.close().await;
    if let Some(f) = fresh_file {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", f.display()));
        }
    }
}

#[tokio::test]
async fn restore_refuses_a_file_that_is_not_a_lianjian_backup() {
    let db = testing::fresh().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-backup.db");
    std::fs::write(&file, "hello, this is not a backup").unwrap();
    let err = backup::restore(&db.url, &file).await.unwrap_err();
    assert!(err.to_string().contains("不是联监备份文件"), "{err}");
    assert_eq!(db.store.audit_head().await.unwrap().0, 0);
}
