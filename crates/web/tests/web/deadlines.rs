//! Deadlines on a provisional year (issue 14): a draw near a year's end gives its tasks due dates in
//! a year without a State Council notice; they are shown as 预估 wherever they appear. When the
//! notice is loaded, the open deadlines are counted again and the changed ones wait for a leader,
//! who adopts the recount (moving a served deadline earlier needs a reason) or keeps the served date.

use axum::http::StatusCode;
use time::macros::date;

use crate::client::{form, get, App};
use crate::plans::{district, frozen, post, EEB_SECRET, MSA_SECRET};

/// A 2027 notice that only makes Saturday 2027-01-09 a working day (调休): every 20-working-day count
/// from 2026-12-20 then ends one working day earlier (2027-01-15 instead of 2027-01-18).
const NOTICE_2027: &str = r#"{"year": 2027, "papers": ["https://www.gov.cn/example/2027"], "days": [
    {"name": "元旦", "date": "2027-01-01", "isOffDay": true},
    {"name": "元旦", "date": "2027-01-09", "isOffDay": false}]}"#;

#[tokio::test]
async fn a_draw_in_late_december_marks_its_2027_deadlines_and_the_notice_puts_changes_to_the_leader() {
    let app = App::on_day(date!(2026 - 12 - 20)).await;
    district(&app).await;
    // Draw every grade-B institution, so that several tasks (and deadlines) exist.
    let key = lianjian_domain::params::ParamKey::DrawRatioGradeB;
    let actor = lianjian_store::audit::Actor::system("test");
    app.state.app.set_param(&actor, key, date!(2026 - 01 - 01), 1000, "测试:全部抽取").await.unwrap();
    let (id, eeb, msa) = frozen(&app).await;
    post(&app, &eeb, &format!("/plans/{id}/reveal"), &[("secret", EEB_SECRET)]).await;
    let r = post(&app, &msa, &format!("/plans/{id}/reveal"), &[("secret", MSA_SECRET)]).await;
    assert_eq!(r.location(), format!("/plans/{id}?done=drawn"), "{}", r.body);

    // Sunday 2026-12-20 + 20 working days on the provisional 2027 (元旦 off, no 调休) = 2027-01-18.
    let tasks = app.db.store.plan_tasks(id).await.unwrap();
    assert!(!tasks.is_empty());
    for t in &tasks {
        assert_eq!((t.due_on, t.due_on_provisional), (date!(2027 - 01 - 18), true));
    }
    let officer = app.sign_in("eeb-officer").await;
    let mine = app.send(get("/tasks", Some(&officer))).await;
    assert!(mine.body.contains("2027-01-18") && mine.body.contains("预估"), "{}", mine.body);
    let detail = app.send(get(&format!("/plans/{id}"), Some(&eeb))).await;
    assert!(detail.body.contains("status provisional"), "the plan page marks its tasks' dates");
    let xlsx = app.send(get(&format!("/plans/{id}/tasks.xlsx"), Some(&eeb))).await;
    assert_eq!(xlsx.status, StatusCode::OK);

    // The notice comes out: the system administrator loads it and is sent to the review.
    let sys = app.sign_in("sysadmin").await;
    let r = app
        .send(form(
            "/params/calendar",
            Some(&sys),
            &[("content", NOTICE_2027), ("note", "国办发明电〔2026〕测试号"), ("_csrf", &sys.csrf)],
        ))
        .await;
    assert_eq!(r.location(), "/deadlines", "{}", r.body);
    // Nothing moved by itself: the served date stays until a leader decides.
    let t0 = &app.db.store.plan_tasks(id).await.unwrap()[0];
    assert_eq!(
        (t0.due_on, t0.due_on_provisional, t0.due_on_pending_review),
        (date!(2027 - 01 - 18), true, true)
    );
    let pending = app.db.store.deadlines_pending(None).await.unwrap();
    assert_eq!(pending.len(), tasks.len());
    assert!(pending.iter().all(|d| d.recomputed_on == Some(date!(2027 - 01 - 15)) && d.moves_earlier()));

    let page = app.send(get("/deadlines", Some(&eeb))).await;
    assert!(page.body.contains("2027-01-15") && page.body.contains("提前"), "{}", page.body);
    // An officer may look but not decide; moving a served deadline earlier needs a reason.
    let first = pending[0].id;
    let r = post(&app, &officer, &format!("/deadlines/{first}"), &[("decision", "adopt")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = post(&app, &eeb, &format!("/deadlines/{first}"), &[("decision", "adopt"), ("note", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("请写明决定理由"), "{}", r.body);
    let r = post(
        &app,
        &eeb,
        &format!("/deadlines/{first}"),
        &[("decision", "adopt"), ("note", "按正式通知执行,已告知机构")],
    )
    .await;
    assert_eq!(r.location(), "/deadlines?done=adopted", "{}", r.body);
    let second = pending[1].id;
    let r = post(&app, &msa, &format!("/deadlines/{second}"), &[("decision", "keep")]).await;
    assert_eq!(r.location(), "/deadlines?done=kept", "{}", r.body);
    let r =
        post(&app, &msa, &format!("/deadlines/{second}"), &[("decision", "adopt"), ("note", "再改")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "a decided deadline is not decided twice");

    let after = app.db.store.plan_tasks(id).await.unwrap();
    let by_id = |task: i64| after.iter().find(|t| t.id == task).unwrap();
    let adopted = by_id(pending[0].subject_id);
    assert_eq!(
        (adopted.due_on, adopted.due_on_provisional, adopted.due_on_pending_review),
        (date!(2027 - 01 - 15), false, false)
    );
    let kept = by_id(pending[1].subject_id);
    assert_eq!((kept.due_on, kept.due_on_provisional), (date!(2027 - 01 - 18), false));
    let audit = app
        .db
        .store
        .audit_search(
            &lianjian_store::audit::AuditFilter { action: Some("deadline.".into()), ..Default::default() },
            100,
            0,
        )
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(
        actions.contains(&"deadline.recount")
            && actions.contains(&"deadline.adopt")
            && actions.contains(&"deadline.keep"),
        "{actions:?}"
    );
}
