//! `lianjian import registry FILE` / `lianjian export registry [--out FILE]`: the institution
//! registry 机构名录 in and out of the database as the snapshot JSON of exchange-formats §1.
//!
//! An import is all or nothing: a file with any problem is refused, every problem printed to
//! stderr as one line `USCC 路径 字段: 原因`, exit code 1, database unchanged. Export → import
//! changes nothing, and exporting again gives the same bytes.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use clap::Subcommand;
use lianjian_registry::Snapshot;
use lianjian_store::audit::Actor;
use lianjian_store::registry::ImportOutcome;
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
    /// 导出机构名录快照 JSON(规范顺序)/ export the registry snapshot (canonical JSON)
    Registry {
        /// 输出文件,缺省为标准输出 / output file; stdout when absent
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

async fn open(url: &str) -> Result<Store> {
    Store::open(url).await.map_err(|e| anyhow!("{e}"))
}

fn read_snapshot(path: &Path) -> Result<Snapshot> {
    let is_stdin = path.as_os_str() == "-";
    if !is_stdin {
        if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
            if !ext.eq_ignore_ascii_case("json") {
                bail!(
                    "暂不支持 .{ext} 格式的名录文件:请提供 JSON 名录快照(交换格式 §1)/ only JSON snapshots are accepted for now"
                );
            }
        }
    }
    let mut text = String::new();
    if is_stdin {
        std::io::stdin().read_to_string(&mut text).context("无法读取标准输入")?;
    } else {
        text = std::fs::read_to_string(path).with_context(|| format!("无法读取 {}", path.display()))?;
    }
    Snapshot::from_json(&text).map_err(|e| anyhow!("{}:{}", path.display(), e.reason_zh()))
}

pub async fn import(url: &str, cmd: ImportCommand, actor: &Actor) -> Result<ExitCode> {
    let ImportCommand::Registry { file, note } = cmd;
    let snapshot = read_snapshot(&file)?;
    let store = open(url).await?;
    let note = note.unwrap_or_else(|| format!("lianjian import registry {}", file.display()));
    match store.import_registry(actor, &snapshot, Some(&note)).await? {
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
    let ExportCommand::Registry { out } = cmd;
    let store = open(url).await?;
    let text = store.export_registry().await?.to_canonical_json();
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
