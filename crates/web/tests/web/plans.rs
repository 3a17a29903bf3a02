//! Joint plans over HTTP: leaders create, commit, freeze and reveal through the forms; the public
//! API and portal publish the digest, the declarations and the record, which verifies with the
//! engine; a wrong reveal is refused in Chinese; recusal from the task page; who may press what; the
//! task API answers each supervisor the tasks their page would show, a page at a time.
//! (Tampering with a stored record is caught by `App::check_plan_record`, tested in the store.)

use axum::http::StatusCode;
use lianjian_domain::inspectors::NewInspector;
use lianjian_domain::org::{Category, Department};
use lianjian_domain::plans::engine;
use lianjian_registry::Snapshot;
use lianjian_store::audit::Actor;
use lianjian_store::Store;
use time::macros::date;

use crate::client::{form, get, App, Session};
use lianjian_domain::plans::Task;

pub(crate) const EEB_SECRET: &str = "生态环境局-抽取会-51c3e9";
pub(crate) const MSA_SECRET: &str = "市场监管局-抽取会-0b7d22";

fn uscc(i: usize) -> String {
    lianjian_store::institutions::gen::uscc_for(i)
}

/// Six institutions in force 2024–2035, two inspectors per department, the item list; every
/// inspector linked to a same-department account (`eeb-officer` is EEB-0001, `msa-officer` MSA-0001).
pub(crate) async fn district(app: &App) {
    let insts: Vec<serde_json::Value> = (1..=6)
        .map(|i| {
            serde_json::json!({"uscc": uscc(i), "name": format!("上海第{i}监测有限公司"),
                "certificates": [{"no": format!("2024{i:08}"), "issued_on": "2024-01-01", "expires_on": "2035-01-01",
                    "status_history": [{"status": "valid", "from": "2024-01-01"}],
                    "scope": [{"category": "water", "parameter": "氨氮", "method": "HJ 535-2009", "from": "2024-01-01", "to": null}]}]})
        })
        .collect();
    let snap = Snapshot::from_json(&serde_json::json!({"institutions": insts}).to_string()).unwrap();
    let a = &app.state.app;
    a.import_registry(&Actor::system("test"), &snap, Some("测试")).await.unwrap();
    a.seed_items_if_empty(&Actor::system("test")).await.unwrap();
    for (code, d) in [
        ("EEB-0001", Department::Eeb),
        ("EEB-0002", Department::Eeb),
        ("MSA-0001", Department::Msa),
        ("MSA-0002", Department::Msa),
    ] {
        let new = NewInspector {
            code: code.into(),
            department: d,
            name: format!("检查员{code}"),
            enforcement_cert_no: format!("沪执{code}"),
            specialties: vec![Category::Water],
            max_tasks_per_plan: 10,
        };
        a.add_inspector(&Actor::system("test"), new, date!(2024 - 01 - 01)).await.unwrap();
    }
    a.link_inspector_account(&Actor::system("test"), "EEB-0001", "eeb-officer").await.unwrap();
    a.link_inspector_account(&Actor::system("test"), "MSA-0001", "msa-officer").await.unwrap();
}

async fn item_codes(s: &Store) -> Vec<String> {
    let all = s.items(Some(s.today())).await.unwrap();
    [Department::Eeb, Department::Msa]
        .iter()
        .filter_map(|d| all.iter().find(|i| i.department == *d).map(|i| i.code.clone()))
        .collect()
}

/// The plan id from a `/plans/{id}?done=…` redirect.
fn plan_id(location: &str) -> i64 {
    location.trim_start_matches("/plans/").split('?').next().unwrap().parse().unwrap()
}

