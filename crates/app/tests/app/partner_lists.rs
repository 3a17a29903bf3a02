//! Partner-department lists (R11) through their use cases: versions, the submission board on the
//! official calendar, an uploaded file's list, and the institutions that enter the random pool.

use lianjian_app::partner_lists::BoardRow;
use lianjian_app::App;
use lianjian_domain::org::{Category, Department};
use lianjian_domain::partner::{Commission, PartnerListRow, Period, SubmissionState, UploadedRow};
use lianjian_store::audit::{Actor, AuditFilter};
use lianjian_store::partner_lists::ListScope;
use time::macros::date;
use time::Date;

use lianjian_store::testing::{list_row, uscc};

use crate::{fresh, refusal};

fn liaison(d: Department) -> Actor {
    Actor {
        user: format!("{}-liaison", d.code()),
        department: d.code().into(),
        role: "liaison".into(),
        ip: None,
    }
}

fn p(s: &str) -> Period {
    s.parse().unwrap()
}

async fn submit(s: &App, d: Department, period: &str, rows: Vec<PartnerListRow>, on: Date) {
    s.submit_partner_list(&liaison(d), d, p(period), rows, on).await.unwrap();
}

fn cell(board: &[BoardRow], d: Department, period: &str) -> BoardRow {
    board.iter().find(|r| r.department == d && r.period == p(period)).cloned().unwrap()
}

#[tokio::test]
async fn board_shows_on_time_late_and_missing_counted_on_the_official_calendar() {
    let (_db, app) = fresh().await;
    let s = &app;
    let r = || vec![list_row(1, Category::Water, Commission::Enforcement)];
    // 2025 list: due Saturday 2026-01-31, so the deadline is Monday 2026-02-02.
    submit(s, Department::Agri, "2025", r(), date!(2026 - 01 - 20)).await;
    submit(s, Department::Water, "2025", r(), date!(2026 - 02 - 02)).await;
    submit(s, Department::Plan, "2025", r(), date!(2026 - 02 - 25)).await;
    submit(s, Department::Eeb, "2025", r(), date!(2026 - 01 - 30)).await;
    // 2024 list: due Friday 2025-01-31, inside the Spring Festival holiday → deadline Wednesday 02-05.
    submit(s, Department::Transport, "2024", r(), date!(2025 - 02 - 10)).await;
    submit(s, Department::Green, "2024", r(), date!(2025 - 02 - 05)).await;
    // A correction after the board's day must not show yet.
    submit(s, Department::Eeb, "2025", vec![], date!(2026 - 03 - 10)).await;

    let today = date!(2026 - 02 - 25);
    let board = s.partner_board(&[p("2025"), p("2024")], today, None).await.unwrap();
    // Six reporting departments (EEB and the five partners), MSA receives and is not listed.
    assert_eq!(board.len(), 12);
    assert!(board.iter().all(|r| r.department != Department::Msa));

    let on_time =
        |on| SubmissionState::Submitted { on, late: false, late_by_working_days: 0, provisional: false };
    assert_eq!(cell(&board, Department::Agri, "2025").state, on_time(date!(2026 - 01 - 20)));
    // Sent on the Monday the Saturday deadline moved to: on time.
    assert_eq!(cell(&board, Department::Water, "2025").state, on_time(date!(2026 - 02 - 02)));
    // 02-03…06 (4) + 02-09…13 (5) + Saturday 02-14 made a working day (1) + 02-24, 02-25 (2);
    // the Spring Festival days 02-15…23 do not count.
    assert_eq!(
        cell(&board, Department::Plan, "2025").state,
        SubmissionState::Submitted {
            on: date!(2026 - 02 - 25),
            late: true,
            late_by_working_days: 12,
            provisional: false
        }
    );
    let green = cell(&board, Department::Green, "2025");
    assert_eq!(green.state, SubmissionState::Missing { overdue_working_days: 12, provisional: false });
    assert_eq!((green.due, green.deadline), (date!(2026 - 01 - 31), Some(date!(2026 - 02 - 02))));
    assert_eq!((green.versions, green.rows, green.latest_on), (0, 0, None));
    // 02-06, 02-07, Saturday 02-08 (补班), 02-10.
    assert_eq!(
        cell(&board, Department::Transport, "2024").state,
        SubmissionState::Submitted {
            on: date!(2025 - 02 - 10),
            late: true,
            late_by_working_days: 4,
            provisional: false
        }
    );
    assert_eq!(cell(&board, Department::Green, "2024").state, on_time(date!(2025 - 02 - 05)));
    let eeb = cell(&board, Department::Eeb, "2025");
    assert_eq!((eeb.versions, eeb.rows), (1, 1));

    // Later, the correction is visible; timeliness still follows the first submission.
    let later = s.partner_board(&[p("2025")], date!(2026 - 03 - 15), None).await.unwrap();
    let eeb = cell(&later, Department::Eeb, "2025");
    assert_eq!((eeb.versions, eeb.rows, eeb.latest_on), (2, 0, Some(date!(2026 - 03 - 10))));
    assert_eq!(eeb.state, on_time(date!(2026 - 01 - 30)));

    // Before the deadline nobody is missing.
    let early = s.partner_board(&[p("2026H1")], date!(2026 - 06 - 30), None).await.unwrap();
    assert!(early.iter().all(|r| r.state == SubmissionState::NotYetDue));
}

