//! Report upload and the background off-site check over HTTP: ownership of uploaded lines, findings
//! routed to the department of their duty code, worklists with evidence and Excel export, re-check
//! after a registry correction (old result kept as history), the pre-submission validator.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use lianjian_app::accounts::NewAccount;
use lianjian_app::institutions::ImportOutcome;
use lianjian_corpus::{generate, CorpusSpec};
use lianjian_domain::org::{Department, Role};
use lianjian_registry::{Instrument, Snapshot};
use lianjian_store::audit::{Actor, AuditFilter};
use serde_json::Value;

use crate::client::{get, App, Session, PASSWORD};

/// Run every queued check now, as the server's background workers would.
async fn drain(store: &lianjian_store::Store, worker: &str) -> lianjian_app::Result<usize> {
    lianjian_app::worker::drain(&lianjian_app::App::new(store.clone()), worker).await
}

/// A district with the corpus registry, an institution account for one of its institutions, and
/// that institution's clean reports.
struct World {
    app: App,
    snapshot: Snapshot,
    uscc: String,
    other_uscc: String,
    reports: Vec<Value>,
}

async fn world() -> World {
    let app = App::new().await;
    let spec = CorpusSpec { seed: 5, reports: 60, institutions: 2, plant: false, ..CorpusSpec::default() };
    let mut out = Vec::new();
    let corpus = generate(&spec, &mut out).unwrap();
    let snapshot = corpus.snapshot;
    let outcome =
        app.state.app.import_registry(&Actor::system("test"), &snapshot, Some("测试")).await.unwrap();
    assert!(matches!(outcome, ImportOutcome::Applied(_)), "{outcome:?}");
    let uscc = snapshot.institutions[4].uscc.clone();
    let other_uscc = snapshot.institutions[5].uscc.clone();
    let reports: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|r: &Value| r["institution_uscc"] == uscc.as_str())
        .collect();
    assert!(reports.len() >= 3, "the corpus gives the institution a few reports");
    lianjian_app::App::new(app.db.store.clone())
        .create_user(
            &Actor::system("test"),
            NewAccount {
                username: "corpus-inst".into(),
                display_name: "语料机构".into(),
                department: Department::Inst,
                role: Role::Institution,
                institution_uscc: Some(uscc.clone()),
                password: PASSWORD.into(),
                must_change_password: false,
            },
        )
        .await
        .unwrap();
    World { app, snapshot, uscc, other_uscc, reports }
}

fn jsonl(reports: &[Value]) -> String {
    reports.iter().map(|r| r.to_string() + "\n").collect()
}

fn post_text(uri: &str, s: &Session, body: &str) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/x-ndjson")
        .header(header::COOKIE, &s.cookie)
        .header("x-csrf-token", &s.csrf)
        .body(Body::from(body.to_owned()))
        .unwrap()
}

fn bearer(uri: &str, token: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(body.to_owned()))
        .unwrap()
}

/// A report with one sampler only: OFF-P02 (EEB-2, routed to EEB).
fn one_sampler(r: &Value) -> Value {
    let mut r = r.clone();
    let first = r["samples"][0]["samplers"][0].clone();
    r["samples"][0]["samplers"] = Value::Array(vec![first]);
    r
}

/// A report whose first result used an instrument the registry does not list: OFF-I01 (MSA-2).
fn unregistered_instrument(r: &Value) -> Value {
    let mut r = r.clone();
    r["samples"][0]["results"][0]["instrument_id"] = "NEW-YQ-001".into();
    r
}