async fn create(app: &App, s: &Session) -> i64 {
    let items = item_codes(&app.db.store).await;
    let mut fields: Vec<(&str, &str)> = vec![
        ("_csrf", &s.csrf),
        ("period", "2026-H2"),
        ("title", ""),
        ("departments", "EEB"),
        ("departments", "MSA"),
        ("public_label", ""),
    ];
    for i in &items {
        fields.push(("items", i));
    }
    let r = app.send(form("/plans", Some(s), &fields)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    plan_id(r.location())
}

pub(crate) async fn post(app: &App, s: &Session, uri: &str, fields: &[(&str, &str)]) -> crate::client::Resp {
    let mut all = vec![("_csrf", s.csrf.as_str())];
    all.extend_from_slice(fields);
    app.send(form(uri, Some(s), &all)).await
}

/// Create, both commitments, freeze — as the two leaders would through the pages.
pub(crate) async fn frozen(app: &App) -> (i64, Session, Session) {
    let eeb = app.sign_in("eeb-leader").await;
    let msa = app.sign_in("msa-leader").await;
    let id = create(app, &eeb).await;
    let r = post(app, &eeb, &format!("/plans/{id}/commit"), &[("secret", EEB_SECRET)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = post(app, &msa, &format!("/plans/{id}/commit"), &[("secret", MSA_SECRET)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = post(app, &msa, &format!("/plans/{id}/freeze"), &[]).await;
    assert_eq!(r.location(), format!("/plans/{id}?done=frozen"), "{}", r.body);
    (id, eeb, msa)
}

#[tokio::test]
async fn leaders_freeze_reveal_and_draw_and_anyone_can_verify_the_record() {
    let app = App::new().await;
    district(&app).await;
    let (id, eeb, msa) = frozen(&app).await;

    // Published at the freeze: digest and commitments, no values; nobody needs to sign in.
    let plan = app.send(get(&format!("/api/v1/plans/{id}"), None)).await.json();
    assert_eq!(plan["status"], "frozen");
    let digest = plan["inputs_digest"].as_str().unwrap().to_owned();
    assert_eq!(digest.len(), 64);
    assert_eq!(plan["entropy"][0]["commitment"], engine::commitment(EEB_SECRET));
    assert_eq!(plan["entropy"][1]["commitment"], engine::commitment(MSA_SECRET));
    assert!(plan["entropy"][0]["value"].is_null());
    assert_eq!(plan["strata"][1], serde_json::json!({"key": "B", "permille": 50}));
    let page = app.send(get(&format!("/public/plans/{id}"), None)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&digest) && page.body.contains(&engine::commitment(MSA_SECRET)));
    assert!(!page.body.contains(EEB_SECRET), "a secret is never shown before it is revealed");
    let none = app.send(get(&format!("/api/v1/plans/{id}/record"), None)).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);

    // A wrong reveal is refused with a Chinese sentence; the plan stays frozen.
    let wrong = post(&app, &eeb, &format!("/plans/{id}/reveal"), &[("secret", "记错的秘密-123")]).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.body.contains("与冻结时公布的承诺值不符"), "{}", wrong.body);
    let r = post(&app, &eeb, &format!("/plans/{id}/reveal"), &[("secret", EEB_SECRET)]).await;
    assert_eq!(r.location(), format!("/plans/{id}?done=revealed"));
    let r = post(&app, &msa, &format!("/plans/{id}/reveal"), &[("secret", MSA_SECRET)]).await;
    assert_eq!(r.location(), format!("/plans/{id}?done=drawn"));

    let record = app.send(get(&format!("/api/v1/plans/{id}/record"), None)).await;
    assert_eq!(record.status, StatusCode::OK);
    let record = record.json();
    engine::verify(&record).unwrap();
    assert_eq!(record["inputs_digest"], digest.as_str());
    assert_eq!(record["entropy"], serde_json::json!([EEB_SECRET, MSA_SECRET]));
    let download = app.send(get(&format!("/public/plans/{id}/record.json"), None)).await;
    assert!(download.headers["content-disposition"].to_str().unwrap().contains("record.json"));
    assert_eq!(download.json(), record);
    let list = app.send(get("/api/v1/plans", None)).await.json();
    assert_eq!(list[0]["status"], "drawn");
    assert_eq!(list[0]["record_url"], format!("/api/v1/plans/{id}/record"));

    // The tasks reach their teams; the page says the platform re-checked the record.
    let detail = app.send(get(&format!("/plans/{id}"), Some(&eeb))).await;
    assert!(detail.body.contains("记录核验通过"), "{}", detail.body);
    let first = &record["teams"][0]["members"];
    let eeb_member =
        first.as_array().unwrap().iter().find(|m| m.as_str().unwrap().starts_with("EEB")).unwrap();
    let member = if eeb_member == "EEB-0001" { "eeb-officer" } else { "eeb-leader" };
    if member == "eeb-officer" {
        let officer = app.sign_in("eeb-officer").await;
        let tasks = app.send(get("/tasks", Some(&officer))).await;
        assert!(tasks.body.contains(record["targets"][0]["id"].as_str().unwrap()), "{}", tasks.body);
    }
    let public = app.send(get(&format!("/public/plans/{id}"), None)).await;
    assert!(public.body.contains("按公开规则重算的结果与公布的一致"));
    assert!(public.body.contains(EEB_SECRET), "values are public after the draw");
}

#[tokio::test]
async fn a_member_recuses_through_the_task_page_and_the_new_record_verifies() {
    let app = App::new().await;
    district(&app).await;
    let (id, eeb, msa) = frozen(&app).await;
    post(&app, &eeb, &format!("/plans/{id}/reveal"), &[("secret", EEB_SECRET)]).await;
    post(&app, &msa, &format!("/plans/{id}/reveal"), &[("secret", MSA_SECRET)]).await;
    let tasks = app.db.store.plan_tasks(id).await.unwrap();
    let task = &tasks[0];
    let slot = task.members.iter().find(|m| m.department == "EEB").unwrap();
    // Make sure the officer is the EEB member of that team.
    app.state.app.link_inspector_account(&Actor::system("test"), &slot.code, "eeb-officer").await.unwrap();
    let officer = app.sign_in("eeb-officer").await;
    let page = app.send(get(&format!("/tasks/{}", task.id), Some(&officer))).await;
    assert!(page.body.contains("申请回避"), "{}", page.body);
    // Someone else's slot needs a leader.
    let other = task.members.iter().find(|m| m.department == "MSA").unwrap();
    let r = post(
        &app,
        &officer,
        &format!("/plans/{id}/recuse"),
        &[("target", &task.institution_uscc), ("inspector", &other.code), ("reason", "x")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let back = task.id.to_string();
    let r = post(
        &app,
        &officer,
        &format!("/plans/{id}/recuse"),
        &[("target", &task.institution_uscc), ("reason", "近亲属在该机构任职"), ("back", &back)],
    )
    .await;
    assert_eq!(r.location(), format!("/tasks/{}?done=recused", task.id), "{}", r.body);
    let record = app.send(get(&format!("/api/v1/plans/{id}/record"), None)).await.json();
    engine::verify(&record).unwrap();
    assert_eq!(record["recusals"][0]["withdrawn"], slot.code.as_str());
    let after = app.db.store.task(task.id).await.unwrap().unwrap();
    assert!(after.members.iter().all(|m| m.code != slot.code));
    let mine = app.send(get("/tasks", Some(&officer))).await;
    assert!(
        !mine.body.contains(&format!("/tasks/{}\"", task.id)),
        "the withdrawn member no longer sees the task"
    );
}

#[tokio::test]
async fn who_may_see_and_press_what() {
    let app = App::new().await;
    district(&app).await;
    let officer = app.sign_in("eeb-officer").await;
    let r =
        app.send(form("/plans", Some(&officer), &[("_csrf", &officer.csrf), ("period", "2026-H2")])).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "officers do not create plans");
    assert_eq!(app.send(get("/plans", Some(&officer))).await.status, StatusCode::OK);
    assert_eq!(app.send(get("/plans", None)).await.status, StatusCode::SEE_OTHER);
    let liaison = app.sign_in("water-liaison").await;
    assert_eq!(app.send(get("/plans", Some(&liaison))).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.send(get("/public/plans", None)).await.status, StatusCode::OK);
    assert_eq!(app.send(get("/public/plans/verify", None)).await.status, StatusCode::OK);

    // A draft is internal; a bad form is refused in Chinese on the page.
    let eeb = app.sign_in("eeb-leader").await;
    let id = create(&app, &eeb).await;
    assert_eq!(app.send(get(&format!("/api/v1/plans/{id}"), None)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.send(get(&format!("/public/plans/{id}"), None)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.send(get(&format!("/api/v1/plans/{id}"), Some(&officer))).await.json()["status"], "draft");
    let bad = app
        .send(form(
            "/plans",
            Some(&eeb),
            &[("_csrf", &eeb.csrf), ("period", "下半年"), ("departments", "EEB")],
        ))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("计划期间应写作"), "{}", bad.body);
    let no_csrf = app.send(form(&format!("/plans/{id}/freeze"), Some(&eeb), &[])).await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    // Freezing before the MSA leader committed is refused with the reason.
    post(&app, &eeb, &format!("/plans/{id}/commit"), &[("secret", EEB_SECRET)]).await;
    let early = post(&app, &eeb, &format!("/plans/{id}/freeze"), &[]).await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert!(early.body.contains("区市场监管局尚未提交秘密的承诺值"), "{}", early.body);
    // The API routes are in the OpenAPI document.
    let doc = serde_json::to_value(lianjian_web::openapi()).unwrap();
    for p in ["/api/v1/plans", "/api/v1/plans/{id}", "/api/v1/plans/{id}/record"] {
        assert!(doc["paths"].get(p).is_some(), "{p} missing from the OpenAPI document");
    }
}

/// Every grade-B institution of the district drawn (six tasks), through the leaders' forms.
pub(crate) async fn drawn_all(app: &App) -> i64 {
    let key = lianjian_domain::params::ParamKey::DrawRatioGradeB;
    let from = date!(2024 - 01 - 01);
    app.state.app.set_param(&Actor::system("test"), key, from, 1000, "测试:全部抽取").await.unwrap();
    let (id, eeb, msa) = frozen(app).await;
    post(app, &eeb, &format!("/plans/{id}/reveal"), &[("secret", EEB_SECRET)]).await;
    let r = post(app, &msa, &format!("/plans/{id}/reveal"), &[("secret", MSA_SECRET)]).await;
    assert_eq!(r.location(), format!("/plans/{id}?done=drawn"), "{}", r.body);
    id
}

/// A drawn plan whose first task has `eeb-officer` and `msa-officer` on its team.
pub(crate) async fn task_of_both_officers(app: &App) -> Task {
    let id = drawn_all(app).await;
    let task = app.state.app.plan_tasks(id).await.unwrap().remove(0);
    for (user, dept) in [("eeb-officer", "EEB"), ("msa-officer", "MSA")] {
        let member = task.members.iter().find(|m| m.department == dept).unwrap();
        app.state.app.link_inspector_account(&Actor::system("test"), &member.code, user).await.unwrap();
    }
    task
}

#[tokio::test]
async fn the_task_api_answers_each_supervisor_the_tasks_of_their_page() {
    let app = App::on_day(date!(2026 - 12 - 20)).await;
    district(&app).await;
    let id = drawn_all(&app).await;
    let tasks = app.state.app.plan_tasks(id).await.unwrap();
    assert_eq!(tasks.len(), 6);

    // An officer: the tasks whose team includes the inspector the account is linked to (EEB-0001).
    let officer = app.sign_in("eeb-officer").await;
    let mine: Vec<&Task> = tasks.iter().filter(|t| t.has_member("EEB-0001")).collect();
    let r = app.send(get("/api/v1/tasks", Some(&officer))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let list = r.json();
    assert_eq!((list["limit"].as_i64(), list["offset"].as_i64()), (Some(100), Some(0)));
    assert_eq!(list["total"].as_u64(), Some(mine.len() as u64));
    let rows = list["rows"].as_array().unwrap();
    assert_eq!(rows.len(), mine.len());
    let t = mine[0];
    let row = rows.iter().find(|r| r["id"] == t.id).unwrap();
    assert_eq!(row["plan_id"], id);
    assert_eq!(row["plan_code"], "2026-H2-JOINT-01");
    assert_eq!(row["institution_uscc"], t.institution_uscc.as_str());
    assert_eq!(row["institution_name"], t.institution_name.as_str());
    // 2026-12-20 + 20 working days runs into 2027, a year without a notice: 预估.
    assert_eq!(
        (row["due_on"].as_str(), row["due_on_provisional"].as_bool()),
        (Some("2027-01-18"), Some(true))
    );
    assert_eq!(row["items"], serde_json::json!(t.items));
    let members = row["members"].as_array().unwrap();
    assert_eq!(members.len(), 2);
    assert!(members
        .iter()
        .any(|m| m["code"] == "EEB-0001" && m["department"] == "EEB" && m["name"] == "检查员EEB-0001"));
    let one = app.send(get(&format!("/api/v1/tasks/{}", t.id), Some(&officer))).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(&one.json(), row);
    // A task the officer is not on is not theirs to read.
    if let Some(other) = tasks.iter().find(|t| !t.has_member("EEB-0001")) {
        let r = app.send(get(&format!("/api/v1/tasks/{}", other.id), Some(&officer))).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        assert_eq!(r.json()["code"], "not_found");
    }

    // A leader: every task of the plans the department takes part in, a page at a time.
    let leader = app.sign_in("msa-leader").await;
    let all = app.send(get("/api/v1/tasks", Some(&leader))).await.json();
    assert_eq!(all["total"], 6);
    let page = app.send(get("/api/v1/tasks?limit=2&offset=4", Some(&leader))).await.json();
    let ids: Vec<&serde_json::Value> = page["rows"].as_array().unwrap().iter().map(|r| &r["id"]).collect();
    let expect: Vec<&serde_json::Value> =
        all["rows"].as_array().unwrap()[4..].iter().map(|r| &r["id"]).collect();
    assert_eq!((ids, page["total"].as_i64()), (expect, Some(6)));
    let last = tasks.last().unwrap().id;
    assert_eq!(app.send(get(&format!("/api/v1/tasks/{last}"), Some(&leader))).await.status, StatusCode::OK);
    assert_eq!(app.send(get("/api/v1/tasks/999999", Some(&leader))).await.status, StatusCode::NOT_FOUND);

    // Paging out of range is a 400 naming the parameter; an officer linked to nobody sees nothing.
    for (q, field) in [("limit=0", "limit"), ("limit=1001", "limit"), ("offset=-1", "offset")] {
        let r = app.send(get(&format!("/api/v1/tasks?{q}"), Some(&leader))).await;
        assert_eq!((r.status, r.json()["field"].as_str()), (StatusCode::BAD_REQUEST, Some(field)), "{q}");
    }
    let msa_member = tasks[0].members.iter().find(|m| m.department == "MSA").unwrap().code.clone();
    let idle = if msa_member == "MSA-0001" { "MSA-0002" } else { "MSA-0001" };
    app.state.app.link_inspector_account(&Actor::system("test"), idle, "msa-officer").await.unwrap();
    let msa = app.sign_in("msa-officer").await;
    let theirs = app.send(get("/api/v1/tasks", Some(&msa))).await.json();
    let expected = tasks.iter().filter(|t| t.has_member(idle)).count();
    assert_eq!(theirs["total"].as_u64(), Some(expected as u64));
    let r = app.send(get(&format!("/api/v1/tasks/{}", tasks[0].id), Some(&msa))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Not a supervisor: refused like the page; nobody signed in: 401.
    let liaison = app.sign_in("water-liaison").await;
    assert_eq!(app.send(get("/api/v1/tasks", Some(&liaison))).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.send(get("/tasks", Some(&liaison))).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.send(get("/api/v1/tasks", None)).await.status, StatusCode::UNAUTHORIZED);
    let doc = serde_json::to_value(lianjian_web::openapi()).unwrap();
    for p in ["/api/v1/tasks", "/api/v1/tasks/{id}"] {
        assert!(doc["paths"].get(p).is_some(), "{p} missing from the OpenAPI document");
    }
}
