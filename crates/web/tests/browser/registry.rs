//! The institution registry 机构名录库 in Chromium: directory search and filters with the Excel
//! export link, institution detail with standing on a chosen day, the upload → preview → confirm
//! import (a bad workbook refused with every problem at its sheet and row, then a good one
//! applied), and the public directory without signing in.

use std::path::Path;
use std::time::{Duration, Instant};

use fantoccini::Locator;
use lianjian_app::institutions::ImportOutcome;
use lianjian_domain::org::{Department, Role};
use lianjian_registry::Snapshot;
use lianjian_store::audit::Actor;
use lianjian_store::institutions::gen::{generate, uscc_for};

use crate::harness::{self, eeb_officer, Browser, Result};

const PASSWORD: &str = "Officer@2026";
const LEADER_PASSWORD: &str = "Leader@2026x";

/// 上海宝山检测技术有限公司: water; suspended 2025-06-01..2025-08-31; restricted 2026-01-10..2026-03-31.
const USCC_A: &str = "91310113MA1GL0QY3R";
const NAME_A: &str = "上海宝山检测技术有限公司";
const CERT_A: &str = "190912345678";
const NAME_B: &str = "上海申环噪声检测有限公司";
const NAME_C: &str = "宝山区环科空气检测中心";
const NOTE: &str = "浏览器测试预置名录";

/// Three institutions: A (water, see [`USCC_A`]), B (noise, not “宝山” in its name), C (air,
/// “宝山” in its name). 李四 is staff at A and B at once, which flags both.
fn snapshot() -> Snapshot {
    let json = serde_json::json!({"institutions": [
        {"uscc": USCC_A, "name": NAME_A, "district": "宝山区", "address": "上海市宝山区友谊路1号",
         "legal_rep": "王五", "phone": "021-56780000",
         "certificates": [{"no": CERT_A, "issuer": "上海市市场监督管理局", "issued_on": "2019-05-10", "expires_on": "2031-05-09",
             "status_history": [{"status": "valid", "from": "2019-05-10"}, {"status": "suspended", "from": "2025-06-01"}, {"status": "valid", "from": "2025-09-01"}],
             "scope": [{"category": "water", "parameter": "化学需氧量", "method": "HJ 828-2017", "from": "2019-05-10", "to": null},
                       {"category": "water", "parameter": "氨氮", "method": "HJ 535-2009", "from": "2019-05-10", "to": null}]}],
         "signatories": [{"person": {"id": "P-000123", "name": "张三"}, "categories": ["water"], "from": "2019-05-10", "to": null}],
         "staff": [{"person": {"id": "P-000124", "name": "李四"}, "roles": ["sampler"], "from": "2020-01-01", "to": null}],
         "instruments": [{"id": "BSJC-YQ-017", "name": "紫外可见分光光度计"}],
         "restrictions": [{"from": "2026-01-10", "to": "2026-03-31", "basis": "宝环罚〔2025〕12号"}]},
        {"uscc": uscc_for(42), "name": NAME_B, "district": "浦东新区", "address": null, "legal_rep": null, "phone": null,
         "certificates": [{"no": "200911112222", "issuer": "上海市市场监督管理局", "issued_on": "2020-03-01", "expires_on": "2032-02-28",
             "status_history": [{"status": "valid", "from": "2020-03-01"}],
             "scope": [{"category": "noise", "parameter": "等效连续A声级", "method": "GB 12348-2008", "from": "2020-03-01", "to": null}]}],
         "signatories": [],
         "staff": [{"person": {"id": "P-000124", "name": "李四"}, "roles": ["analyst"], "from": "2021-01-01", "to": null}],
         "instruments": [], "restrictions": []},
        {"uscc": uscc_for(43), "name": NAME_C, "district": "宝山区", "address": null, "legal_rep": null, "phone": null,
         "certificates": [{"no": "210922223333", "issuer": "上海市市场监督管理局", "issued_on": "2021-04-01", "expires_on": "2033-03-31",
             "status_history": [{"status": "valid", "from": "2021-04-01"}],
             "scope": [{"category": "air", "parameter": "二氧化硫", "method": "HJ 57-2017", "from": "2021-04-01", "to": null}]}],
         "signatories": [], "staff": [], "instruments": [], "restrictions": []}
    ]});
    Snapshot::from_json(&json.to_string()).expect("the test registry is valid JSON")
}