fn rules_of(findings: &Value, report_no: &str) -> Vec<String> {
    findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["report_no"] == report_no)
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_institutions_batch_with_another_institutions_line_is_refused_whole_and_findings_reach_the_routed_department(
) {
    let w = world().await;
    let inst = w.app.sign_in("corpus-inst").await;
    let planted = one_sampler(&w.reports[1]);
    let mut foreign = w.reports[2].clone();
    foreign["institution_uscc"] = w.other_uscc.clone().into();
    let body = jsonl(&[w.reports[0].clone(), planted.clone(), foreign, w.reports[3].clone()]);
    let r = w.app.send(post_text("/api/v1/reports", &inst, &body)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/problem+json");
    let p = r.json();
    assert_eq!(p["code"], "reports_not_own");
    assert_eq!(p["lines"].as_array().unwrap().len(), 1, "{p}");
    assert_eq!(p["lines"][0]["line"], 3);
    assert!(p["lines"][0]["reason"].as_str().unwrap().contains(&w.other_uscc));
    assert!(p["detail"].as_str().unwrap().contains("整批未接收"), "{p}");
    assert!(w.app.db.store.report_batches(None, 10, 0).await.unwrap().is_empty(), "nothing stored");

    // Without the other institution's report the batch is filed (the blank line listed).
    let body = jsonl(&[w.reports[0].clone(), planted.clone(), w.reports[3].clone()]) + "\n";
    let r = w.app.send(post_text("/api/v1/reports", &inst, &body)).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let up = r.json();
    assert_eq!(up["accepted"], 3);
    assert_eq!(up["refused"][0]["line"], 4);
    let batch = up["batch_id"].as_i64().unwrap();

    // Stored, not yet checked: the check runs in the background.
    let status = w.app.send(get(&format!("/api/v1/reports/batches/{batch}"), Some(&inst))).await;
    assert_eq!(status.status, StatusCode::OK, "{}", status.body);
    assert_eq!(status.json()["batch"]["latest_state"], "queued");
    assert_eq!(drain(&w.app.db.store, "test-worker").await.unwrap(), 1);
    let status = w.app.send(get(&format!("/api/v1/reports/batches/{batch}"), Some(&inst))).await.json();
    assert_eq!(status["batch"]["latest_state"], "done");
    assert_eq!(status["batch"]["uploaded_by"], "corpus-inst");

    let report_no = planted["report_no"].as_str().unwrap();
    let eeb = w.app.sign_in("eeb-officer").await;
    let msa = w.app.sign_in("msa-officer").await;
    let eeb_list = w.app.send(get("/api/v1/findings", Some(&eeb))).await.json();
    assert!(rules_of(&eeb_list, report_no).contains(&"OFF-P02".to_owned()), "{eeb_list}");
    let msa_list = w.app.send(get("/api/v1/findings", Some(&msa))).await.json();
    assert!(!rules_of(&msa_list, report_no).contains(&"OFF-P02".to_owned()));
    // The blank line 4 is listed at upload, not checked again as a blank placeholder.
    let batch_findings =
        w.app.send(get(&format!("/api/v1/reports/batches/{batch}/findings"), Some(&eeb))).await.json();
    assert!(
        batch_findings.as_array().unwrap().iter().all(|f| f["evidence"]["error"] != "blank line"),
        "{batch_findings}"
    );
    assert!(msa_list.as_array().unwrap().iter().all(|f| f["department"] == "MSA"));

    // The institution reads its own reports' errors, not the departments' worklists, and may not
    // re-check; nor upload through the page as another.
    let r = w.app.send(get("/api/v1/findings", Some(&inst))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w.app.send(get(&format!("/api/v1/reports/batches/{batch}/findings"), Some(&inst))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(rules_of(&r.json(), report_no).contains(&"OFF-P02".to_owned()), "{}", r.body);
    let r = w.app.send(post_text(&format!("/api/v1/reports/batches/{batch}/recheck"), &inst, "")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Another institution's account does not see the batch at all.
    let other = w.app.sign_in("inst-user").await;
    let r = w.app.send(get(&format!("/api/v1/reports/batches/{batch}"), Some(&other))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_upload_of_only_foreign_lines_is_refused_whole_and_a_partner_liaison_may_not_upload() {
    let w = world().await;
    let inst = w.app.sign_in("corpus-inst").await;
    let mut foreign = w.reports[0].clone();
    foreign["institution_uscc"] = w.other_uscc.clone().into();
    let r = w.app.send(post_text("/api/v1/reports", &inst, &jsonl(&[foreign]))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["code"], "reports_not_own");
    assert!(w.app.db.store.report_batches(None, 10, 0).await.unwrap().is_empty());
    let liaison = w.app.sign_in("water-liaison").await;
    let r = w.app.send(post_text("/api/v1/reports", &liaison, &jsonl(&w.reports[..1]))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_city_feed_token_and_officers_may_upload_any_institutions_reports() {
    let w = world().await;
    let token = lianjian_app::App::new(w.app.db.store.clone())
        .create_token(&Actor::system("test"), "city-feed", "市级系统推送")
        .await
        .unwrap();
    let mut mixed = w.reports[..2].to_vec();
    mixed[1]["institution_uscc"] = w.other_uscc.clone().into();
    let r = w.app.send(bearer("/api/v1/reports", &token, &jsonl(&mixed))).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    assert_eq!(r.json()["accepted"], 2);
    // No administrator files reports (三员分立): not with a session, not with a token.
    let admin = w.app.sign_in("sysadmin").await;
    let r = w.app.send(post_text("/api/v1/reports", &admin, &jsonl(&mixed))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    for who in ["sysadmin", "secadmin", "auditadmin"] {
        let t = lianjian_app::App::new(w.app.db.store.clone())
            .create_token(&Actor::system("test"), who, "x")
            .await
            .unwrap();
        let r = w.app.send(bearer("/api/v1/reports", &t, &jsonl(&mixed))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}: {}", r.body);
    }
    let eeb = w.app.sign_in("eeb-officer").await;
    let r = w.app.send(post_text("/api/v1/reports", &eeb, &jsonl(&mixed))).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
}

#[tokio::test]
async fn worklist_pages_show_findings_with_evidence_scoped_to_the_department_and_export_to_excel() {
    let w = world().await;
    let inst = w.app.sign_in("corpus-inst").await;
    let body = jsonl(&[one_sampler(&w.reports[0]), unregistered_instrument(&w.reports[1])]);
    let up = w.app.send(post_text("/api/v1/reports", &inst, &body)).await.json();
    drain(&w.app.db.store, "w").await.unwrap();
    let batch = up["batch_id"].as_i64().unwrap();

    let eeb = w.app.sign_in("eeb-officer").await;
    let page = w.app.send(get("/eeb/findings", Some(&eeb))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("OFF-P02") && page.body.contains("证据"), "{}", page.body);
    assert!(!page.body.contains("OFF-I01"), "MSA's finding is not on the EEB worklist");
    let msa = w.app.sign_in("msa-officer").await;
    let page = w.app.send(get("/msa/findings?rule=OFF-I01", Some(&msa))).await;
    assert!(
        page.body.contains("OFF-I01") && page.body.contains("NEW-YQ-001"),
        "evidence names the instrument"
    );
    // Scoped to the caller's department.
    assert_eq!(w.app.send(get("/eeb/findings", Some(&msa))).await.status, StatusCode::FORBIDDEN);
    assert_eq!(w.app.send(get("/msa/findings", Some(&inst))).await.status, StatusCode::FORBIDDEN);
    let x = w.app.send(get("/msa/findings.xlsx", Some(&msa))).await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.headers[header::CONTENT_TYPE].to_str().unwrap().contains("spreadsheetml"));
    // Batch, report and institution pages.
    let page = w.app.send(get(&format!("/reports/batches/{batch}"), Some(&msa))).await;
    assert!(page.body.contains("OFF-P02") && page.body.contains("OFF-I01"));
    let page = w.app.send(get(&format!("/registry/institutions/{}/findings", w.uscc), Some(&eeb))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("OFF-I01"));
    let reports = w.app.db.store.batch_reports(batch).await.unwrap();
    let page = w.app.send(get(&format!("/reports/{}", reports[1].id), Some(&msa))).await;
    assert!(page.body.contains("OFF-I01") && !page.body.contains("OFF-P02"));
    // The institution sees its batch's state and the errors in its own reports.
    let page = w.app.send(get(&format!("/reports/batches/{batch}"), Some(&inst))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("已检查") && page.body.contains("OFF-I01") && page.body.contains("NEW-YQ-001")
    );
}

/// The same report again under another number, sampled at another site: its results are a copy
/// (OFF-D01) and its samplers were in two places at once (OFF-T02) — both cross-report.
fn copied(r: &Value) -> Value {
    let mut r = r.clone();
    r["report_no"] = format!("{}-COPY", r["report_no"].as_str().unwrap()).into();
    r["samples"][0]["site"] = "另一点位(复制)".into();
    r
}

#[tokio::test]
async fn an_institution_sees_its_own_reports_errors_but_not_cross_report_findings_or_warnings() {
    let w = world().await;
    let inst = w.app.sign_in("corpus-inst").await;
    let copy = copied(&w.reports[2]);
    let copy_no = copy["report_no"].as_str().unwrap().to_owned();
    let body = jsonl(&[unregistered_instrument(&w.reports[1]), w.reports[2].clone(), copy]);
    let up = w.app.send(post_text("/api/v1/reports", &inst, &body)).await.json();
    drain(&w.app.db.store, "w").await.unwrap();
    let batch = up["batch_id"].as_i64().unwrap();
    let uri = format!("/api/v1/reports/batches/{batch}/findings");

    let eeb = w.app.sign_in("eeb-officer").await;
    let all = w.app.send(get(&uri, Some(&eeb))).await.json();
    let cross = rules_of(&all, &copy_no);
    assert!(cross.contains(&"OFF-D01".to_owned()) && cross.contains(&"OFF-T02".to_owned()), "{all}");

    let mine = w.app.send(get(&uri, Some(&inst))).await;
    assert_eq!(mine.status, StatusCode::OK);
    let mine = mine.json();
    let rows = mine.as_array().unwrap();
    assert!(rows.iter().any(|f| f["rule"] == "OFF-I01"), "{mine}");
    assert!(rows
        .iter()
        .all(|f| f["severity"] == "error" && f["rule"] != "OFF-D01" && f["rule"] != "OFF-T02"));
    assert!(rows.len() < all.as_array().unwrap().len());
    let page = w.app.send(get(&format!("/reports/batches/{batch}"), Some(&inst))).await;
    assert!(
        page.body.contains("OFF-I01") && !page.body.contains("OFF-D01") && !page.body.contains("OFF-T02")
    );
    // Another institution's account sees neither the batch nor its findings.
    let other = w.app.sign_in("inst-user").await;
    assert_eq!(w.app.send(get(&uri, Some(&other))).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn recheck_after_a_registry_correction_supersedes_the_finding_and_keeps_the_history() {
    let w = world().await;
    let inst = w.app.sign_in("corpus-inst").await;
    let planted = unregistered_instrument(&w.reports[0]);
    let report_no = planted["report_no"].as_str().unwrap().to_owned();
    let up = w.app.send(post_text("/api/v1/reports", &inst, &jsonl(&[planted]))).await.json();
    let batch = up["batch_id"].as_i64().unwrap();
    drain(&w.app.db.store, "w").await.unwrap();
    let msa = w.app.sign_in("msa-officer").await;
    let url = format!("/api/v1/reports/batches/{batch}/findings");
    assert!(rules_of(&w.app.send(get(&url, Some(&msa))).await.json(), &report_no).contains(&"OFF-I01".into()));

    // The registry was missing the instrument: correct it, then re-check with one call.
    let mut corrected = w.snapshot.clone();
    let inst_rec = corrected.institutions.iter_mut().find(|i| i.uscc == w.uscc).unwrap();
    inst_rec.instruments.push(Instrument { id: "NEW-YQ-001".into(), name: "新购气相色谱仪".into() });
    let outcome =
        w.app.state.app.import_registry(&Actor::system("test"), &corrected, Some("补录仪器")).await.unwrap();
    assert!(matches!(outcome, ImportOutcome::Applied(_)));
    let r = w.app.send(post_text(&format!("/api/v1/reports/batches/{batch}/recheck"), &msa, "")).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let run2 = r.json()["run_id"].as_i64().unwrap();
    drain(&w.app.db.store, "w").await.unwrap();

    let current = w.app.send(get(&url, Some(&msa))).await.json();
    assert!(!rules_of(&current, &report_no).contains(&"OFF-I01".into()), "{current}");
    let history = w.app.send(get(&format!("{url}?history=true"), Some(&msa))).await.json();
    let old: Vec<&Value> = history.as_array().unwrap().iter().filter(|f| f["rule"] == "OFF-I01").collect();
    assert_eq!(old.len(), 1);
    assert_eq!(old[0]["superseded_by"], run2);
    let runs =
        w.app.send(get(&format!("/api/v1/reports/batches/{batch}"), Some(&msa))).await.json()["runs"].clone();
    assert_eq!(runs.as_array().unwrap().len(), 2);
    assert_ne!(
        runs[0]["registry_sha256"], runs[1]["registry_sha256"],
        "each run records the registry it used"
    );
    // The batch page shows the history.
    let page = w.app.send(get(&format!("/reports/batches/{batch}"), Some(&msa))).await;
    assert!(page.body.contains("历史问题线索") && page.body.contains(&format!("已被任务 {run2} 取代")));
    let audit = w
        .app
        .db
        .store
        .audit_search(&AuditFilter { action: Some("reports.".into()), ..Default::default() }, 50, 0)
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"reports.recheck") && actions.contains(&"reports.upload"), "{actions:?}");
}

#[tokio::test]
async fn the_validator_checks_without_storing_anything_but_an_audit_entry() {
    let w = world().await;
    let inst = w.app.sign_in("corpus-inst").await;
    let planted = one_sampler(&w.reports[0]);
    let r = w
        .app
        .send(post_text("/api/v1/reports/validate", &inst, &jsonl(std::slice::from_ref(&planted))))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["lines"], 1);
    let rules: Vec<&str> =
        v["findings"].as_array().unwrap().iter().filter_map(|f| f["rule"].as_str()).collect();
    assert!(rules.contains(&"OFF-P02"), "{v}");
    assert!(w.app.db.store.report_batches(None, 10, 0).await.unwrap().is_empty(), "nothing filed");
    assert!(
        w.app.db.store.claim_job("w", w.app.db.store.now_ms(), 1000).await.unwrap().is_none(),
        "nothing queued"
    );
    let audit = w
        .app
        .db
        .store
        .audit_search(&AuditFilter { action: Some("reports.validate".into()), ..Default::default() }, 5, 0)
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["actor"]["user"], "corpus-inst");
    // The upload's ownership rule: a batch with another institution's report is not checked at all.
    let mut foreign = w.reports[1].clone();
    foreign["institution_uscc"] = w.other_uscc.clone().into();
    let r = w.app.send(post_text("/api/v1/reports/validate", &inst, &jsonl(&[planted, foreign]))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(
        (r.json()["code"].clone(), r.json()["lines"][0]["line"].clone()),
        ("reports_not_own".into(), 2.into())
    );
    // Too many lines for a synchronous check.
    let many = jsonl(&vec![w.reports[0].clone(); 501]);
    let r = w.app.send(post_text("/api/v1/reports/validate", &inst, &many)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

fn multipart(uri: &str, s: &Session, file: &str, mode: &str) -> Request<Body> {
    let boundary = "----lianjian-test-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"mode\"\r\n\r\n{mode}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"batch.jsonl\"\r\n\
         Content-Type: application/x-ndjson\r\n\r\n{file}\r\n--{boundary}--\r\n"
    );
    Request::builder()
        .method(Method::POST)
        .uri(format!("{uri}?_csrf={}", s.csrf))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .header(header::COOKIE, &s.cookie)
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn the_upload_page_files_a_batch_or_only_checks_it() {
    let w = world().await;
    let inst = w.app.sign_in("corpus-inst").await;
    let file = jsonl(&[one_sampler(&w.reports[0])]);
    let r = w.app.send(multipart("/reports/upload", &inst, &file, "validate")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("自查结果") && r.body.contains("OFF-P02"));
    assert!(w.app.db.store.report_batches(None, 10, 0).await.unwrap().is_empty());
    let r = w.app.send(multipart("/reports/upload", &inst, &file, "submit")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location().starts_with("/reports/batches/"));
    let page = w.app.send(get(r.location(), Some(&inst))).await;
    assert!(page.body.contains("排队检查中"));
    // Without the CSRF token nothing is filed.
    let mut bad = multipart("/reports/upload", &inst, &file, "submit");
    *bad.uri_mut() = "/reports/upload".parse().unwrap();
    assert_eq!(w.app.send(bad).await.status, StatusCode::FORBIDDEN);
    assert_eq!(w.app.db.store.report_batches(None, 10, 0).await.unwrap().len(), 1);
}

/// `r` written as one line with `"project":"\ud800"` first: a lone surrogate escape, which serde_json
/// refuses and a reader that skips fields no rule reads may not notice.
fn with_lone_surrogate(r: &Value) -> String {
    let mut r = r.clone();
    r.as_object_mut().unwrap().remove("project");
    let line = format!("{{\"project\":\"\\ud800\",{}", &r.to_string()[1..]);
    assert!(serde_json::from_str::<Value>(&line).is_err(), "serde_json refuses {line}");
    line
}

/// Issue 15, item 2: an institution account posts a line naming another institution with a lone
/// surrogate escape in a string. The ownership check used to parse with serde_json, fail, and
/// keep the line as "the uploader's"; the engine read it as the other institution's report and an
/// MSA-1 finding landed on that institution (202). Now the batch is refused whole (422, the line
/// listed), by the API, the pre-submission check and the upload page alike; nothing is stored and
/// no finding reaches the other institution.
#[tokio::test]
async fn issue_15_a_lone_surrogate_does_not_let_an_institution_file_another_institutions_report() {
    let w = world().await;
    let inst = w.app.sign_in("inst-user").await;
    let own = "91310113MA1GL0QY3R";
    // The corpus institution's report, an enforcement report without the CMA mark: OFF-Q04 (MSA-1).
    let mut victims = w.reports[0].clone();
    victims["purpose"] = "enforcement".into();
    victims["commissioned_by"] = "EEB".into();
    victims["cma_mark"] = false.into();
    let attack = with_lone_surrogate(&victims);
    let engine_reads = lianjian_offsite::read_header(attack.as_bytes());
    assert_eq!(
        engine_reads.institution_uscc.as_deref(),
        Some(w.uscc.as_str()),
        "the engine reads it as theirs"
    );
    let mut mine = w.reports[1].clone();
    mine["institution_uscc"] = own.into();

    for body in [format!("{attack}\n"), format!("{mine}\n{attack}\n")] {
        let line = if body.starts_with(&attack) { 1 } else { 2 };
        for uri in ["/api/v1/reports", "/api/v1/reports/validate"] {
            let r = w.app.send(post_text(uri, &inst, &body)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}: {}", r.body);
            let p = r.json();
            assert_eq!(p["code"], "reports_not_own", "{uri}: {p}");
            assert_eq!(p["lines"].as_array().unwrap().len(), 1, "{uri}: {p}");
            assert_eq!(p["lines"][0]["line"], line);
            assert!(p["lines"][0]["reason"].as_str().unwrap().contains(&w.uscc), "{uri}: {p}");
        }
    }
    let r = w.app.send(multipart("/reports/upload", &inst, &format!("{mine}\n{attack}\n"), "submit")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("整批未接收") && r.body.contains("第 2 行"), "{}", r.body);
    let r = w.app.send(multipart("/reports/upload", &inst, &format!("{attack}\n"), "validate")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    let store = &w.app.db.store;
    assert!(store.report_batches(None, 10, 0).await.unwrap().is_empty(), "no batch");
    assert_eq!(drain(store, "w").await.unwrap(), 0, "no check queued");
    let on_victim = lianjian_store::reports::FindingFilter {
        institution_uscc: Some(w.uscc.clone()),
        include_superseded: true,
        ..Default::default()
    };
    assert_eq!(store.count_findings(&on_victim).await.unwrap(), 0, "no finding on the other institution");

    // The same line with the institution's own USCC is still refused: the two readers disagree
    // (the engine reads a report, serde_json nothing), so whose report it is cannot be settled.
    let mut own_report = victims.clone();
    own_report["institution_uscc"] = own.into();
    let r = w
        .app
        .send(post_text("/api/v1/reports", &inst, &format!("{}\n", with_lone_surrogate(&own_report))))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // A supervising department may file anyone's report, as the engine reads it.
    let msa = w.app.sign_in("msa-officer").await;
    let r = w.app.send(post_text("/api/v1/reports", &msa, &format!("{attack}\n"))).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let batch = r.json()["batch_id"].as_i64().unwrap();
    let stored = store.batch_reports(batch).await.unwrap();
    assert_eq!(stored[0].institution_uscc.as_deref(), Some(w.uscc.as_str()));
}

/// Issue 15, the last gate, through the worker: a batch an institution filed before uploads were
/// split by the engine's reading (stored here directly) holds another institution's report behind
/// a lone surrogate. Its check finds OFF-Q04 on that institution — and records nothing: the run
/// fails for good with a message naming it, and no finding reaches either institution.
#[tokio::test]
async fn a_stored_institution_batch_whose_check_names_another_institution_fails_and_stores_nothing() {
    use lianjian_store::reports::{write, FindingFilter, NewBatch, ReportLine};
    let w = world().await;
    let own = "91310113MA1GL0QY3R";
    let mut victims = w.reports[0].clone();
    victims["purpose"] = "enforcement".into();
    victims["commissioned_by"] = "EEB".into();
    victims["cma_mark"] = false.into();
    let attack = with_lone_surrogate(&victims);
    let line =
        ReportLine { line_no: 1, body: attack, report_no: None, institution_uscc: None, issued_on: None };
    let actor =
        Actor { user: "inst-user".into(), department: "INST".into(), role: "institution".into(), ip: None };
    let batch =
        NewBatch { file_name: None, institution_uscc: Some(own.into()), lines: vec![line], refused: vec![] };
    let store = &w.app.db.store;
    let mut tx = store.begin().await.unwrap();
    let batch_id = write::insert_batch(&mut tx, &actor, &batch, store.now_ms()).await.unwrap();
    write::queue_run(&mut tx, batch_id, "upload", &actor.user, store.now_ms()).await.unwrap();
    lianjian_store::commit(tx).await.unwrap();
    assert_eq!(drain(store, "w").await.unwrap(), 1);
    let runs = store.check_runs(batch_id).await.unwrap();
    assert_eq!(runs[0].state, "failed");
    let error = runs[0].error.as_deref().unwrap();
    assert!(error.contains(&w.uscc) && error.contains(own), "{error}");
    let all = FindingFilter { include_superseded: true, ..Default::default() };
    assert_eq!(store.count_findings(&all).await.unwrap(), 0, "no finding stored");
    assert_eq!(drain(store, "w").await.unwrap(), 0, "not retried");
}
