use lianjian_domain::org::{Department, Role};
use lianjian_store::users::{self, NewUser};
use lianjian_store::{testing, StoreError};

fn new_user(name: &str) -> NewUser {
    NewUser {
        username: name.into(),
        display_name: "张三".into(),
        department: Department::Eeb,
        role: Role::Officer,
        institution_uscc: None,
        password_hash: "$argon2id$fake".into(),
        must_change_password: true,
    }
}

#[tokio::test]
async fn migrations_apply_and_reopening_is_idempotent() {
    let db = testing::fresh().await.unwrap();
    let again = lianjian_store::Store::open(&db.url).await.unwrap();
    assert_eq!(again.user_count().await.unwrap(), 0);
    assert_eq!(again.audit_head().await.unwrap().0, 0);
}

#[tokio::test]
async fn user_round_trips_and_duplicate_username_is_a_conflict() {
    let db = testing::fresh().await.unwrap();
    let mut tx = db.store.begin().await.unwrap();
    let id = users::insert(&mut tx, &new_user("eeb-zhang"), 1).await.unwrap();
    lianjian_store::commit(tx).await.unwrap();
    let u = db.store.user_by_username("eeb-zhang").await.unwrap().unwrap();
    assert_eq!(
        (u.id, u.department, u.role, u.must_change_password),
        (id, Department::Eeb, Role::Officer, true)
    );
    let mut tx = db.store.begin().await.unwrap();
    let err = users::insert(&mut tx, &new_user("eeb-zhang"), 2).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
}

#[tokio::test]
async fn failures_are_counted_inside_the_window_only() {
    let db = testing::fresh().await.unwrap();
    let mut tx = db.store.begin().await.unwrap();
    let id = users::insert(&mut tx, &new_user("u1"), 1).await.unwrap();
    assert_eq!(users::record_failure(&mut tx, id, 1_000, 500).await.unwrap(), 1);
    assert_eq!(users::record_failure(&mut tx, id, 1_200, 500).await.unwrap(), 2);
    // 2_000 - 500 = 1_500: both earlier failures fall outside the window.
    assert_eq!(users::record_failure(&mut tx, id, 2_000, 500).await.unwrap(), 1);
    users::clear_failures(&mut tx, id).await.unwrap();
    assert_eq!(users::record_failure(&mut tx, id, 2_100, 500).await.unwrap(), 1);
}

#[tokio::test]
async fn idle_sessions_expire() {
    let db = testing::fresh().await.unwrap();
    let mut tx = db.store.begin().await.unwrap();
    let id = users::insert(&mut tx, &new_user("u2"), 1).await.unwrap();
    lianjian_store::commit(tx).await.unwrap();
    db.store.create_session("h-old", id, "c", 1_000, None).await.unwrap();
    db.store.create_session("h-new", id, "c", 9_000, Some("127.0.0.1")).await.unwrap();
    assert_eq!(db.store.expire_sessions(10_000, 5_000).await.unwrap(), 1);
    assert!(db.store.session("h-old").await.unwrap().is_none());
    assert_eq!(db.store.session("h-new").await.unwrap().unwrap().user_id, id);
}