/// Put [`snapshot`] in the store directly, as the operator CLI would.
async fn seed(b: &Browser) -> Result {
    let outcome =
        b.state().app.import_registry(&Actor::system("browser-test"), &snapshot(), Some(NOTE)).await?;
    match outcome {
        ImportOutcome::Applied(_) => Ok(()),
        ImportOutcome::Refused(problems) => Err(format!("test registry refused: {problems:?}").into()),
    }
}

/// Click the element matching `css` and wait until a new page has fully loaded in its place.
///
/// Like `Browser::submit`, but it tells the pages apart by a mark left on the old page's
/// `window` rather than by asking the old page's `<html>` element whether it is stale: when the
/// click already waited for the navigation, Chromium answers that question with “Node with given
/// id does not belong to the document” (an unknown error, not a stale-element one) about one run
/// in three.
async fn submit(b: &Browser, css: &str) -> Result {
    b.client().execute("window.__lianjianOldPage = true;", vec![]).await?;
    b.click(css).await?;
    let deadline = Instant::now() + harness::WAIT;
    loop {
        // While the old document is torn down a script may fail: that is not an answer, ask again.
        let state = b
            .client()
            .execute("return window.__lianjianOldPage ? 'old' : document.readyState;", vec![])
            .await;
        if matches!(&state, Ok(s) if s == "complete") {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "clicking `{css}` did not load a new page within {:?}: {state:?}",
                harness::WAIT
            )
            .into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `Browser::sign_in` with [`submit`].
async fn sign_in(b: &Browser, username: &str, password: &str) -> Result {
    b.goto("/login").await?;
    b.fill("#username", username).await?;
    b.fill("#password", password).await?;
    submit(b, "#submit").await
}

/// The text of each body row of the table matching `css`.
async fn rows(b: &Browser, css: &str) -> Result<Vec<String>> {
    b.find(css).await?;
    let mut out = Vec::new();
    for row in b.client().find_all(Locator::Css(&format!("{css} tbody tr"))).await? {
        out.push(row.text().await?);
    }
    Ok(out)
}

/// Set the `on` date input inside `form_css` (a date input's typed format depends on the
/// browser's locale, so the value is set directly) and submit that form with its button.
async fn view_on(b: &Browser, form_css: &str, day: &str) -> Result {
    b.client()
        .execute(
            "document.querySelector(arguments[0]).value = arguments[1];",
            vec![format!("{form_css} input[name=on]").into(), day.into()],
        )
        .await?;
    submit(b, &format!("{form_css} button")).await
}

/// Choose a file in `#file` and press `#upload`.
async fn upload(b: &Browser, file: &Path) -> Result {
    b.find("#file").await?.send_keys(&file.display().to_string()).await?;
    submit(b, "#upload").await
}

fn leader(username: &str, display_name: &str) -> lianjian_app::accounts::NewAccount {
    harness::account(username, display_name, Department::Eeb, Role::Leader, LEADER_PASSWORD)
}

#[test]
fn officer_searches_the_directory_and_filters_by_category() {
    harness::flow("officer_searches_the_directory_and_filters_by_category", |b| async move {
        seed(&b).await?;
        b.create_account(eeb_officer("zhang.wei", "张伟", PASSWORD)).await?;
        sign_in(&b, "zhang.wei", PASSWORD).await?;
        b.wait_for_path("/eeb").await?;

        b.goto("/registry").await?;
        b.find("#directory-filters").await?;
        let all = rows(&b, "#directory").await?;
        assert_eq!(all.len(), 3, "the whole registry is listed: {all:?}");

        // Part of a name: A and C have “宝山” in their names, B does not.
        b.fill("#f-name", "宝山").await?;
        submit(&b, "#f-submit").await?;
        b.wait_for_path("/registry").await?;
        let found = rows(&b, "#directory").await?;
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().any(|r| r.contains(USCC_A) && r.contains(NAME_A)), "{found:?}");
        assert!(found.iter().any(|r| r.contains(&uscc_for(43)) && r.contains(NAME_C)), "{found:?}");
        assert!(!found.iter().any(|r| r.contains(NAME_B)), "{found:?}");
        // The form keeps what was typed.
        assert_eq!(b.find("#f-name").await?.prop("value").await?.as_deref(), Some("宝山"));

        // Narrow by category: of the two, only C does air.
        b.find("#directory-filters select[name=category]").await?.select_by_value("air").await?;
        submit(&b, "#f-submit").await?;
        let found = rows(&b, "#directory").await?;
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains(NAME_C), "{found:?}");
        assert_eq!(b.text("#directory tbody tr td:nth-child(4)").await?, "气", "the category column");
        // Category alone: noise is B only.
        b.fill("#f-name", "").await?;
        b.find("#directory-filters select[name=category]").await?.select_by_value("noise").await?;
        submit(&b, "#f-submit").await?;
        let found = rows(&b, "#directory").await?;
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains(NAME_B), "{found:?}");

        // Back to name + category; the Excel link carries exactly the query of the page shown.
        b.fill("#f-name", "宝山").await?;
        b.find("#directory-filters select[name=category]").await?.select_by_value("air").await?;
        submit(&b, "#f-submit").await?;
        let url = b.client().current_url().await?;
        let query = url.query().unwrap_or_default().to_owned();
        assert!(query.contains("name=%E5%AE%9D%E5%B1%B1") && query.contains("category=air"), "{query}");
        let href = b.attr("#export-xlsx", "href").await?.unwrap_or_default();
        assert_eq!(href, format!("/registry/export.xlsx?{query}"));
        // And it downloads a workbook with the browser's session.
        let got = b
            .client()
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 fetch(document.querySelector('#export-xlsx').href)
                   .then(r => done([r.status, r.headers.get('content-type') || '']))
                   .catch(e => done([0, String(e)]));",
                vec![],
            )
            .await?;
        assert_eq!(got[0], 200, "{got}");
        assert!(got[1].as_str().unwrap_or_default().contains("spreadsheetml"), "{got}");
        Ok(())
    });
}

