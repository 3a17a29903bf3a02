use lianjian_audit::BreakReason;
use lianjian_store::audit::{self, Actor, AuditDraft};
use lianjian_store::{testing, Backend, Store};
use serde_json::json;

async fn append_n(store: &Store, n: usize) {
    let actor = Actor {
        user: "eeb-zhang".into(),
        department: "EEB".into(),
        role: "officer".into(),
        ip: Some("10.1.2.3".into()),
    };
    for i in 0..n {
        let mut tx = store.begin().await.unwrap();
        let draft =
            AuditDraft::new(&actor, "institution.update", "institution", format!("91310113MA1G8{i:05}"))
                .before(json!({"name": "上海某某检测"}))
                .after(json!({"name": format!("上海某某检测技术有限公司{i}"), "fine_fen": 500000}));
        audit::append(&mut tx, draft, time::OffsetDateTime::now_utc()).await.unwrap();
        lianjian_store::commit(tx).await.unwrap();
    }
}

/// What an attacker with database access would do first: switch the append-only guard off.
async fn disable_guard(store: &Store) {
    let stmts: &[&str] = match store.backend() {
        Backend::Sqlite => &["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"],
        Backend::Postgres => &["ALTER TABLE audit_log DISABLE TRIGGER USER"],
    };
    for s in stmts {
        sqlx::query(s).execute(store.pool()).await.unwrap();
    }
}

#[tokio::test]
async fn appended_chain_verifies_and_head_matches() {
    let db = testing::fresh().await.unwrap();
    append_n(&db.store, 12).await;
    let summary = db.store.audit_verify().await.unwrap().unwrap();
    assert_eq!(summary.count, 12);
    assert_eq!(db.store.audit_head().await.unwrap(), (12, summary.head));
}

#[tokio::test]
async fn the_database_refuses_update_and_delete_of_audit_rows() {
    let db = testing::fresh().await.unwrap();
    append_n(&db.store, 2).await;
    let upd = sqlx::query("UPDATE audit_log SET note = 'x' WHERE seq = 1").execute(db.store.pool()).await;
    assert!(upd.is_err(), "UPDATE must be refused");
    let del = sqlx::query("DELETE FROM audit_log WHERE seq = 2").execute(db.store.pool()).await;
    assert!(del.is_err(), "DELETE must be refused");
    assert!(db.store.audit_verify().await.unwrap().is_ok());
}

#[tokio::test]
async fn an_edited_row_is_reported_at_its_seq() {
    let db = testing::fresh().await.unwrap();
    append_n(&db.store, 10).await;
    disable_guard(&db.store).await;
    sqlx::query("UPDATE audit_log SET after_json = '{\"fine_fen\":1}' WHERE seq = 7")
        .execute(db.store.pool())
        .await
        .unwrap();
    let broken = db.store.audit_verify().await.unwrap().unwrap_err();
    assert_eq!(broken.seq, 7);
    assert!(matches!(broken.reason, BreakReason::HashMismatch { .. }), "{broken}");
}

#[tokio::test]
async fn a_deleted_row_is_reported_at_its_seq() {
    let db = testing::fresh().await.unwrap();
    append_n(&db.store, 10).await;
    disable_guard(&db.store).await;
    sqlx::query("DELETE FROM audit_log WHERE seq = 4").execute(db.store.pool()).await.unwrap();
    let broken = db.store.audit_verify().await.unwrap().unwrap_err();
    assert_eq!(broken.seq, 4);
    assert!(matches!(broken.reason, BreakReason::Gap { expected: 4, found: 5 }), "{broken}");
}

#[tokio::test]
async fn deleting_the_newest_rows_is_caught_by_the_head() {
    let db = testing::fresh().await.unwrap();
    append_n(&db.store, 6).await;
    disable_guard(&db.store).await;
    sqlx::query("DELETE FROM audit_log WHERE seq >= 5").execute(db.store.pool()).await.unwrap();
    let broken = db.store.audit_verify().await.unwrap().unwrap_err();
    assert_eq!(broken.seq, 5, "{broken}");
}

#[tokio::test]
async fn concurrent_appenders_keep_one_gapless_chain() {
    let db = testing::fresh().await.unwrap();
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let store = db.store.clone();
            tokio::spawn(async move { append_n(&store, 5).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let summary = db.store.audit_verify().await.unwrap().unwrap();
    assert_eq!(summary.count, 20);
}

#[tokio::test]
async fn a_rolled_back_change_leaves_no_audit_entry() {
    let db = testing::fresh().await.unwrap();
    append_n(&db.store, 1).await;
    let mut tx = db.store.begin().await.unwrap();
    audit::append(
        &mut tx,
        AuditDraft::new(&Actor::system("t"), "x.y", "x", "1"),
        time::OffsetDateTime::now_utc(),
    )
    .await
    .unwrap();
    drop(tx);
    assert_eq!(db.store.audit_verify().await.unwrap().unwrap().count, 1);
    assert_eq!(db.store.audit_head().await.unwrap().0, 1);
}
