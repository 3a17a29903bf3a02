//! A session of clicks leaves a chain that verifies; tampering with its export is caught at the seq.

use axum::http::StatusCode;

use crate::client::{form, get, App};

#[tokio::test]
async fn a_session_of_clicks_is_audited_and_its_export_verifies() {
    let app = App::new().await;
    let _ = app.try_sign_in("eeb-officer", "Wrong@2026x").await;
    let sys = app.sign_in("sysadmin").await;
    let fields = [
        ("username", "new-one"),
        ("display_name", "新同事"),
        ("department", "MSA"),
        ("role", "officer"),
        ("password", "Abcdef-123"),
        ("_csrf", &sys.csrf),
    ];
    assert!(app.send(form("/admin/users", Some(&sys), &fields)).await.status.is_redirection());
    let audit = app.sign_in("auditadmin").await;
    let page = app.send(get("/admin/audit?action=session.", Some(&audit))).await;
    assert!(page.body.contains("session.sign_in_failed") && page.body.contains("session.sign_in"));
    // Every view of the audit page says whether the chain verifies, and shows the head to publish.
    let verified = app.send(get("/admin/audit", Some(&audit))).await;
    assert!(verified.body.contains("审计链校验通过"), "{}", verified.body);
    let (_, head) = app.db.store.audit_head().await.unwrap();
    assert!(verified.body.contains(&head) && verified.body.contains("head-to-publish"));

    let export = app.send(get("/admin/audit/export", Some(&audit))).await;
    assert_eq!(export.status, StatusCode::OK);
    let lines: Vec<&str> = export.body.lines().collect();
    let actions: Vec<String> = lines
        .iter()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["action"].as_str().unwrap().to_owned())
        .collect();
    for expected in ["user.create", "session.sign_in_failed", "session.sign_in"] {
        assert!(actions.iter().any(|a| a == expected), "{expected} not in {actions:?}");
    }
    assert!(lianjian_audit::verify_jsonl(export.body.as_bytes()).is_ok());

    // An auditor edits nothing; a forger does: the break is named at the edited entry.
    let mut forged: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let target = lines.iter().position(|l| l.contains("\"user.create\"") && l.contains("new-one")).unwrap();
    forged[target] = forged[target].replace("\"MSA\"", "\"EEB\"");
    assert_ne!(forged[target], lines[target], "the forgery must change the line");
    let broken = lianjian_audit::verify_jsonl(forged.join("\n").as_bytes()).unwrap_err();
    assert_eq!(broken.seq, (target + 1) as u64);
    let broken = lianjian_audit::verify_jsonl(
        lines
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != 2)
            .map(|(_, l)| *l)
            .collect::<Vec<_>>()
            .join("\n")
            .as_bytes(),
    )
    .unwrap_err();
    assert_eq!(broken.seq, 3, "deleting the third entry breaks the chain at seq 3");
}