#[test]
fn officer_opens_an_institution_and_sees_its_standing_on_another_day() {
    harness::flow("officer_opens_an_institution_and_sees_its_standing_on_another_day", |b| async move {
        seed(&b).await?;
        b.create_account(eeb_officer("zhang.wei", "张伟", PASSWORD)).await?;
        sign_in(&b, "zhang.wei", PASSWORD).await?;
        b.wait_for_path("/eeb").await?;

        b.goto("/registry").await?;
        let detail = format!("/registry/institutions/{USCC_A}");
        submit(&b, &format!("#directory a[href='{detail}']")).await?;
        b.wait_for_path(&detail).await?;

        assert_eq!(b.text("#institution-name").await?, NAME_A);
        assert_eq!(b.text("#institution-uscc").await?, USCC_A);
        // Today the suspension and the restriction are over.
        let standing = b.text("#standing").await?;
        assert!(standing.contains("有证书在有效期内"), "#standing: {standing}");
        assert!(!standing.contains("限制承担"), "#standing: {standing}");
        let certs = rows(&b, "#certificates").await?;
        assert_eq!(certs.len(), 1, "{certs:?}");
        assert!(certs[0].contains(CERT_A) && certs[0].contains("2031-05-09"), "{certs:?}");
        assert!(certs[0].contains("有效") && certs[0].contains("2025-06-01 起暂停"), "{certs:?}");
        let scope = rows(&b, "#scope").await?;
        assert_eq!(scope.len(), 2, "{scope:?}");
        assert!(scope.iter().any(|r| r.contains("化学需氧量") && r.contains("HJ 828-2017")), "{scope:?}");
        assert!(scope.iter().any(|r| r.contains("氨氮") && r.contains("HJ 535-2009")), "{scope:?}");
        // 李四 is registered at B as well.
        let flags = b.text("#flags").await?;
        assert!(flags.contains("李四") && flags.contains(&uscc_for(42)), "#flags: {flags}");
        let timeline = b.text("#timeline").await?;
        assert!(timeline.contains("institution.create") && timeline.contains(NOTE), "#timeline: {timeline}");

        // A day inside the suspension: no certificate in force, the certificate shows 暂停.
        view_on(&b, "#standing form", "2025-07-15").await?;
        b.wait_for_path(&detail).await?;
        let url = b.client().current_url().await?;
        assert_eq!(url.query(), Some("on=2025-07-15"));
        let standing = b.text("#standing").await?;
        assert!(
            standing.contains("2025-07-15 状态") && standing.contains("无有效证书"),
            "#standing: {standing}"
        );
        assert_eq!(b.text("#certificates tbody tr td:nth-child(5)").await?, "暂停");

        // A day inside the restriction: certificate in force again, but restricted, with the basis.
        view_on(&b, "#standing form", "2026-02-01").await?;
        let standing = b.text("#standing").await?;
        assert!(standing.contains("有证书在有效期内"), "#standing: {standing}");
        assert!(
            standing.contains("限制承担执法监测和政府委托监测") && standing.contains("宝环罚〔2025〕12号"),
            "#standing: {standing}"
        );
        assert_eq!(b.text("#certificates tbody tr td:nth-child(5)").await?, "有效");
        Ok(())
    });
}

