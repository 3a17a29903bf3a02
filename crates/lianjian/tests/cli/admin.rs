use lianjian_store::testing;

use crate::{err, lianjian, out};

#[test]
fn help_lists_every_subcommand_in_chinese_and_english() {
    let o = lianjian(&["--help"], None);
    assert!(o.status.success());
    let text = out(&o);
    for sub in
        ["demo", "serve", "user", "token", "backup", "restore", "audit", "draw", "migrate", "calendar-add"]
    {
        assert!(text.contains(sub), "{sub} missing from --help:\n{text}");
    }
    assert!(text.contains("审计链") && text.contains("audit chain"));
}

#[test]
fn unknown_subcommand_or_flag_prints_usage_and_exits_2() {
    for args in [&["frobnicate"][..], &["serve", "--no-such-flag"][..]] {
        let o = lianjian(args, None);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(err(&o).contains("Usage"), "{}", err(&o));
    }
}

#[test]
fn a_wrong_or_unreachable_database_is_one_clear_line() {
    for url in ["mysql://127.0.0.1/x", "postgres://127.0.0.1:1/nothing"] {
        let o = lianjian(&["--database-url", url, "audit", "head"], None);
        assert!(!o.status.success(), "{url}");
        let e = err(&o);
        assert!(!e.contains("panicked"), "{e}");
        assert_eq!(e.trim().lines().count(), 1, "one line expected for {url}: {e}");
        assert!(e.contains("数据库"), "{e}");
    }
}

#[tokio::test]
async fn operator_adds_a_user_issues_a_token_and_the_chain_records_it() {
    let (url, _file) = testing::fresh_url().await.unwrap();
    let add = |user: &str, pw: &str| {
        lianjian(
            &[
                "--database-url",
                &url,
                "user",
                "add",
                "--username",
                user,
                "--department",
                "EEB",
                "--role",
                "officer",
                "--password-stdin",
            ],
            Some(&format!("{pw}\n")),
        )
    };
    let weak = add("weak", "short");
    assert!(!weak.status.success());
    assert!(err(&weak).contains("口令至少"), "{}", err(&weak));
    let ok = add("eeb-zhang", "Strong#2026");
    assert!(ok.status.success(), "{}", err(&ok));
    assert!(!add("eeb-zhang", "Strong#2026").status.success(), "duplicate username refused");

    let tok = lianjian(&["--database-url", &url, "token", "create", "--username", "eeb-zhang"], None);
    assert!(tok.status.success(), "{}", err(&tok));
    let token = out(&tok).lines().last().unwrap().to_owned();
    assert!(token.starts_with("ljt_") && token.len() > 40);

    let head = lianjian(&["--database-url", &url, "audit", "head"], None);
    assert!(out(&head).starts_with("2 "), "{}", out(&head));
    let verify = lianjian(&["--database-url", &url, "audit", "verify"], None);
    assert!(verify.status.success(), "{}", out(&verify));

    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("audit.jsonl");
    let e = lianjian(&["--database-url", &url, "audit", "export", "--out", export.to_str().unwrap()], None);
    assert!(e.status.success());
    let text = std::fs::read_to_string(&export).unwrap();
    assert_eq!(text.lines().count(), 2);
    let ok = lianjian(&["audit", "verify", "--file", export.to_str().unwrap()], None);
    assert!(ok.status.success(), "{}", out(&ok));
    let forged = text.replacen("eeb-zhang", "eeb-li", 1);
    std::fs::write(&export, forged).unwrap();
    let bad = lianjian(&["audit", "verify", "--file", export.to_str().unwrap()], None);
    assert!(!bad.status.success());
    assert!(out(&bad).contains("seq 1"), "{}", out(&bad));
}

#[tokio::test]
async fn backup_and_restore_round_trip_and_foreign_files_are_refused() {
    let (url, _file) = testing::fresh_url().await.unwrap();
    let add = lianjian(
        &[
            "--database-url",
            &url,
            "user",
            "add",
            "--username",
            "a1",
            "--department",
            "MSA",
            "--role",
            "leader",
            "--password-stdin",
        ],
        Some("Strong#2026\n"),
    );
    assert!(add.status.success(), "{}", err(&add));
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("lianjian.backup");
    let b = lianjian(&["--database-url", &url, "backup", backup.to_str().unwrap()], None);
    assert!(b.status.success(), "{}", err(&b));
    let add2 = lianjian(
        &[
            "--database-url",
            &url,
            "user",
            "add",
            "--username",
            "a2",
            "--department",
            "MSA",
            "--role",
            "officer",
            "--password-stdin",
        ],
        Some("Strong#2026\n"),
    );
    assert!(add2.status.success());
    let r = lianjian(&["--database-url", &url, "restore", backup.to_str().unwrap()], None);
    assert!(r.status.success(), "{}", err(&r));
    let users = out(&lianjian(&["--database-url", &url, "user", "list"], None));
    assert!(users.contains("a1") && !users.contains("a2"), "{users}");

    let junk = dir.path().join("junk.bin");
    std::fs::write(&junk, b"PK\x03\x04 not a backup").unwrap();
    let r = lianjian(&["--database-url", &url, "restore", junk.to_str().unwrap()], None);
    assert!(!r.status.success());
    assert!(err(&r).contains("不是联监备份文件"), "{}", err(&r));
}

