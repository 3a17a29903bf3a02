//! The regulator tunes the off-site checks without a release: a rules file and a method table are
//! uploaded, validated, versioned, audited and used by the next check.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use lianjian_store::audit::Actor;

use crate::client::{get, App};

fn upload(csrf: &str, cookie: &str, kind: &str, note: &str, file: &str) -> Request<Body> {
    let b = "----lianjian-config-boundary";
    let mut body = String::new();
    for (name, value) in [("kind", kind), ("note", note)] {
        body.push_str(&format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\nContent-Type: text/plain\r\n\r\n{file}\r\n--{b}--\r\n"
    ));
    Request::builder()
        .method(Method::POST)
        .uri(format!("/offsite/config?_csrf={csrf}"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={b}"))
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .unwrap()
}

/// One report of institution A with a single sampler: OFF-P02 under the default rules.
fn one_sampler_report() -> String {
    serde_json::json!({
        "report_no": "BSJC-2026-000001", "institution_uscc": "91310113MA1GL0QY3R", "cma_mark": true,
        "certificate_no": "190912345678", "purpose": "commissioned", "commissioned_by": null,
        "issued_on": "2026-10-10", "signatory": {"id": "P-000123", "name": "张三"},
        "samples": [{"sample_id": "W1", "category": "water", "site": "1#",
            "sampled_from": "2026-10-01T09:00:00+08:00", "sampled_to": "2026-10-01T09:30:00+08:00",
            "samplers": [{"id": "P-000124", "name": "李四"}], "received_at": "2026-10-01T14:00:00+08:00",
            "results": [{"parameter": "化学需氧量", "method": "HJ 828-2017", "value": "12", "below_detection": false,
                "detection_limit": "4", "unit": "mg/L", "limit": null, "limit_standard": null,
                "analyzed_at": "2026-10-02T10:00:00+08:00", "analyst": {"id": "P-000124", "name": "李四"},
                "instrument_id": "BSJC-YQ-017"}]}]
    })
    .to_string()
}

fn rules_hit(findings: &[lianjian_offsite::Finding], rule: &str) -> bool {
    findings.iter().any(|f| serde_json::to_value(f).unwrap()["rule"] == rule)
}

#[tokio::test]
async fn an_uploaded_rules_file_changes_the_next_check_and_a_bad_one_is_refused() {
    let app = App::new().await;
    app.state.app.import_registry(&Actor::system("t"), &crate::institutions::snapshot(), None).await.unwrap();
    let before = lianjian_app::App::new(app.db.store.clone()).check_text(one_sampler_report()).await.unwrap();
    assert!(rules_hit(&before.findings, "OFF-P02"), "default rules: one sampler is too few");
    assert!(before.methods_source.contains("embedded"));

    let leader = app.sign_in("eeb-leader").await;
    let bad = app
        .send(upload(
            &leader.csrf,
            &leader.cookie,
            "rules",
            "试行",
            "min_samplers = \"two\"\nno_such_rule = 1\n",
        ))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let bad_csv = app.send(upload(&leader.csrf, &leader.cookie, "methods", "试行", "code,title_zh,category,effective,abolished,replaced_by,source\nHJ 1-2020,x,water,2020-13-45,,,\n")).await;
    assert_eq!(bad_csv.status, StatusCode::UNPROCESSABLE_ENTITY);

    let ok = app
        .send(upload(&leader.csrf, &leader.cookie, "rules", "沪环监〔2026〕3号", "min_samplers = 1\n"))
        .await;
    assert!(ok.status.is_redirection(), "{} {}", ok.status, ok.body);
    let after = lianjian_app::App::new(app.db.store.clone()).check_text(one_sampler_report()).await.unwrap();
    assert!(!rules_hit(&after.findings, "OFF-P02"), "the uploaded rules apply to the next check");
    assert!(after.methods_source.contains("rules#"), "{}", after.methods_source);
    let page = app.send(get("/offsite/config", Some(&leader))).await;
    assert!(
        page.body.contains("沪环监〔2026〕3号") && page.body.contains("min_samplers"),
        "version history shown"
    );

    let officer = app.sign_in("eeb-officer").await;
    let denied = app.send(upload(&officer.csrf, &officer.cookie, "rules", "x", "min_samplers = 1\n")).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN, "officers read the configuration but do not change it");
}

#[tokio::test]
async fn a_method_table_with_a_code_listed_twice_is_accepted_and_the_merge_is_shown() {
    let app = App::new().await;
    let leader = app.sign_in("eeb-leader").await;
    let csv = "code,title_zh,category,effective,abolished,replaced_by,source\n\
               HJ 828-2017,化学需氧量的测定,water,2017-05-01,,,x\n\
               HJ　828－2017,,soil,2018-01-01,,,y\n";
    let ok = app.send(upload(&leader.csrf, &leader.cookie, "methods", "合并测试", csv)).await;
    assert!(ok.status.is_redirection(), "{} {}", ok.status, ok.body);
    let page = app.send(get("/offsite/config", Some(&leader))).await;
    assert!(page.body.contains("id=\"config-merged\""), "{}", page.body);
    assert!(page.body.contains("第 3 行方法标准 HJ　828－2017 与第 2 行编号相同"), "{}", page.body);
    assert!(page.body.contains("方法标准 1 条"), "one method after the merge");
}