#[tokio::test]
async fn board_for_a_year_without_a_notice_counts_provisionally_and_says_so() {
    let (_db, app) = fresh().await;
    let s = &app;
    // The 2026 list is due Sunday 2027-01-31; 2027's notice is not in the shipped data.
    let board = s.partner_board(&[p("2026")], date!(2027 - 02 - 10), None).await.unwrap();
    for r in &board {
        assert_eq!((r.deadline, r.deadline_provisional), (Some(date!(2027 - 02 - 01)), true));
        assert_eq!(r.state, SubmissionState::Missing { overdue_working_days: 5, provisional: true });
        assert!(r.state.zh().contains("预估"), "{}", r.state.zh());
    }
    // Before the due date the state needs no count.
    let ok = s.partner_board(&[p("2026")], date!(2026 - 12 - 01), None).await.unwrap();
    assert!(ok.iter().all(|r| r.state == SubmissionState::NotYetDue && r.deadline_provisional));
}

#[tokio::test]
async fn a_list_with_bad_rows_is_refused_whole_with_every_problem() {
    let (db, app) = fresh().await;
    let s = &app;
    let mut wrong_check = uscc(2);
    let last = wrong_check.pop().unwrap();
    wrong_check.push(if last == '0' { '1' } else { '0' });
    let rows = vec![
        list_row(1, Category::Water, Commission::Enforcement),
        PartnerListRow { uscc: wrong_check, ..list_row(2, Category::Air, Commission::Government) },
        PartnerListRow {
            institution_name: " ".into(),
            ..list_row(3, Category::Soil, Commission::Government)
        },
        list_row(1, Category::Water, Commission::Enforcement),
        PartnerListRow {
            institution_name: "别的名字".into(),
            ..list_row(1, Category::Noise, Commission::Government)
        },
        PartnerListRow { project: "".into(), ..list_row(4, Category::Noise, Commission::Government) },
    ];
    let err = s
        .submit_partner_list(
            &liaison(Department::Agri),
            Department::Agri,
            p("2025H1"),
            rows,
            date!(2025 - 06 - 20),
        )
        .await
        .unwrap_err();
    let lianjian_app::Error::Refused { code: "partner_list_bad_rows", lines, .. } = &err else {
        panic!("{err:?}")
    };
    let got: Vec<i64> = lines.iter().map(|l| l.line).collect();
    assert_eq!(got, [2, 3, 4, 5, 6]);
    let msg = err.to_string();
    assert!(msg.starts_with("名单有 5 行错误"), "{msg}");
    assert!(msg.contains("第 4 行 项目名称:与第 1 行重复"), "{msg}");
    assert!(msg.contains("校验位"), "{msg}");
    // Nothing stored, nothing audited.
    assert!(s.partner_list(Department::Agri, p("2025H1")).await.unwrap().is_none());
    let f = AuditFilter { action: Some("partner_list".into()), ..AuditFilter::default() };
    assert!(db.store.audit_search(&f, 10, 0).await.unwrap().is_empty());
}

#[tokio::test]
async fn only_eeb_and_partner_departments_report_and_dates_must_make_sense() {
    let (_db, app) = fresh().await;
    let s = &app;
    let field = |e: lianjian_app::Error| refusal(e).0;
    let r = || vec![list_row(1, Category::Water, Commission::Enforcement)];
    for d in [Department::Msa, Department::Inst, Department::Ops] {
        let e =
            s.submit_partner_list(&liaison(d), d, p("2025"), r(), date!(2026 - 01 - 10)).await.unwrap_err();
        assert_eq!(field(e), "department");
    }
    let a = liaison(Department::Water);
    let w = Department::Water;
    let e = s.submit_partner_list(&a, w, p("2025"), r(), date!(2024 - 12 - 31)).await.unwrap_err();
    assert_eq!(field(e), "submitted_on");
    let e = s.submit_partner_list(&a, w, p("2025"), r(), date!(2099 - 01 - 01)).await.unwrap_err();
    assert_eq!(field(e), "submitted_on");
    s.submit_partner_list(&a, w, p("2025"), r(), date!(2026 - 01 - 20)).await.unwrap();
    let e = s.submit_partner_list(&a, w, p("2025"), r(), date!(2026 - 01 - 19)).await.unwrap_err();
    assert_eq!(field(e), "submitted_on");
}

