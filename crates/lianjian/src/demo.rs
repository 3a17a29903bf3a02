//! `lianjian demo`: a fresh embedded database with an account for every role.

use anyhow::{anyhow, Result};
use lianjian_app::accounts::NewAccount;
use lianjian_app::institutions::ImportOutcome;
use lianjian_app::App;
use lianjian_domain::org::{Department, Role};
use lianjian_store::audit::Actor;
use lianjian_store::Store;

/// The demo password of every demo account (meets the password policy).
pub const DEMO_PASSWORD: &str = "Demo@2026";

pub struct DemoAccount {
    pub username: &'static str,
    pub name: &'static str,
    pub department: Department,
    pub role: Role,
    pub institution: Option<&'static str>,
}

/// A demo institution's code (valid GB 32100 check character).
pub const DEMO_INSTITUTION: &str = "91310113MA1GL0QY3R";

pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        username: "eeb-officer",
        name: "张卫东",
        department: Department::Eeb,
        role: Role::Officer,
        institution: None,
    },
    DemoAccount {
        username: "eeb-leader",
        name: "王海燕",
        department: Department::Eeb,
        role: Role::Leader,
        institution: None,
    },
    DemoAccount {
        username: "msa-officer",
        name: "李建国",
        department: Department::Msa,
        role: Role::Officer,
        institution: None,
    },
    DemoAccount {
        username: "msa-leader",
        name: "陈晓红",
        department: Department::Msa,
        role: Role::Leader,
        institution: None,
    },
    DemoAccount {
        username: "water-liaison",
        name: "赵明",
        department: Department::Water,
        role: Role::Liaison,
        institution: None,
    },
    DemoAccount {
        username: "agri-liaison",
        name: "孙丽",
        department: Department::Agri,
        role: Role::Liaison,
        institution: None,
    },
    DemoAccount {
        username: "inst-user",
        name: "周志强",
        department: Department::Inst,
        role: Role::Institution,
        institution: Some(DEMO_INSTITUTION),
    },
    DemoAccount {
        username: "city-feed",
        name: "市级监管系统推送",
        department: Department::Ops,
        role: Role::Feed,
        institution: None,
    },
    DemoAccount {
        username: "sysadmin",
        name: "系统管理员",
        department: Department::Ops,
        role: Role::SystemAdmin,
        institution: None,
    },
    DemoAccount {
        username: "secadmin",
        name: "安全管理员",
        department: Department::Ops,
        role: Role::SecurityAdmin,
        institution: None,
    },
    DemoAccount {
        username: "auditadmin",
        name: "审计管理员",
        department: Department::Ops,
        role: Role::AuditAdmin,
        institution: None,
    },
];

/// Remove a previous demo database so every demo starts from the same state.
pub async fn reset(url: &str) -> Result<()> {
    if url.starts_with("sqlite:") {
        let path = lianjian_store::backend::sqlite_path(url)?;
        for suffix in ["", "-wal", "-shm"] {
            let p = format!("{}{suffix}", path.display());
            match tokio::fs::remove_file(&p).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(anyhow!("无法删除旧的演示数据库 {p}: {e}")),
            }
        }
    }
    Ok(())
}

pub async fn fill(store: &Store, seed: u64) -> Result<DemoFill> {
    if store.user_count().await? > 0 {
        return Err(anyhow!("演示只能在空数据库上运行;请换一个 --database-url 或删除原数据库"));
    }
    let actor = Actor::system("demo");
    let app = App::new(store.clone());
    for a in ACCOUNTS {
        let acc = NewAccount {
            username: a.username.to_owned(),
            display_name: a.name.to_owned(),
            department: a.department,
            role: a.role,
            institution_uscc: a.institution.map(str::to_owned),
            password: DEMO_PASSWORD.to_owned(),
            must_change_password: false,
        };
        app.create_user(&actor, acc).await?;
    }
    let today = store.today();
    let mut district = crate::district::district(seed, 160, today);
    // The demo institution account is bound to the first institution of the district.
    if let Some(first) = district.institutions.first_mut() {
        first.uscc = DEMO_INSTITUTION.to_owned();
    }
    district.canonicalize();
    match app.import_registry(&actor, &district, Some("演示数据")).await? {
        ImportOutcome::Applied(_) => {}
        ImportOutcome::Refused(problems) => {
            return Err(anyhow!("演示名录无效:{:?}", problems.first()));
        }
    }
    seed_registers(&app, &actor, &district, seed, today).await?;
    let plans = lianjian_app::plans::seed_demo_plans(&app, &actor).await.map_err(|e| anyhow!("{e}"))?;
    seed_reports(store, &district, seed, today).await?;
    Ok(DemoFill { accounts: ACCOUNTS, secrets: plans.secrets, frozen_plan: plans.frozen.id })
}

