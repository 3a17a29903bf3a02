//! `lianjian offsite check …`: the off-site check engine 非现场检查 on files, for an officer with a
//! registry export and a batch of reports, or for an institution checking its own reports before it
//! files them. No database: the registry and the method table come from files (or the shipped table).
//!
//! Findings (exchange-formats §3) go to stdout or `--out`; a one-line summary per rule goes to
//! stderr. Findings are the normal result of a check, so the exit code is 0 whenever the check ran;
//! it is non-zero only when an input (registry, method table, rules, reports) cannot be read.

use std::io::{BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Subcommand};
use lianjian_offsite::{Engine, RuleId, Summary, Thresholds};
use lianjian_registry::{MethodTable, Snapshot};

#[derive(Subcommand, Debug)]
pub enum OffsiteCommand {
    /// 检查监测报告并输出问题线索 / check monitoring reports (JSON Lines) and write findings
    Check(CheckArgs),
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// 名录快照 JSON(交换格式 §1)/ registry snapshot JSON; `-` reads stdin
    #[arg(long)]
    pub registry: PathBuf,
    /// 方法标准表 CSV(§5),缺省为内置表 / method-standard table CSV; the shipped table when absent
    #[arg(long)]
    pub methods: Option<PathBuf>,
    /// 规则阈值文件(TOML 或 .json)/ engine thresholds file (TOML, or JSON by extension)
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// 问题线索输出文件,缺省为标准输出 / findings file (JSON Lines); stdout when absent
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// 监测报告 JSON Lines(§2)/ reports, one per line; `-` reads stdin
    pub reports: PathBuf,
}

pub fn run(cmd: OffsiteCommand) -> Result<ExitCode> {
    match cmd {
        OffsiteCommand::Check(args) => check(&args),
    }
}

fn is_stdin(p: &Path) -> bool {
    p.as_os_str() == "-"
}

fn read_text(path: &Path, what: &str) -> Result<String> {
    if is_stdin(path) {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).with_context(|| format!("无法从标准输入读取{what}"))?;
        Ok(s)
    } else {
        std::fs::read_to_string(path).map_err(|e| anyhow!("无法读取{what} {}:{e}", path.display()))
    }
}

/// The registry snapshot, or a one-line message naming the file and the line and column.
pub fn load_registry(path: &Path) -> Result<Snapshot> {
    let text = read_text(path, "名录快照")?;
    Snapshot::from_json(&text).map_err(|e| {
        anyhow!(
            "名录快照 {} 第 {} 行第 {} 列无法读取:{}",
            path.display(),
            e.line,
            e.column,
            e.cause.replace('\n', " ")
        )
    })
}

/// The method table from a file, or the table the product ships with.
pub fn load_methods(path: Option<&Path>) -> Result<MethodTable> {
    let Some(path) = path else {
        return lianjian_registry::embedded::method_table()
            .map_err(|e| anyhow!("内置方法标准表无法读取:{}", join_problems(&e)));
    };
    let text = read_text(path, "方法标准表")?;
    let table = MethodTable::from_csv(text.as_bytes())
        .map_err(|e| anyhow!("方法标准表 {} 无法读取:{}", path.display(), join_problems(&e)))?;
    for m in table.merged_rows() {
        eprintln!("注意:{}:{m}", path.display());
    }
    Ok(table)
}

fn join_problems(errors: &[lianjian_registry::MethodTableError]) -> String {
    const SHOWN: usize = 5;
    let mut s = errors.iter().take(SHOWN).map(ToString::to_string).collect::<Vec<_>>().join(";");
    if errors.len() > SHOWN {
        s.push_str(&format!(";另有 {} 处问题", errors.len() - SHOWN));
    }
    s.replace('\n', " ")
}

fn load_thresholds(path: Option<&Path>) -> Result<Thresholds> {
    let Some(path) = path else { return Ok(Thresholds::default()) };
    let text = read_text(path, "规则阈值文件")?;
    let json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let parsed = if json { Thresholds::from_json(&text) } else { Thresholds::from_toml(&text) };
    parsed.map_err(|e| anyhow!("规则阈值文件 {}:{}", path.display(), e.to_string().replace('\n', " ")))
}

fn check(args: &CheckArgs) -> Result<ExitCode> {
    if is_stdin(&args.registry) && is_stdin(&args.reports) {
        bail!("名录快照和监测报告不能都从标准输入读取");
    }
    let snapshot = load_registry(&args.registry)?;
    let methods = load_methods(args.methods.as_deref())?;
    let thresholds = load_thresholds(args.rules.as_deref())?;
    let engine = Engine::new(&snapshot, &methods, thresholds);

    let file = if is_stdin(&args.reports) {
        None
    } else {
        Some(
            std::fs::File::open(&args.reports)
                .map_err(|e| anyhow!("无法读取监测报告 {}:{e}", args.reports.display()))?,
        )
    };
    let meta = file.as_ref().and_then(|f| f.metadata().ok());
    let total = meta.as_ref().map(|m| m.len());
    // A regular file is read by position, each worker its own stretch; anything else (standard
    // input, a pipe) as a stream.
    let regular = meta.is_some_and(|m| m.is_file());
    let output: Box<dyn Write> = match &args.out {
        Some(p) => {
            Box::new(std::fs::File::create(p).map_err(|e| anyhow!("无法创建输出文件 {}:{e}", p.display()))?)
        }
        None => Box::new(std::io::stdout().lock()),
    };
    let writer = BufWriter::with_capacity(1 << 20, output);

    let bar = std::io::stderr().is_terminal().then(|| progress_bar(total));
    let tick = |bytes: u64| {
        if let Some(b) = &bar {
            b.set_position(bytes);
        }
    };
    let progress: Option<&dyn Fn(u64)> = if bar.is_some() { Some(&tick) } else { None };
    let summary = match &file {
        Some(f) if regular => engine.check_file(f, writer, progress),
        Some(f) => engine.check(f, writer, progress),
        None => engine.check(std::io::stdin(), writer, progress),
    }
    .with_context(|| format!("检查 {} 失败", args.reports.display()))?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    print_summary(&summary);
    Ok(ExitCode::SUCCESS)
}

fn progress_bar(total: Option<u64>) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    let bar = match total {
        Some(n) => ProgressBar::new(n).with_style(
            ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} 剩余 {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} 已读 {bytes} {bytes_per_sec}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    };
    bar.set_draw_target(ProgressDrawTarget::stderr());
    bar
}

/// One line per rule (every rule, zero included, so scripts can rely on the shape), then totals.
fn print_summary(s: &Summary) {
    let mut err = std::io::stderr().lock();
    for rule in RuleId::ALL {
        let sev = match rule.severity() {
            lianjian_offsite::Severity::Error => "error",
            lianjian_offsite::Severity::Warning => "warning",
        };
        let _ =
            writeln!(err, "{}\t{}\t{sev}\t{}\t{}", rule.id(), rule.duty(), s.count(*rule), rule.title_zh());
    }
    let _ = writeln!(
        err,
        "合计 / total: {} 行, {} 份报告, {} 份完成全部检查, {} 个错误, {} 个预警",
        s.lines,
        s.reports,
        s.reports_checked,
        s.errors(),
        s.warnings()
    );
}