#[test]
fn leader_import_refuses_a_bad_workbook_listing_every_problem_then_applies_a_good_one() {
    harness::flow(
        "leader_import_refuses_a_bad_workbook_listing_every_problem_then_applies_a_good_one",
        |b| async move {
            seed(&b).await?;
            b.create_account(leader("zhao.lei", "赵磊")).await?;
            sign_in(&b, "zhao.lei", LEADER_PASSWORD).await?;
            b.wait_for_path("/eeb").await?;

            // Two new institutions, in USCC order on the 机构 sheet (rows 2 and 3); the first
            // one's certificates come first on the 证书 sheet (rows 2 and 3).
            let good = generate(2, 3);
            let mut bad = good.clone();
            let inst = &mut bad.institutions[1];
            let last = inst.uscc.pop();
            inst.uscc.push(if last == Some('0') { '1' } else { '0' });
            let cert = &mut bad.institutions[0].certificates[0];
            cert.expires_on = cert.issued_on - time::Duration::days(1);
            let dir = tempfile::tempdir()?;
            let bad_file = dir.path().join("名录-有误.xlsx");
            std::fs::write(&bad_file, lianjian_exchange::snapshot_to_xlsx(&bad)?)?;
            let good_file = dir.path().join("名录-改正.xlsx");
            std::fs::write(&good_file, lianjian_exchange::snapshot_to_xlsx(&good)?)?;

            let before = b.state().app.store().export_registry().await?.to_canonical_json();
            let head = b.state().app.store().audit_head().await?;

            b.goto("/registry/import").await?;
            b.find("#upload-form").await?;
            upload(&b, &bad_file).await?;
            b.wait_for_path("/registry/import").await?;
            let refused = b.text("#import-refused").await?;
            assert!(refused.contains("名录-有误.xlsx") && refused.contains("2 处问题"), "{refused}");
            assert!(!b.exists("#preview-summary").await? && !b.exists("#confirm").await?);
            let problems = rows(&b, "#problems").await?;
            assert_eq!(problems.len(), 2, "{problems:?}");
            assert!(
                problems.iter().any(|p| p.contains("工作表“机构”第 3 行")
                    && p.contains("统一社会信用代码")
                    && p.contains("校验位错误")),
                "the wrong check character at its sheet and row: {problems:?}"
            );
            assert!(
                problems.iter().any(|p| p.contains("工作表“证书”第 2 行")
                    && p.contains("有效期至")
                    && p.contains("早于发证日期")),
                "the expiry before issue at its sheet and row: {problems:?}"
            );
            // Nothing was written: same registry, same audit chain head.
            assert_eq!(b.state().app.store().export_registry().await?.to_canonical_json(), before);
            assert_eq!(b.state().app.store().audit_head().await?, head);

            // The corrected workbook: preview first, still nothing written.
            upload(&b, &good_file).await?;
            let summary = b.text("#preview-summary").await?;
            assert!(summary.contains("新增 2 家,更新 0 家,无变化 0 家"), "#preview-summary: {summary}");
            assert!(!b.exists("#import-refused").await?);
            let preview = rows(&b, "#preview").await?;
            assert_eq!(preview.len(), 2, "{preview:?}");
            for i in 0..2 {
                assert!(
                    preview.iter().any(|r| r.contains(&uscc_for(i)) && r.contains("新增")),
                    "{preview:?}"
                );
            }
            assert_eq!(b.state().app.store().audit_head().await?, head, "a preview writes nothing");

            let note = "2026 年 11 月市局名录同步";
            b.fill("input[name=note]", note).await?;
            submit(&b, "#confirm").await?;
            let done = b.text("#import-done").await?;
            assert!(done.contains("新增 2 家,更新 0 家,无变化 0 家"), "#import-done: {done}");
            assert_eq!(b.state().app.store().export_registry().await?.institutions.len(), 5);
            assert!(b.state().app.store().audit_head().await?.0 > head.0);

            // The new institution is in the directory, and its timeline names the import.
            b.goto("/registry").await?;
            b.fill("#f-name", "第1环境").await?;
            submit(&b, "#f-submit").await?;
            let found = rows(&b, "#directory").await?;
            assert_eq!(found.len(), 1, "{found:?}");
            assert!(found[0].contains(&uscc_for(1)) && found[0].contains("上海第1环境检测技术有限公司"));
            let detail = format!("/registry/institutions/{}", uscc_for(1));
            submit(&b, &format!("#directory a[href='{detail}']")).await?;
            b.wait_for_path(&detail).await?;
            assert_eq!(b.text("#institution-name").await?, "上海第1环境检测技术有限公司");
            let timeline = b.text("#timeline").await?;
            assert!(timeline.contains("institution.create") && timeline.contains(note), "{timeline}");
            Ok(())
        },
    );
}

