//! Partner-department lists in SQL: versions written through `partner_lists::insert`, read back with
//! their rows, the submissions of a day, and the institutions listed as of a day or for a period.

use lianjian_domain::org::{Category, Department};
use lianjian_domain::partner::{Commission, PartnerListRow, Period};
use lianjian_store::partner_lists::{self, ListScope, NewSubmission};
use lianjian_store::testing::{list_row, uscc};
use lianjian_store::{testing, Store};
use time::macros::date;
use time::Date;

fn p(s: &str) -> Period {
    s.parse().unwrap()
}

async fn insert(
    s: &Store,
    department: Department,
    period: &str,
    version: i64,
    rows: &[PartnerListRow],
    on: Date,
) {
    let new =
        NewSubmission { department, period: p(period), version, submitted_on: on, submitted_by: "t", rows };
    let mut tx = s.begin().await.unwrap();
    partner_lists::insert(&mut tx, &new, 0).await.unwrap();
    lianjian_store::commit(tx).await.unwrap();
}

#[tokio::test]
async fn versions_rows_and_the_submissions_of_a_day_read_back() {
    let db = testing::fresh().await.unwrap();
    let s = &db.store;
    let d = Department::Transport;
    insert(
        s,
        d,
        "2025H1",
        1,
        &[
            list_row(1, Category::Water, Commission::Enforcement),
            list_row(2, Category::Air, Commission::Government),
        ],
        date!(2025 - 06 - 20),
    )
    .await;
    insert(
        s,
        d,
        "2025H1",
        2,
        &[
            list_row(1, Category::Water, Commission::Enforcement),
            list_row(1, Category::Soil, Commission::Enforcement),
        ],
        date!(2025 - 07 - 02),
    )
    .await;
    let list = s.partner_list(d, p("2025H1")).await.unwrap().unwrap();
    assert_eq!((list.summary.version, list.summary.rows, list.summary.institutions), (2, 2, 1));
    assert_eq!(list.versions.len(), 2);
    assert_eq!(list.rows.iter().map(|r| r.category).collect::<Vec<_>>(), [Category::Water, Category::Soil]);
    assert_eq!(s.partner_submissions(date!(2025 - 06 - 30)).await.unwrap().len(), 1);
    assert_eq!(s.partner_submissions(date!(2025 - 07 - 02)).await.unwrap().len(), 2);
    assert!(s.partner_list(Department::Agri, p("2025H1")).await.unwrap().is_none());
    assert!(sqlx::query("DELETE FROM partner_list_rows").execute(s.pool()).await.is_err());
}

#[tokio::test]
async fn listed_institutions_merge_departments_and_follow_the_newest_period() {
    let db = testing::fresh().await.unwrap();
    let s = &db.store;
    insert(
        s,
        Department::Agri,
        "2025H1",
        1,
        &[list_row(1, Category::Soil, Commission::Enforcement)],
        date!(2025 - 06 - 20),
    )
    .await;
    let water = [
        list_row(1, Category::Water, Commission::Government),
        list_row(3, Category::Sediment, Commission::Government),
    ];
    insert(s, Department::Water, "2025H1", 1, &water, date!(2025 - 06 - 25)).await;
    // AGRI's yearly list no longer has institution 1 but has 5.
    insert(
        s,
        Department::Agri,
        "2025",
        1,
        &[list_row(5, Category::Biology, Commission::Government)],
        date!(2026 - 01 - 20),
    )
    .await;

    let mid = s.listed_institutions(ListScope::AsOf(date!(2025 - 12 - 31))).await.unwrap();
    let one = mid.iter().find(|i| i.uscc == uscc(1)).unwrap();
    assert_eq!(one.departments, [Department::Agri, Department::Water]);
    assert_eq!(one.categories, [Category::Water, Category::Soil]);
    assert_eq!(one.commissions, [Commission::Enforcement, Commission::Government]);
    assert_eq!(mid.len(), 2);

    let later = s.listed_institutions(ListScope::AsOf(date!(2026 - 02 - 01))).await.unwrap();
    let got: Vec<(String, Vec<Department>)> =
        later.iter().map(|i| (i.uscc.clone(), i.departments.clone())).collect();
    assert_eq!(
        got,
        [
            (uscc(1), vec![Department::Water]),
            (uscc(3), vec![Department::Water]),
            (uscc(5), vec![Department::Agri])
        ]
    );
    assert_eq!(s.listed_institutions(ListScope::Period(p("2025"))).await.unwrap().len(), 1);
    assert!(s.listed_institutions(ListScope::AsOf(date!(2025 - 06 - 01))).await.unwrap().is_empty());
}
