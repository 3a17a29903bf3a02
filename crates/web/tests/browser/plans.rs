//! A joint plan through the real pages in Chromium: the EEB leader creates it and commits, the MSA
//! leader commits and freezes, both reveal at the draw meeting (a wrong secret refused first), the
//! draw runs, and a drawn team member finds the task in their workspace.

use lianjian_domain::inspectors::NewInspector;
use lianjian_domain::org::{Category, Department, Role};
use lianjian_registry::Snapshot;
use lianjian_store::audit::Actor;
use time::macros::date;

use crate::harness::{self, account, Browser, Result};

const PASSWORD: &str = "Leader@2026x";
const EEB_SECRET: &str = "生态环境局抽取会秘密-6a1f";
const MSA_SECRET: &str = "市场监管局抽取会秘密-2c9d";

/// Four institutions, two inspectors per department each linked to an officer account, the item
/// list; returns the codes of one EEB and one MSA item.
async fn arrange(b: &Browser) -> Result<Vec<String>> {
    let store = b.state().app.store();
    let actor = Actor::system("browser-test");
    let insts: Vec<serde_json::Value> = (1..=4)
        .map(|i| {
            serde_json::json!({"uscc": lianjian_store::institutions::gen::uscc_for(i), "name": format!("上海宝山第{i}检测有限公司"),
                "certificates": [{"no": format!("2024{i:08}"), "issued_on": "2024-01-01", "expires_on": "2035-01-01",
                    "status_history": [{"status": "valid", "from": "2024-01-01"}],
                    "scope": [{"category": "water", "parameter": "氨氮", "method": "HJ 535-2009", "from": "2024-01-01", "to": null}]}]})
        })
        .collect();
    let snap = Snapshot::from_json(&serde_json::json!({ "institutions": insts }).to_string())?;
    let uc = &b.state().app;
    uc.import_registry(&actor, &snap, Some("测试")).await?;
    uc.seed_items_if_empty(&actor).await?;
    b.create_account(account("eeb.leader", "王晓东", Department::Eeb, Role::Leader, PASSWORD)).await?;
    b.create_account(account("msa.leader", "陈丽华", Department::Msa, Role::Leader, PASSWORD)).await?;
    for (code, d, user, name) in [
        ("EEB-0001", Department::Eeb, "eeb.a", "张伟"),
        ("EEB-0002", Department::Eeb, "eeb.b", "刘洋"),
        ("MSA-0001", Department::Msa, "msa.a", "赵敏"),
        ("MSA-0002", Department::Msa, "msa.b", "孙强"),
    ] {
        b.create_account(account(user, name, d, Role::Officer, PASSWORD)).await?;
        let new = NewInspector {
            code: code.into(),
            department: d,
            name: name.into(),
            enforcement_cert_no: format!("沪执{code}"),
            specialties: vec![Category::Water],
            max_tasks_per_plan: 5,
        };
        uc.add_inspector(&actor, new, date!(2024 - 01 - 01)).await?;
        b.state().app.link_inspector_account(&actor, code, user).await?;
    }
    let items = store.items(Some(store.today())).await?;
    Ok([Department::Eeb, Department::Msa]
        .iter()
        .filter_map(|d| items.iter().find(|i| i.department == *d).map(|i| i.code.clone()))
        .collect())
}

async fn as_user(b: &Browser, username: &str, plan_path: &str) -> Result {
    b.sign_in(username, PASSWORD).await?;
    b.goto(plan_path).await?;
    Ok(())
}

#[test]
fn leaders_freeze_and_reveal_the_draw_runs_and_a_member_sees_the_task() {
    harness::flow("leaders_freeze_and_reveal_the_draw_runs_and_a_member_sees_the_task", |b| async move {
        let items = arrange(&b).await?;

        // The EEB leader creates the joint plan and commits the department's secret.
        b.sign_in("eeb.leader", PASSWORD).await?;
        b.wait_for_path("/eeb").await?;
        b.click("a[href='/plans']").await?;
        b.wait_for_path("/plans").await?;
        b.fill("#period", "2026-H2").await?;
        for code in &items {
            b.click(&format!("input[name=items][value='{code}']")).await?;
        }
        b.submit("#create").await?;
        let plan_path = b.path().await?;
        assert!(plan_path.starts_with("/plans/"), "after creating: {plan_path}");
        assert!(b.text("#plan-status").await?.contains("草拟"));
        b.fill("#commit-secret", EEB_SECRET).await?;
        b.submit("#commit").await?;
        assert!(b.text(".flash").await?.contains("承诺值已提交"));
        let page = b.text("#entropy").await?;
        assert!(page.contains(&lianjian_domain::plans::engine::commitment(EEB_SECRET)), "{page}");
        assert!(!b.client().source().await?.contains(EEB_SECRET), "the secret itself is never shown");
        b.sign_out().await?;

        // The MSA leader commits and freezes.
        as_user(&b, "msa.leader", &plan_path).await?;
        b.fill("#commit-secret", MSA_SECRET).await?;
        b.submit("#commit").await?;
        b.submit("#freeze").await?;
        assert!(b.text("#plan-status").await?.contains("已冻结"));
        let digest = b.text("#inputs-digest").await?;
        assert_eq!(digest.len(), 64, "inputs digest: {digest}");
        b.sign_out().await?;

        // The draw meeting: a mistyped secret is refused in Chinese, then both reveal.
        as_user(&b, "eeb.leader", &plan_path).await?;
        b.fill("#reveal-secret", "生态环境局抽取会秘密-6a1F").await?;
        b.submit("#reveal").await?;
        let refused = b.text(".flash").await?;
        assert!(refused.contains("与冻结时公布的承诺值不符"), "{refused}");
        b.fill("#reveal-secret", EEB_SECRET).await?;
        b.submit("#reveal").await?;
        assert!(b.text(".flash").await?.contains("已接受"));
        b.sign_out().await?;
        as_user(&b, "msa.leader", &plan_path).await?;
        b.fill("#reveal-secret", MSA_SECRET).await?;
        b.submit("#reveal").await?;
        assert!(b.text("#plan-status").await?.contains("已抽取"));
        assert!(b.text("#record-check").await?.contains("核验通过"));
        b.sign_out().await?;

        // A member of the first team finds the task in their workspace.
        let plan_id: i64 = plan_path.trim_start_matches("/plans/").parse()?;
        let task = b.state().app.store().plan_tasks(plan_id).await?.remove(0);
        let member = task.members.iter().find(|m| m.department == "MSA").ok_or("no MSA member")?;
        let username = if member.code == "MSA-0001" { "msa.a" } else { "msa.b" };
        b.sign_in(username, PASSWORD).await?;
        b.wait_for_path("/msa").await?;
        b.click("a[href='/tasks']").await?;
        b.wait_for_path("/tasks").await?;
        let listed = b.text("#my-tasks").await?;
        assert!(listed.contains(&task.institution_name), "{listed}");
        b.submit(".task-link").await?;
        assert!(b.text("#task-title").await?.contains(&task.institution_name));
        assert!(b.exists("#recuse").await?, "a member may declare a conflict from the task page");

        // The public portal shows the record to anyone.
        b.sign_out().await?;
        b.goto(&format!("/public/plans/{plan_id}")).await?;
        assert_eq!(b.text("#inputs-digest").await?, digest);
        assert!(b.text("#record-check").await?.contains("一致"));
        Ok(())
    });
}