/// A batch of reports filed by the city feed's account, through the same use case as an upload,
/// and checked at once (the app's worker, drained) so the worklists are filled.
async fn seed_reports(
    store: &Store,
    district: &lianjian_registry::Snapshot,
    seed: u64,
    today: time::Date,
) -> Result<()> {
    let app = lianjian_app::App::new(store.clone());
    let text = crate::demo_reports::reports(district, seed, today);
    let feed =
        store.user_by_username("city-feed").await?.ok_or_else(|| anyhow!("演示账户 city-feed 不存在"))?;
    let actor = Actor {
        user: feed.username.clone(),
        department: feed.department.code().to_owned(),
        role: feed.role.code().to_owned(),
        ip: None,
    };
    // The city feed files any institution's reports: nothing is refused for its institution.
    app.submit_reports(&actor, &feed, Some("市级系统推送-演示.jsonl".into()), text.as_bytes())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    lianjian_app::worker::drain(&app, "demo").await.map_err(|e| anyhow!("{e}"))?;
    Ok(())
}

/// What the demo prints besides the accounts: the draw-meeting secrets of the plan waiting for its draw.
pub struct DemoFill {
    pub accounts: &'static [DemoAccount],
    pub secrets: Vec<(Department, String)>,
    pub frozen_plan: i64,
}

/// Inspectors (with conflicts, a few deactivated), the item list, and partner-department lists with
/// some submitted late and one missing.
async fn seed_registers(
    app: &App,
    actor: &Actor,
    district: &lianjian_registry::Snapshot,
    seed: u64,
    today: time::Date,
) -> Result<()> {
    use lianjian_domain::inspectors::{ConflictReason, NewInspector};
    use lianjian_domain::partner::{reporting_departments, Commission, PartnerListRow, Period};
    use time::macros::date;

    app.seed_items_if_empty(actor).await?;
    let since = date!(2024 - 01 - 02);
    for (k, i) in crate::district::inspectors(seed, 46, 40).into_iter().enumerate() {
        let code = i.code.clone();
        let new = NewInspector {
            code: i.code,
            department: i.department,
            name: i.name,
            enforcement_cert_no: i.cert,
            specialties: i.specialties,
            max_tasks_per_plan: i.max_tasks,
        };
        app.add_inspector(actor, new, since).await?;
        let inst = &district.institutions[(k * 7 + 3) % district.institutions.len()];
        if k % 5 == 1 {
            let reason = if k % 2 == 0 { ConflictReason::FormerEmployer } else { ConflictReason::Relative };
            app.declare_conflict(actor, &code, &inst.uscc, reason, since, None).await?;
        }
        if k % 23 == 7 {
            app.deactivate_inspector(actor, &code, date!(2026 - 03 - 01), "调离执法岗位").await?;
        }
    }
    // Partner lists: most on time, some late, one missing (the board shows all three).
    let cal = lianjian_domain::calendar::Calendar::official();
    let departments = reporting_departments();
    for (p_index, period) in Period::recent(today, 4).into_iter().enumerate().skip(1) {
        for (d_index, dept) in departments.iter().enumerate() {
            let due = lianjian_domain::partner::deadline(&cal, period).map_or(period.due_date(), |d| d.value);
            let on = match (p_index + d_index) % 7 {
                0 => continue,
                3 => due + time::Duration::days(9),
                5 => due + time::Duration::days(2),
                _ => due - time::Duration::days(3 + d_index as i64),
            };
            if on > today || on < period.starts() {
                continue;
            }
            let rows: Vec<PartnerListRow> = district
                .institutions
                .iter()
                .skip(d_index * 11 + p_index)
                .step_by(9)
                .take(4 + d_index)
                .filter_map(|inst| {
                    let scope = inst.certificates.first()?.scope.first()?;
                    Some(PartnerListRow {
                        uscc: inst.uscc.clone(),
                        institution_name: inst.name.clone(),
                        category: scope.category,
                        project: format!("{}{}监测", dept.zh().trim_start_matches('区'), scope.parameter),
                        commission: if d_index % 2 == 0 {
                            Commission::Enforcement
                        } else {
                            Commission::Government
                        },
                    })
                })
                .collect();
            app.submit_partner_list(actor, *dept, period, rows, on).await?;
        }
    }
    Ok(())
}

pub fn print(fill: &DemoFill, bind: &str, url: &str) {
    print_accounts(fill.accounts, bind, url);
    println!();
    println!("待开抽取会的联合抽查计划 /plans/{}:两部门负责人揭示的密钥如下(演示用)", fill.frozen_plan);
    for (dept, secret) in &fill.secrets {
        println!("  {:<14} {secret}", dept.zh());
    }
}

pub fn print_accounts(accounts: &[DemoAccount], bind: &str, url: &str) {
    println!("联监演示环境 / Lianjian demo — 数据库 {url}");
    println!("打开 http://{bind}/login ,以下账户口令均为 {DEMO_PASSWORD}:");
    println!("{:<16} {:<10} {:<14} 角色", "用户名", "姓名", "部门");
    for a in accounts {
        println!("{:<16} {:<10} {:<14} {}", a.username, a.name, a.department.zh(), a.role.zh());
    }
}
