//! What each subcommand does.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use anyhow::{anyhow, Context, Result};
use lianjian_app::accounts::NewAccount;
use lianjian_store::audit::Actor;
use lianjian_store::Clock;
use lianjian_store::{Store, DEFAULT_DATABASE_URL};
use lianjian_web::{AppState, Settings};

use crate::cli::{AuditCommand, Cli, Command, ServeArgs, TokenCommand, UserCommand};
use crate::demo;

pub const DEMO_DATABASE_URL: &str = "sqlite://./lianjian-data/demo.db";

fn database_url(cli: &Option<String>) -> String {
    cli.clone().unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned())
}

async fn open(url: &str) -> Result<Store> {
    Store::open(url).await.map_err(|e| anyhow!("{e}"))
}

fn cli_actor() -> Actor {
    let who =
        std::env::var("SUDO_USER").or_else(|_| std::env::var("USER")).unwrap_or_else(|_| "operator".into());
    Actor::system(&format!("cli:{who}"))
}

pub async fn run(cli: Cli) -> Result<ExitCode> {
    let url = database_url(&cli.database_url);
    match cli.command {
        Command::Serve(args) => {
            let store = open(&url).await?;
            serve(store, &args).await?;
        }
        Command::Demo(args) => {
            let url = cli.database_url.clone().unwrap_or_else(|| DEMO_DATABASE_URL.to_owned());
            demo::reset(&url).await?;
            let clock = match args.today {
                Some(day) => Clock::starting_on(day),
                None => Clock::system(),
            };
            let store = open(&url).await?.with_clock(clock);
            let fill = demo::fill(&store, args.seed).await?;
            demo::print(&fill, &args.serve.bind, &url);
            if !args.no_serve {
                serve(store, &args.serve).await?;
            }
        }
        Command::CalendarAdd { file, note } => {
            let text =
                std::fs::read_to_string(&file).with_context(|| format!("无法读取 {}", file.display()))?;
            let store = open(&url).await?;
            let (year, recount) = lianjian_app::App::new(store.clone())
                .add_calendar_year(&cli_actor(), &text, &note)
                .await
                .map_err(|e| anyhow!("{}:{e}", file.display()))?;
            println!("已补充 {year} 年法定节假日数据");
            println!(
                "按预估日历计算的未结期限已重新计算:{} 个日期不变已确认,{} 个日期有变化、待科室负责人在“期限复核”页确认,{} 个仍依赖未公布年份",
                recount.confirmed, recount.pending, recount.still_provisional
            );
        }
        Command::Migrate => {
            let store = open(&url).await?;
            println!("数据库已是最新结构({})", store.backend().name());
        }
        Command::User(UserCommand::Add {
            username,
            department,
            role,
            institution,
            name,
            password_stdin: _,
            no_force_change,
        }) => {
            let mut password = String::new();
            std::io::stdin().lock().read_line(&mut password).context("无法从标准输入读取口令")?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            let acc = NewAccount {
                display_name: name.unwrap_or_else(|| username.clone()),
                username,
                department: department.parse().map_err(|e| anyhow!("--department: {e}"))?,
                role: role.parse().map_err(|e| anyhow!("--role: {e}"))?,
                institution_uscc: institution,
                password,
                must_change_password: !no_force_change,
            };
            let store = open(&url).await?;
            let who = acc.username.clone();
            lianjian_app::App::new(store.clone())
                .create_user(&cli_actor(), acc)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            println!("已创建账户 {who}");
        }
        Command::User(UserCommand::List) => {
            let store = open(&url).await?;
            for u in store.users().await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    u.username,
                    u.department.code(),
                    u.role.code(),
                    u.institution_uscc.unwrap_or_default(),
                    if u.active { "active" } else { "disabled" }
                );
            }
        }
        Command::Token(TokenCommand::Create { username, label }) => {
            let store = open(&url).await?;
            let token = lianjian_app::App::new(store.clone())
                .create_token(&cli_actor(), &username, &label)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            eprintln!("令牌只显示这一次,请妥善保存 / shown once:");
            println!("{token}");
        }
        Command::Backup { file } => {
            let store = open(&url).await?;
            store.backup(&file).await?;
            println!("已备份到 {}", file.display());
        }
        Command::Restore { file } => {
            lianjian_store::backup::restore(&url, &file).await?;
            let store = open(&url).await?;
            let (seq, head) = store.audit_head().await?;
            println!("已从 {} 恢复;审计链头 seq {seq} {head}", file.display());
        }
        Command::Audit(cmd) => return audit(&url, cmd).await,
        Command::Draw(cmd) => return crate::draw::run(cmd),
        Command::Offsite(cmd) => return crate::offsite_cmd::run(cmd),
        Command::Import(cmd) => return crate::registry_cmd::import(&url, cmd, &cli_actor()).await,
        Command::Export(cmd) => return crate::registry_cmd::export(&url, cmd).await,
    }
    Ok(ExitCode::SUCCESS)
}

async fn serve(store: Store, args: &ServeArgs) -> Result<()> {
    // The security numbers are read from the security parameters as they change (the security
    // administrator's page); the operator fixes only what is below.
    let trusted_proxies =
        lianjian_web::settings::parse_proxies(&args.trusted_proxies).map_err(|e| anyhow!(e))?;
    let settings = Settings { secure_cookies: args.secure_cookies, trusted_proxies, fixed_policy: None };
    let listener =
        tokio::net::TcpListener::bind(&args.bind).await.with_context(|| format!("无法监听 {}", args.bind))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, backend = store.backend().name(), "联监 serving");
    eprintln!("联监已启动: http://{addr}/  (Ctrl-C 停止)");
    lianjian_web::serve(AppState::new(store, settings), listener).await?;
    Ok(())
}

async fn audit(url: &str, cmd: AuditCommand) -> Result<ExitCode> {
    match cmd {
        AuditCommand::Verify { file: Some(path) } => {
            let f = std::fs::File::open(&path).with_context(|| format!("无法打开 {}", path.display()))?;
            report_verify(lianjian_audit::verify_jsonl(std::io::BufReader::new(f)))
        }
        AuditCommand::Verify { file: None } => {
            let store = open(url).await?;
            report_verify(store.audit_verify().await?)
        }
        AuditCommand::Export { out } => {
            let store = open(url).await?;
            let mut sink: Box<dyn Write> = match &out {
                Some(p) => Box::new(std::io::BufWriter::new(
                    std::fs::File::create(p).with_context(|| format!("无法创建 {}", p.display()))?,
                )),
                None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            };
            store.audit_for_each(|e| writeln!(sink, "{e}")).await?.context("写出审计日志失败")?;
            sink.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Head => {
            let store = open(url).await?;
            let (seq, hash) = store.audit_head().await?;
            println!("{seq} {hash}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn report_verify(
    result: std::result::Result<lianjian_audit::VerifySummary, lianjian_audit::BrokenAt>,
) -> Result<ExitCode> {
    match result {
        Ok(s) => {
            println!("审计链完整 / chain intact: {} 条 entries, head {}", s.count, s.head);
            Ok(ExitCode::SUCCESS)
        }
        Err(b) => {
            println!("审计链被破坏 / chain broken: {b}");
            Ok(ExitCode::FAILURE)
        }
    }
}
