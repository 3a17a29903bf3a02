//! The item list 随机抽查事项清单 in SQL: versions written through `items::insert` / `items::close` in a
//! transaction, the list as of a day, the latest versions, the history; never deleted.

use lianjian_domain::items::{ItemMethod, NewItem};
use lianjian_domain::org::{Department, Duty};
use lianjian_store::{items, testing, StoreError};
use time::macros::date;

fn fields(duty: Duty, content: &str) -> NewItem {
    NewItem {
        duty,
        basis: "《检验检测机构监督管理办法》".into(),
        content: content.into(),
        method: ItemMethod::OnSite,
    }
}

#[tokio::test]
async fn versions_read_back_as_of_each_day_and_are_never_deleted() {
    let db = testing::fresh().await.unwrap();
    let s = &db.store;
    let mut tx = s.begin().await.unwrap();
    let v1 =
        items::insert(&mut tx, "SJ-MSA-4-01", 1, &fields(Duty::Msa4, "甲"), date!(2025 - 01 - 01), "t", 0)
            .await
            .unwrap();
    items::insert(&mut tx, "SJ-EEB-1-01", 1, &fields(Duty::Eeb1, "乙"), date!(2025 - 01 - 01), "t", 0)
        .await
        .unwrap();
    items::close(&mut tx, v1.id, date!(2025 - 12 - 31)).await.unwrap();
    items::insert(&mut tx, "SJ-MSA-4-01", 2, &fields(Duty::Msa4, "甲(修订)"), date!(2026 - 01 - 01), "t", 0)
        .await
        .unwrap();
    assert_eq!(items::count(&mut tx, Some("MSA-4")).await.unwrap(), 1);
    assert_eq!(items::count(&mut tx, None).await.unwrap(), 2);
    assert_eq!(items::latest(&mut tx, " SJ-MSA-4-01 ").await.unwrap().version, 2);
    assert!(matches!(items::latest(&mut tx, "SJ-X").await, Err(StoreError::NotFound(_))));
    lianjian_store::commit(tx).await.unwrap();

    let on = |day| async move { s.items(Some(day)).await.unwrap() };
    assert!(on(date!(2024 - 12 - 31)).await.is_empty());
    let before = on(date!(2025 - 12 - 31)).await;
    assert_eq!(
        before.iter().map(|i| (i.code.as_str(), i.version)).collect::<Vec<_>>(),
        [("SJ-EEB-1-01", 1), ("SJ-MSA-4-01", 1)]
    );
    assert_eq!(before[1].valid_to, Some(date!(2025 - 12 - 31)));
    let after = on(date!(2026 - 01 - 01)).await;
    assert_eq!((after[1].content.as_str(), after[1].department), ("甲(修订)", Department::Msa));
    assert_eq!(s.items(None).await.unwrap().iter().map(|i| i.version).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(s.item_history("SJ-MSA-4-01").await.unwrap().len(), 2);
    assert!(sqlx::query("DELETE FROM inspection_items").execute(s.pool()).await.is_err());
}