#[test]
fn public_directory_and_detail_need_no_sign_in() {
    harness::flow("public_directory_and_detail_need_no_sign_in", |b| async move {
        seed(&b).await?;

        b.goto("/public/institutions").await?;
        b.wait_for_path("/public/institutions").await?;
        assert!(!b.exists("#whoami").await?, "nobody is signed in");
        let all = rows(&b, "#directory").await?;
        assert_eq!(all.len(), 3, "{all:?}");
        for name in [NAME_A, NAME_B, NAME_C] {
            assert!(all.iter().any(|r| r.contains(name)), "{name} missing: {all:?}");
        }
        // The filters work signed out, too.
        b.fill("#f-name", "噪声").await?;
        submit(&b, "#f-submit").await?;
        b.wait_for_path("/public/institutions").await?;
        let found = rows(&b, "#directory").await?;
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains(NAME_B), "{found:?}");

        b.goto("/public/institutions").await?;
        let detail = format!("/public/institutions/{USCC_A}");
        submit(&b, &format!("#directory a[href='{detail}']")).await?;
        b.wait_for_path(&detail).await?;
        assert_eq!(b.text("#institution-name").await?, NAME_A);
        assert!(b.text("#standing").await?.contains("有证书在有效期内"));
        assert!(rows(&b, "#certificates").await?[0].contains(CERT_A));
        let scope = rows(&b, "#scope").await?;
        assert!(scope.iter().any(|r| r.contains("化学需氧量")), "{scope:?}");
        // People, phone, instruments, flags and the audit timeline stay internal.
        let body = b.text("body").await?;
        for private in ["李四", "张三", "021-56780000", "BSJC-YQ-017"] {
            assert!(!body.contains(private), "{private} shown on the public page");
        }
        assert!(!b.exists("#flags").await? && !b.exists("#timeline").await?);
        // Standing on a day works publicly as well.
        view_on(&b, "#standing form", "2025-07-15").await?;
        assert!(b.text("#standing").await?.contains("无有效证书"));

        // The internal directory still asks for a sign-in.
        b.goto("/registry").await?;
        b.wait_for_path("/login").await?;
        Ok(())
    });
}
