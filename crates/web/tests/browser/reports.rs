//! Report upload and the off-site check in Chromium: an institution user uploads a small batch with
//! a planted violation through the upload page; a background worker checks it; the officer of the
//! department the rule's duty routes to sees the finding on the worklist with its evidence.

use std::time::{Duration, Instant};

use lianjian_app::institutions::ImportOutcome;
use lianjian_corpus::{generate, CorpusSpec};
use lianjian_domain::org::{Department, Role};
use lianjian_store::audit::Actor;
use serde_json::Value;

use crate::harness::{self, account};

const PASSWORD: &str = "Officer@2026";

#[test]
fn institution_uploads_a_batch_and_the_routed_officer_sees_the_finding_with_evidence() {
    harness::flow("institution_uploads_a_batch_and_the_routed_officer_sees_the_finding", |b| async move {
        // A district registry and an institution of it with a few clean reports.
        let spec =
            CorpusSpec { seed: 9, reports: 40, institutions: 2, plant: false, ..CorpusSpec::default() };
        let mut out = Vec::new();
        let corpus = generate(&spec, &mut out)?;
        let store = b.state().app.store().clone();
        let outcome = b
            .state()
            .app
            .import_registry(&Actor::system("test"), &corpus.snapshot, Some("浏览器测试"))
            .await?;
        assert!(matches!(outcome, ImportOutcome::Applied(_)), "{outcome:?}");
        let uscc = corpus.snapshot.institutions[4].uscc.clone();
        let mut reports: Vec<Value> = String::from_utf8(out)?
            .lines()
            .map(serde_json::from_str::<Value>)
            .collect::<std::result::Result<Vec<_>, _>>()?
            .into_iter()
            .filter(|r| r["institution_uscc"] == uscc.as_str())
            .take(3)
            .collect();
        // Planted: an instrument the registry does not list → OFF-I01, duty MSA-2, routed to MSA.
        reports[1]["samples"][0]["results"][0]["instrument_id"] = "GHOST-YQ-404".into();
        let planted_no = reports[1]["report_no"].as_str().unwrap_or_default().to_owned();
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("batch.jsonl");
        std::fs::write(&file, reports.iter().map(|r| r.to_string() + "\n").collect::<String>())?;

        let mut inst = account("inst.wang", "王机构", Department::Inst, Role::Institution, PASSWORD);
        inst.institution_uscc = Some(uscc.clone());
        b.create_account(inst).await?;
        b.create_account(account("msa.zhao", "赵市监", Department::Msa, Role::Officer, PASSWORD)).await?;
        b.create_account(account("eeb.qian", "钱环保", Department::Eeb, Role::Officer, PASSWORD)).await?;
        // The server's background workers, as `lianjian serve` starts them.
        let workers = lianjian_app::worker::spawn_workers(lianjian_app::App::new(store.clone()), 1);

        b.sign_in("inst.wang", PASSWORD).await?;
        b.goto("/reports").await?;
        b.find("#file").await?.send_keys(&file.display().to_string()).await?;
        b.click("#mode-submit").await?;
        b.submit("#upload").await?;
        let path = b.path().await?;
        assert!(path.starts_with("/reports/batches/"), "landed on {path}");
        let meta = b.text("#batch-meta").await?;
        assert!(meta.contains("报告 3 份"), "#batch-meta: {meta}");

        // The check runs in the background; the page says so, then shows it done.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            b.goto(&path).await?;
            if b.text("#batch-state").await?.contains("已检查") {
                break;
            }
            assert!(Instant::now() < deadline, "the background check did not finish");
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        // The institution sees the error in its own report (as its validator would have shown it),
        // with a note on what stays with the regulators.
        let own = "#findings tr.finding[data-rule='OFF-I01']";
        assert!(b.exists(own).await?, "the institution sees its own report's error");
        assert!(b.text(own).await?.contains(&planted_no));
        assert!(b.exists("#institution-scope").await?);
        b.sign_out().await?;

        // The MSA officer finds it on the MSA worklist, with its evidence.
        b.sign_in("msa.zhao", PASSWORD).await?;
        b.goto("/msa/findings").await?;
        let row = "#findings tr.finding[data-rule='OFF-I01']";
        assert!(b.exists(row).await?, "OFF-I01 on the MSA worklist");
        let text = b.text(row).await?;
        assert!(text.contains(&planted_no) && text.contains(&uscc), "row: {text}");
        b.click(&format!("{row} details.evidence summary")).await?;
        let evidence = b.text(&format!("{row} details.evidence pre")).await?;
        assert!(evidence.contains("GHOST-YQ-404"), "evidence: {evidence}");
        assert!(b.exists("#export").await?, "the worklist exports to Excel");
        b.sign_out().await?;

        // Not on the EEB worklist: routed by duty code.
        b.sign_in("eeb.qian", PASSWORD).await?;
        b.goto("/eeb/findings").await?;
        assert!(!b.exists("#findings tr.finding[data-rule='OFF-I01']").await?);
        workers.iter().for_each(tokio::task::JoinHandle::abort);
        Ok(())
    });
}