#[tokio::test]
async fn the_demo_fills_a_district_whose_audit_chain_verifies() {
    let (url, _file) = testing::fresh_url().await.unwrap();
    // On the test run's day when CI sets one (LIANJIAN_TEST_TODAY), else on today.
    let day = testing::test_day().map(lianjian_registry::date::format);
    let mut args = vec!["--database-url", &url, "demo", "--no-serve"];
    if let Some(d) = &day {
        args.extend(["--today", d.as_str()]);
    }
    let o = lianjian(&args, None);
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    for account in
        ["eeb-officer", "msa-leader", "water-liaison", "inst-user", "sysadmin", "secadmin", "auditadmin"]
    {
        assert!(text.contains(account), "{account} not printed");
    }
    assert!(text.contains("Demo@2026") && text.contains("区生态环境局"));
    let registry = out(&lianjian(&["--database-url", &url, "export", "registry"], None));
    let snapshot: serde_json::Value = serde_json::from_str(&registry).unwrap();
    assert!(snapshot["institutions"].as_array().unwrap().len() >= 150);
    let verify = lianjian(&["--database-url", &url, "audit", "verify"], None);
    assert!(verify.status.success(), "{}", out(&verify));
}

#[tokio::test]
async fn an_operator_adds_next_years_holidays_and_a_bad_file_is_one_clear_line() {
    let (url, _file) = testing::fresh_url().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("2027.json");
    std::fs::write(&good, r#"{"year": 2027, "papers": ["https://www.gov.cn/example"], "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}"#).unwrap();
    let o = lianjian(
        &["--database-url", &url, "calendar-add", good.to_str().unwrap(), "--note", "国办发明电"],
        None,
    );
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("2027"));
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"year\": 2028, \"days\": [{\"date\": \"2028-13-01\"}]}").unwrap();
    let o = lianjian(&["--database-url", &url, "calendar-add", bad.to_str().unwrap(), "--note", "x"], None);
    assert!(!o.status.success());
    assert_eq!(err(&o).trim().lines().count(), 1, "{}", err(&o));
    assert!(err(&o).contains("bad.json"), "{}", err(&o));
    let head = out(&lianjian(&["--database-url", &url, "audit", "head"], None));
    assert!(head.starts_with("1 "), "one audited addition: {head}");
}

/// Issue 14: on 2026-12-20 the demo's recent draw has tasks due in 2027, whose notice is not shipped;
/// they are counted on the provisional calendar and say so, and loading a 2027 notice counts them
/// again and lists the changed ones for the leaders.
#[tokio::test]
async fn the_demo_on_2026_12_20_marks_its_2027_deadlines_and_a_loaded_notice_lists_them_for_the_leaders() {
    let (url, _file) = testing::fresh_url().await.unwrap();
    let o = lianjian(&["--database-url", &url, "demo", "--no-serve", "--today", "2026-12-20"], None);
    assert!(o.status.success(), "{}", err(&o));
    let store = lianjian_store::Store::open(&url).await.unwrap();
    let mut open_2027 = Vec::new();
    for plan in store.plans(false).await.unwrap() {
        for t in store.plan_tasks(plan.id).await.unwrap() {
            if t.due_on.year() == 2027 {
                assert!(t.due_on_provisional, "task {} due {} is not marked 预估", t.id, t.due_on);
                open_2027.push(t);
            } else {
                assert!(!t.due_on_provisional, "task {} due {}", t.id, t.due_on);
            }
        }
    }
    assert!(!open_2027.is_empty(), "the demo's recent draw has deadlines in 2027");

    // A 2027 notice whose Monday 2027-01-04 is a day off moves every count that crosses it.
    let dir = tempfile::tempdir().unwrap();
    let notice = dir.path().join("2027.json");
    std::fs::write(
        &notice,
        r#"{"year": 2027, "papers": ["https://www.gov.cn/example/2027"], "days": [
            {"name": "元旦", "date": "2027-01-01", "isOffDay": true},
            {"name": "元旦", "date": "2027-01-04", "isOffDay": true}]}"#,
    )
    .unwrap();
    let o = lianjian(
        &["--database-url", &url, "calendar-add", notice.to_str().unwrap(), "--note", "测试通知"],
        None,
    );
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("待科室负责人"), "{}", out(&o));
    let pending = store.deadlines_pending(None).await.unwrap();
    assert_eq!(pending.len(), open_2027.len(), "every 2027 task deadline changed and is listed");
    assert!(pending.iter().all(|d| d.recomputed_on.is_some_and(|r| r > d.due_on)));
    let verify = lianjian(&["--database-url", &url, "audit", "verify"], None);
    assert!(verify.status.success(), "{}", out(&verify));
}
