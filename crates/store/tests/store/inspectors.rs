//! The inspector register 检查人员名录库 in SQL: written through `inspectors::write` in a transaction,
//! read back whole, filtered, as of a day; the database refuses deletions.

use lianjian_domain::inspectors::{
    check_conflict, ConflictReason, InspectorFilter, InspectorView, NewInspector,
};
use lianjian_domain::org::{Category, Department};
use lianjian_store::inspectors::{load_one, write};
use lianjian_store::testing::{new_inspector, uscc};
use lianjian_store::{testing, Store, StoreError};
use time::macros::date;
use time::Date;

/// Write an inspector on duty from `from`, as the use case would after its checks.
async fn add(s: &Store, code: &str, department: Department, specialties: &[Category], from: Date) -> i64 {
    let (code, particulars) = new_inspector(code, department, specialties).check().unwrap();
    let mut tx = s.begin().await.unwrap();
    let id = write::insert(&mut tx, &code, department, &particulars, 0).await.unwrap();
    write::open_period(&mut tx, id, from, "入库").await.unwrap();
    lianjian_store::commit(tx).await.unwrap();
    id
}

async fn three(s: &Store) -> [i64; 3] {
    let d = date!(2025 - 01 - 01);
    [
        add(s, "EEB-0001", Department::Eeb, &[Category::Water, Category::Air], d).await,
        add(s, "EEB-0002", Department::Eeb, &[Category::Noise], d).await,
        add(s, "MSA-0001", Department::Msa, &[Category::Water], date!(2025 - 03 - 01)).await,
    ]
}

fn codes(v: &[InspectorView]) -> Vec<&str> {
    v.iter().map(|i| i.code.as_str()).collect()
}

#[tokio::test]
async fn filter_by_department_specialty_and_day() {
    let db = testing::fresh().await.unwrap();
    let s = &db.store;
    three(s).await;
    let f = |department, specialty, active_on| InspectorFilter { department, specialty, active_on };
    assert_eq!(
        codes(&s.inspectors(&f(Some(Department::Eeb), None, None)).await.unwrap()),
        ["EEB-0001", "EEB-0002"]
    );
    assert_eq!(
        codes(&s.inspectors(&f(None, Some(Category::Water), None)).await.unwrap()),
        ["EEB-0001", "MSA-0001"]
    );
    assert_eq!(
        codes(&s.inspectors(&f(None, Some(Category::Water), Some(date!(2025 - 02 - 01)))).await.unwrap()),
        ["EEB-0001"]
    );
    let one = s.inspector(" MSA-0001 ").await.unwrap().unwrap();
    assert_eq!((one.specialties.as_slice(), one.periods.len()), ([Category::Water].as_slice(), 1));
    assert!(s.inspector("EEB-9999").await.unwrap().is_none());
}

#[tokio::test]
async fn periods_and_conflicts_read_back_as_of_a_day() {
    let db = testing::fresh().await.unwrap();
    let s = &db.store;
    let [eeb1, ..] = three(s).await;
    let conflict =
        check_conflict(&uscc(1), ConflictReason::Other("配偶".into()), date!(2025 - 03 - 01), None).unwrap();
    let mut tx = s.begin().await.unwrap();
    write::close_period(&mut tx, eeb1, date!(2025 - 06 - 01), "调离").await.unwrap();
    write::open_period(&mut tx, eeb1, date!(2025 - 09 - 01), "返岗").await.unwrap();
    let id = write::insert_conflict(&mut tx, eeb1, &conflict, 0).await.unwrap();
    write::end_conflict(&mut tx, id, date!(2025 - 12 - 31)).await.unwrap();
    let seen = load_one(&mut tx, "EEB-0001").await.unwrap();
    lianjian_store::commit(tx).await.unwrap();
    assert_eq!(seen.periods.len(), 2);
    assert_eq!(seen.conflicts[0].reason, ConflictReason::Other("配偶".into()));
    let on = |day| async move {
        let active = s.active_inspectors_on(day).await.unwrap();
        active.iter().find(|i| i.code == "EEB-0001").map(|i| i.conflict_usccs_on(day))
    };
    assert_eq!(on(date!(2025 - 05 - 31)).await, Some(vec![uscc(1)]));
    assert_eq!(on(date!(2025 - 06 - 01)).await, None, "the deactivation day is the first day off duty");
    assert_eq!(on(date!(2025 - 12 - 31)).await, Some(vec![uscc(1)]));
    assert_eq!(on(date!(2026 - 01 - 01)).await, Some(vec![]));
}

#[tokio::test]
async fn the_database_refuses_to_delete_an_inspector_and_codes_are_never_reused() {
    let db = testing::fresh().await.unwrap();
    let s = &db.store;
    let [_, eeb2, _] = three(s).await;
    let conflict = check_conflict(&uscc(7), ConflictReason::Relative, date!(2025 - 01 - 01), None).unwrap();
    let mut tx = s.begin().await.unwrap();
    write::insert_conflict(&mut tx, eeb2, &conflict, 0).await.unwrap();
    lianjian_store::commit(tx).await.unwrap();
    for sql in [
        "DELETE FROM inspectors WHERE code = 'EEB-0002'",
        "DELETE FROM inspector_periods",
        "DELETE FROM inspector_conflicts",
    ] {
        assert!(sqlx::query(sql).execute(s.pool()).await.is_err(), "{sql}");
    }
    assert_eq!(s.inspectors(&InspectorFilter::default()).await.unwrap().len(), 3);
    let (code, p) = NewInspector {
        code: "EEB-0002".into(),
        department: Department::Eeb,
        name: "另一人".into(),
        enforcement_cert_no: "x".into(),
        specialties: vec![],
        max_tasks_per_plan: 1,
    }
    .check()
    .unwrap();
    let mut tx = s.begin().await.unwrap();
    let taken = write::insert(&mut tx, &code, Department::Eeb, &p, 0).await.unwrap_err();
    assert!(matches!(taken, StoreError::Conflict(_)), "{taken:?}");
    drop(tx);
    let mut tx = s.begin().await.unwrap();
    assert!(matches!(load_one(&mut tx, "EEB-9999").await, Err(StoreError::NotFound(_))));
}
