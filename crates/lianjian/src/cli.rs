//! The command line. Every subcommand's one-line help is Chinese and English.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "lianjian",
    version,
    about = "联监:生态环境监测机构综合监管平台 / Lianjian: joint supervision of environmental monitoring institutions"
)]
pub struct Cli {
    /// 数据库地址 / database URL: sqlite://PATH or postgres://…
    #[arg(long, global = true, env = "LIANJIAN_DATABASE_URL")]
    pub database_url: Option<String>,
    /// 以 JSON 输出日志 / structured JSON logs
    #[arg(long, global = true)]
    pub log_json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// 演示:新建嵌入式数据库、填充演示数据并启动 / demo: fresh embedded database with demo data, then serve
    Demo(DemoArgs),
    /// 启动服务 / run the server
    Serve(ServeArgs),
    /// 账户管理 / user accounts
    #[command(subcommand)]
    User(UserCommand),
    /// API 令牌 / API tokens for system-to-system use
    #[command(subcommand)]
    Token(TokenCommand),
    /// 在线一致性备份 / consistent online backup to FILE
    Backup { file: PathBuf },
    /// 从备份恢复(需先停止服务)/ restore a backup (stop the server first)
    Restore { file: PathBuf },
    /// 审计链:校验、导出、链头 / audit chain: verify, export, head
    #[command(subcommand)]
    Audit(AuditCommand),
    /// 双随机抽取:运行、验证、RFC 3797 / verifiable random draw: run, verify, RFC 3797
    #[command(subcommand)]
    Draw(DrawCommand),
    /// 数据库迁移(启动时也会自动执行)/ apply database migrations (also done at start)
    Migrate,
    /// 补充某年的法定节假日数据(国务院通知,holiday-cn JSON)/ add a year's official holiday calendar
    CalendarAdd {
        /// holiday-cn 格式的 JSON 文件 / the year's file in holiday-cn JSON
        file: PathBuf,
        /// 来源(通知文号或网址)/ source: the notice's number or address
        #[arg(long)]
        note: String,
    },
    /// 非现场检查:按名录检查监测报告 / off-site check of monitoring reports against a registry
    #[command(subcommand)]
    Offsite(crate::offsite_cmd::OffsiteCommand),
    /// 导入:机构名录快照 JSON / import: the institution registry snapshot (JSON)
    #[command(subcommand)]
    Import(crate::registry_cmd::ImportCommand),
    /// 导出:机构名录快照 JSON / export: the institution registry snapshot (JSON)
    #[command(subcommand)]
    Export(crate::registry_cmd::ExportCommand),
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// 监听地址 / address to listen on
    #[arg(long, default_value = "127.0.0.1:8080", env = "LIANJIAN_BIND")]
    pub bind: String,
    /// 即使未经 HTTPS 代理也设置 Secure Cookie / always mark cookies Secure
    #[arg(long, env = "LIANJIAN_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// 受信任的反向代理(IP 或 CIDR,可重复或以逗号分隔);只采信这些地址转发的 X-Forwarded-For /
    /// reverse proxies whose X-Forwarded-For is believed (IP or CIDR; repeat or comma-separate)
    #[arg(long = "trusted-proxy", env = "LIANJIAN_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<String>,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    #[command(flatten)]
    pub serve: ServeArgs,
    /// 演示数据随机种子 / seed of the demo district
    #[arg(long, default_value_t = 20261129)]
    pub seed: u64,
    /// 只生成数据不启动服务 / fill the database and exit
    #[arg(long)]
    pub no_serve: bool,
    /// 演示环境的“今天”(YYYY-MM-DD,时钟从这一天起运行;正式服务始终用系统时钟)/ the day the demo's
    /// clock starts on (the demo only: `serve` always runs on the system clock)
    #[arg(long, value_parser = parse_day)]
    pub today: Option<time::Date>,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// 新建账户,口令从标准输入读取 / add an account; password read from stdin
    Add {
        #[arg(long)]
        username: String,
        /// 部门代码 / department code: EEB MSA AGRI PLAN WATER TRANSPORT GREEN INST OPS
        #[arg(long)]
        department: String,
        /// 角色 / role: officer leader liaison institution sysadmin secadmin auditadmin
        #[arg(long)]
        role: String,
        /// 机构用户绑定的统一社会信用代码 / USCC of an institution user's institution
        #[arg(long)]
        institution: Option<String>,
        /// 姓名 / display name (defaults to the username)
        #[arg(long)]
        name: Option<String>,
        /// 从标准输入读取口令 / read the password from standard input
        #[arg(long, required = true)]
        password_stdin: bool,
        /// 首次登录无需修改口令 / do not force a change at first sign-in
        #[arg(long)]
        no_force_change: bool,
    },
    /// 列出账户 / list accounts
    List,
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// 为用户签发令牌,最后一行输出令牌 / create a token; printed as the last line
    Create {
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "cli")]
        label: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// 校验审计链,指出第一条被破坏的记录 / verify the chain; names the first broken seq
    Verify {
        /// 校验导出文件而非数据库 / verify an export file instead of the database
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// 导出为 JSON Lines / export as JSON Lines
    Export {
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// 输出最新哈希 / print the newest hash
    Head,
}

#[derive(Subcommand, Debug)]
pub enum DrawCommand {
    /// 按 lianjian-draw-v1 抽取并输出记录 / run a draw and print its record
    Run {
        /// 冻结的输入 JSON / the frozen inputs (JSON); `-` reads stdin
        inputs: PathBuf,
        /// 熵值,按 entropy_sources 的顺序 / revealed entropy values in entropy_sources order
        #[arg(long = "entropy", required = true)]
        entropy: Vec<String>,
    },
    /// 重新运行并逐字节核对记录 / re-run a record and check it byte for byte
    Verify {
        /// 抽取记录 JSON / the record; `-` reads stdin
        record: PathBuf,
    },
    /// 计算部门密钥的承诺值 / SHA-256 commitment of a department secret (read from stdin)
    Commitment,
    /// RFC 3797 选取,输出从 1 开始的序号 / RFC 3797 selection; prints 1-based positions in order
    Rfc3797 {
        /// 候选总数 / pool size
        #[arg(long)]
        pool: u64,
        /// 选取个数 / how many to select
        #[arg(long)]
        select: usize,
        /// 随机源,按公布顺序 / entropy sources in their announced order
        #[arg(long = "source", required = true)]
        sources: Vec<String>,
    },
}

fn parse_day(s: &str) -> Result<time::Date, String> {
    lianjian_registry::date::parse(s).ok_or_else(|| format!("日期“{s}”无效,应为 YYYY-MM-DD"))
}