#[tokio::test]
async fn the_latest_version_is_the_list_and_history_is_kept() {
    let (db, app) = fresh().await;
    let s = &app;
    let d = Department::Transport;
    let a = liaison(d);
    let v1 = vec![
        list_row(1, Category::Water, Commission::Enforcement),
        list_row(2, Category::Air, Commission::Government),
    ];
    let first = s.submit_partner_list(&a, d, p("2025H1"), v1, date!(2025 - 06 - 20)).await.unwrap();
    assert_eq!((first.version, first.rows, first.institutions), (1, 2, 2));
    let v2 = vec![
        list_row(1, Category::Water, Commission::Enforcement),
        list_row(1, Category::Soil, Commission::Enforcement),
    ];
    let second = s.submit_partner_list(&a, d, p("2025H1"), v2, date!(2025 - 07 - 02)).await.unwrap();
    assert_eq!((second.version, second.rows, second.institutions), (2, 2, 1));

    let list = s.partner_list(d, p("2025H1")).await.unwrap().unwrap();
    assert_eq!(list.summary.version, 2);
    assert_eq!(
        list.versions.iter().map(|v| v.submitted_on).collect::<Vec<_>>(),
        [date!(2025 - 06 - 20), date!(2025 - 07 - 02)]
    );
    assert_eq!(list.rows.iter().map(|r| r.category).collect::<Vec<_>>(), [Category::Water, Category::Soil]);

    // As of a day between the versions, the first version was the list.
    let between = s.listed_institutions(ListScope::AsOf(date!(2025 - 06 - 30))).await.unwrap();
    assert_eq!(between.iter().map(|i| i.uscc.clone()).collect::<Vec<_>>(), [uscc(1), uscc(2)]);
    let now = s.listed_institutions(ListScope::Period(p("2025H1"))).await.unwrap();
    assert_eq!(now.len(), 1);
    assert_eq!(now[0].categories, [Category::Water, Category::Soil]);

    let f = AuditFilter { action: Some("partner_list.submit".into()), ..AuditFilter::default() };
    let entries = db.store.audit_search(&f, 10, 0).await.unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["object"]["id"], "TRANSPORT/2025H1");
    assert_eq!(entries[0]["after"]["replaces_version"], 1);
    assert_eq!(entries[0]["after"]["rows"][1]["category"], "soil");
}

#[tokio::test]
async fn an_upload_reports_one_period_of_the_uploaders_department() {
    let (db, app) = fresh().await;
    let s = &app;
    let up = |d, period: &str, n| UploadedRow {
        department: d,
        period: p(period),
        row: list_row(n, Category::Water, Commission::Enforcement),
    };
    let a = liaison(Department::Water);
    let e = s
        .submit_partner_list_upload(
            &a,
            Department::Water,
            vec![up(Department::Water, "2025", 1), up(Department::Agri, "2025", 2)],
        )
        .await
        .unwrap_err();
    let lianjian_app::Error::Refused { code: "partner_list_upload_refused", lines, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(
        lines.iter().map(|l| l.line).collect::<Vec<_>>(),
        [3],
        "the second data line, under the header"
    );
    let two = vec![up(Department::Water, "2025", 1), up(Department::Water, "2025H1", 2)];
    assert_eq!(
        s.submit_partner_list_upload(&a, Department::Water, two).await.unwrap_err().code(),
        "partner_list_upload_refused"
    );
    let f = AuditFilter { action: Some("partner_list".into()), ..AuditFilter::default() };
    assert!(db.store.audit_search(&f, 10, 0).await.unwrap().is_empty(), "nothing stored");
    let done = s
        .submit_partner_list_upload(&a, Department::Water, vec![up(Department::Water, "2025", 1)])
        .await
        .unwrap();
    assert_eq!((done.version, done.submitted_on), (1, db.store.today()));
    let own = s.partner_board(&[p("2025")], db.store.today(), Some(Department::Water)).await.unwrap();
    assert_eq!(own.iter().map(|r| r.department).collect::<Vec<_>>(), [Department::Water]);
}
