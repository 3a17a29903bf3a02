//! The random-inspection item list 随机抽查事项清单 (R2, R3) through its use cases: seeded once,
//! revised with history, retired, read as of a day; every change audited.

use lianjian_domain::items::{Item, ItemChanges, ItemMethod, NewItem};
use lianjian_domain::org::{Department, Duty};
use lianjian_store::audit::{Actor, AuditFilter};
use time::macros::date;

use crate::{fresh, refusal};

fn leader() -> Actor {
    Actor { user: "msa-leader".into(), department: "MSA".into(), role: "leader".into(), ip: None }
}

#[tokio::test]
async fn seed_loads_once_with_every_duty_code() {
    let (db, app) = fresh().await;
    let s = &app;
    let n = s.seed_items_if_empty(&leader()).await.unwrap();
    assert_eq!(n, lianjian_domain::items::seed().len());
    assert_eq!(s.seed_items_if_empty(&leader()).await.unwrap(), 0);

    // In force from the plan's issue date, not before.
    assert!(s.items(Some(date!(2024 - 12 - 19))).await.unwrap().is_empty());
    let items = s.items(Some(date!(2025 - 01 - 01))).await.unwrap();
    assert_eq!(items.len(), n);
    for duty in Duty::ALL {
        assert!(items.iter().any(|i| i.duty == *duty && i.department == duty.department()), "{duty}");
    }
    let eeb21 = items.iter().find(|i| i.code == "SJ-EEB-2-01").unwrap();
    assert_eq!((eeb21.department, eeb21.method, eeb21.version), (Department::Eeb, ItemMethod::OnSite, 1));
    let f = AuditFilter { action: Some("item.create".into()), ..AuditFilter::default() };
    assert_eq!(db.store.audit_search(&f, 100, 0).await.unwrap().len(), n);
}

#[tokio::test]
async fn revision_keeps_history_and_each_day_sees_its_version() {
    let (db, app) = fresh().await;
    let s = &app;
    s.seed_items_if_empty(&leader()).await.unwrap();
    let v1 = s.items(None).await.unwrap().into_iter().find(|i| i.code == "SJ-EEB-3-01").unwrap();
    let changes = ItemChanges {
        basis: Some("《生态环境监测条例》".into()),
        method: Some(ItemMethod::DocumentReview),
        ..ItemChanges::default()
    };
    let v2 = s.revise_item(&leader(), "SJ-EEB-3-01", changes, date!(2026 - 01 - 01)).await.unwrap();
    assert_eq!((v2.version, v2.valid_from, v2.valid_to), (2, date!(2026 - 01 - 01), None));
    assert_eq!(v2.content, v1.content);

    let on = |day| async move {
        s.items(Some(day)).await.unwrap().into_iter().find(|i| i.code == "SJ-EEB-3-01").unwrap()
    };
    let before = on(date!(2025 - 12 - 31)).await;
    assert_eq!((before.version, before.basis.as_str()), (1, v1.basis.as_str()));
    assert_eq!(before.valid_to, Some(date!(2025 - 12 - 31)));
    let after = on(date!(2026 - 01 - 01)).await;
    assert_eq!((after.version, after.method), (2, ItemMethod::DocumentReview));
    // Exactly one version per item on any day.
    let n = lianjian_domain::items::seed().len();
    assert_eq!(s.items(Some(date!(2025 - 12 - 31))).await.unwrap().len(), n);
    assert_eq!(s.items(Some(date!(2026 - 01 - 01))).await.unwrap().len(), n);

    let history = s.item_history("SJ-EEB-3-01").await.unwrap();
    assert_eq!(history.iter().map(|i| i.version).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(s.items(None).await.unwrap().iter().find(|i| i.code == "SJ-EEB-3-01").unwrap().version, 2);

    let f = AuditFilter { action: Some("item.revise".into()), ..AuditFilter::default() };
    let e = &db.store.audit_search(&f, 10, 0).await.unwrap()[0];
    assert_eq!(e["before"]["valid_to"], "2025-12-31");
    assert_eq!(e["after"]["version"], 2);
}

#[tokio::test]
async fn refused_revisions_change_nothing() {
    let (_db, app) = fresh().await;
    let s = &app;
    s.seed_items_if_empty(&leader()).await.unwrap();
    let earlier = ItemChanges { content: Some("新内容".into()), ..ItemChanges::default() };
    let e = s.revise_item(&leader(), "SJ-MSA-1-01", earlier, date!(2024 - 12 - 01)).await.unwrap_err();
    assert_eq!(refusal(e), ("effective_from".into(), "revision_too_early"));
    let same = s.items(None).await.unwrap().into_iter().find(|i| i.code == "SJ-MSA-1-01").unwrap();
    let unchanged = ItemChanges { content: Some(format!(" {} ", same.content)), ..ItemChanges::default() };
    let e = s.revise_item(&leader(), "SJ-MSA-1-01", unchanged, date!(2025 - 06 - 01)).await.unwrap_err();
    assert_eq!(refusal(e), ("content".into(), "revision_unchanged"));
    let blank = ItemChanges { basis: Some("  ".into()), ..ItemChanges::default() };
    let e = s.revise_item(&leader(), "SJ-MSA-1-01", blank, date!(2025 - 06 - 01)).await.unwrap_err();
    assert_eq!(refusal(e), ("basis".into(), "required"));
    assert_eq!(s.item_history("SJ-MSA-1-01").await.unwrap().len(), 1);
}

#[tokio::test]
async fn retired_items_leave_the_list_and_their_numbers_are_not_reused() {
    let (db, app) = fresh().await;
    let s = &app;
    s.seed_items_if_empty(&leader()).await.unwrap();
    s.retire_item(&leader(), "SJ-MSA-4-02", date!(2026 - 03 - 31), "并入 SJ-MSA-4-01").await.unwrap();
    let has = |items: Vec<Item>| items.iter().any(|i| i.code == "SJ-MSA-4-02");
    assert!(has(s.items(Some(date!(2026 - 03 - 31))).await.unwrap()));
    assert!(!has(s.items(Some(date!(2026 - 04 - 01))).await.unwrap()));
    assert!(has(s.items(None).await.unwrap()), "the latest-version view keeps retired items");

    let revise = ItemChanges { content: Some("x".into()), ..ItemChanges::default() };
    let e = s.revise_item(&leader(), "SJ-MSA-4-02", revise, date!(2026 - 05 - 01)).await.unwrap_err();
    assert_eq!(e.code(), "item_retired");

    let new = NewItem {
        duty: Duty::Msa4,
        basis: "《检验检测机构监督管理办法》".into(),
        content: "检验检测报告的真实性".into(),
        method: ItemMethod::OffSite,
    };
    let eeb_leader = Actor { department: "EEB".into(), ..leader() };
    let foreign = s.add_item(&eeb_leader, new.clone(), date!(2026 - 04 - 01)).await.unwrap_err();
    assert_eq!(foreign.code(), "forbidden", "a leader adds items under the own department's duties only");
    let added = s.add_item(&leader(), new, date!(2026 - 04 - 01)).await.unwrap();
    assert_eq!((added.code.as_str(), added.department), ("SJ-MSA-4-03", Department::Msa));
    let f = AuditFilter { action: Some("item.retire".into()), ..AuditFilter::default() };
    assert_eq!(db.store.audit_search(&f, 10, 0).await.unwrap()[0]["note"], "并入 SJ-MSA-4-01");
}
