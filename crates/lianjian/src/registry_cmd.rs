//! `lianjian import registry FILE` / `lianjian export registry [--out FILE]`: the institution
//! registry 机构名录 in and out of the database as the snapshot JSON of exchange-formats §1.
//!
//! An import is all or nothing: a file with any problem is refused, every problem printed to
//! stderr as one line `USCC 路径 字段: 原因`, exit code 1, database unchanged. Export → import
//! changes nothing, and exporting again gives the same bytes.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, Context, Result};
use clap::Subcommand;
use lianjian_app::institutions::ImportOutcome;
use lianjian_app::App;
use lianjian_exchange::limits::MB;
use lianjian_exchange::SheetLimits;
use lianjian_registry::Snapshot;
use lianjian_store::audit::Actor;
use lianjian_store::Store;

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// 导入机构名录快照 JSON(交换格式 §1),有任何问题则整体拒绝 / import a registry snapshot; all or nothing
    Registry {
        /// 名录快照 JSON 文件;`-` 读标准输入 / snapshot JSON file; `-` reads stdin
        file: PathBuf,
        /// 变更原因,记入审计 / why, recorded in the audit chain
        #[arg(long)]
        note: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// 导出机构名录快照 JSON(规范顺序),--out 以 .xlsx 结尾时导出 Excel / export the registry (JSON, or Excel for .xlsx)
    Registry {
        /// 输出文件,缺省为标准输出 / output file; stdout when absent
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// 导出 Excel 名录导入模板 / write the Excel import template
    Template {
        #[arg(long)]
        out: PathBuf,
    },
}

async fn open(url: &str) -> Result<App> {
    Ok(App::new(Store::open(url).await.map_err(|e| anyhow!("{e}"))?))
}

fn is_xlsx(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

/// The snapshot in a file: JSON (exchange-formats §1) or the registry workbook (`.xlsx`, one sheet per
/// table). A workbook with bad cells is refused listing every one, with its sheet, row and column; a
/// workbook past one of the upload caps in force (`limits`) with that one problem.
fn read_snapshot(path: &Path, limits: &SheetLimits) -> Result<std::result::Result<Snapshot, Vec<String>>> {
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut bytes).context("无法读取标准输入")?;
    } else {
        // A workbook cannot be larger than what it unzips to: refuse one before reading it in.
        let len = std::fs::metadata(path).with_context(|| format!("无法读取 {}", path.display()))?.len();
        if is_xlsx(path) && len > limits.max_unzipped_bytes {
            return Ok(Err(vec![format!(
                "{}: 文件大小 {} MB,超过上传工作簿的上限 {} MB;请拆分为多个文件分批导入",
                path.display(),
                len.div_ceil(MB),
                limits.max_unzipped_bytes / MB
            )]));
        }
        bytes = std::fs::read(path).with_context(|| format!("无法读取 {}", path.display()))?;
    }
    if is_xlsx(path) || bytes.starts_with(b"PK\x03\x04") {
        return Ok(lianjian_exchange::snapshot_from_xlsx(&bytes, limits)
            .map_err(|ps| ps.iter().map(|p| format!("{}: {p}", path.display())).collect()));
    }
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| anyhow!("无法读取 {}:既不是 UTF-8 JSON 也不是 .xlsx", path.display()))?;
    Ok(Ok(Snapshot::from_json(text).map_err(|e| anyhow!("无法读取 {}:{}", path.display(), e.reason_zh()))?))
}

pub async fn import(url: &str, cmd: ImportCommand, actor: &Actor) -> Result<ExitCode> {
    let ImportCommand::Registry { file, note } = cmd;
    let app = open(url).await?;
    let limits = SheetLimits::from_params(&app.store().param_set().await?, app.store().today());
    let snapshot = match read_snapshot(&file, &limits)? {
        Ok(s) => s,
        Err(problems) => {
            let mut err = std::io::stderr().lock();
            for p in &problems {
                writeln!(err, "{p}")?;
            }
            writeln!(err, "名录导入被拒绝:共 {} 个问题,数据库未作任何修改 / import refused", problems.len())?;
            return Ok(ExitCode::FAILURE);
        }
    };
    let note = note.unwrap_or_else(|| format!("lianjian import registry {}", file.display()));
    match app.import_registry(actor, &snapshot, Some(&note)).await? {
        ImportOutcome::Applied(s) => {
            println!(
                "名录已导入 / registry imported: 文件 {} 家,新增 {},更新 {},未变 {};库中另有 {} 家不在文件中,保持不变;审计 seq {}",
                s.institutions, s.created, s.updated, s.unchanged, s.untouched, s.audit_seq
            );
            Ok(ExitCode::SUCCESS)
        }
        ImportOutcome::Refused(problems) => {
            let mut err = std::io::stderr().lock();
            for p in &problems {
                writeln!(err, "{} {} {}: {}", p.uscc.as_deref().unwrap_or("-"), p.path, p.field, p.reason)?;
            }
            writeln!(err, "名录导入被拒绝:共 {} 个问题,数据库未作任何修改 / import refused", problems.len())?;
            Ok(ExitCode::FAILURE)
        }
    }
}

pub async fn export(url: &str, cmd: ExportCommand) -> Result<ExitCode> {
    let out = match cmd {
        ExportCommand::Template { out } => {
            std::fs::write(&out, lianjian_exchange::registry_template())
                .with_context(|| format!("无法写入 {}", out.display()))?;
            return Ok(ExitCode::SUCCESS);
        }
        ExportCommand::Registry { out } => out,
    };
    let snapshot = open(url).await?.export_registry().await?;
    if let Some(p) = out.as_ref().filter(|p| is_xlsx(p)) {
        let bytes = lianjian_exchange::snapshot_to_xlsx(&snapshot).map_err(|e| anyhow!("{e}"))?;
        std::fs::write(p, bytes).with_context(|| format!("无法写入 {}", p.display()))?;
        return Ok(ExitCode::SUCCESS);
    }
    let text = snapshot.to_canonical_json();
    match out {
        Some(p) => std::fs::write(&p, text).with_context(|| format!("无法写入 {}", p.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
