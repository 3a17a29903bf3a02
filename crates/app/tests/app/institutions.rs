//! The registry import as the web drives it: an upload is previewed and kept for its uploader, then
//! confirmed once; a refused upload is never kept; a confirmation without its preview is refused.

use lianjian_app::institutions::{Change, ImportOutcome};
use lianjian_registry::Snapshot;
use lianjian_store::audit::{Actor, AuditFilter};
use lianjian_store::institutions::gen;

use crate::fresh;

fn leader() -> Actor {
    Actor { user: "msa-leader".into(), department: "MSA".into(), role: "leader".into(), ip: None }
}

#[tokio::test]
async fn an_upload_is_previewed_kept_for_its_uploader_and_confirmed_once() {
    let (db, app) = fresh().await;
    let snapshot = gen::generate(3, 4);
    let staged = app.stage_registry_import(7, "名录.json", &snapshot).await.unwrap();
    assert!(staged.preview.problems.is_empty());
    assert!(staged.preview.items.iter().all(|i| i.change == Change::Created));
    let token = staged.token.expect("a clean file is kept for confirmation");
    assert_eq!(db.store.institution_count().await.unwrap(), 0, "a preview writes nothing");

    let other_user = app.confirm_registry_import(&leader(), 8, &token, "").await.unwrap_err();
    assert_eq!((other_user.field(), other_user.code()), (Some("token"), "upload_expired"));
    let (outcome, file) = app.confirm_registry_import(&leader(), 7, &token, " ").await.unwrap();
    assert!(matches!(outcome, ImportOutcome::Applied(ref s) if s.created == 3), "{outcome:?}");
    assert_eq!(file, "名录.json");
    let f = AuditFilter { action: Some("registry.import".into()), ..AuditFilter::default() };
    assert_eq!(db.store.audit_search(&f, 10, 0).await.unwrap()[0]["note"], "网页导入 名录.json");
    let again = app.confirm_registry_import(&leader(), 7, &token, "").await.unwrap_err();
    assert_eq!(again.code(), "upload_expired", "a confirmed upload is gone");
}

#[tokio::test]
async fn a_refused_upload_is_not_kept_and_changes_nothing() {
    let (db, app) = fresh().await;
    let mut snapshot = gen::generate(2, 2);
    snapshot.institutions[1].uscc = snapshot.institutions[0].uscc.clone();
    let staged = app.stage_registry_import(7, "坏名录.json", &snapshot).await.unwrap();
    assert!(staged.token.is_none());
    assert!(staged.preview.problems.iter().any(|p| p.field == "uscc"), "{:?}", staged.preview.problems);
    let outcome = app.import_registry(&leader(), &snapshot, None).await.unwrap();
    assert!(matches!(outcome, ImportOutcome::Refused(ref p) if !p.is_empty()));
    assert_eq!(db.store.audit_head().await.unwrap().0, 0, "not even the summary entry");
    let export = app.export_registry().await.unwrap();
    assert_eq!(export, Snapshot::default());
}
