//! `lianjian draw …`: the verifiable draw from the command line, for officers and for anyone checking.

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::cli::DrawCommand;

fn read_json(path: &Path) -> Result<serde_json::Value> {
    let text = if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).context("无法读取标准输入")?;
        s
    } else {
        std::fs::read_to_string(path).with_context(|| format!("无法读取 {}", path.display()))?
    };
    serde_json::from_str(&text).with_context(|| format!("{} 不是合法的 JSON", path.display()))
}

pub fn run(cmd: DrawCommand) -> Result<ExitCode> {
    match cmd {
        DrawCommand::Run { inputs, entropy } => {
            let value = read_json(&inputs)?;
            let record =
                lianjian_draw::run(&value, &entropy).with_context(|| format!("{}", inputs.display()))?;
            println!("{}", serde_json::to_string_pretty(&record)?);
            Ok(ExitCode::SUCCESS)
        }
        DrawCommand::Verify { record } => {
            let value = read_json(&record)?;
            match lianjian_draw::verify(&value) {
                Ok(()) => {
                    println!("记录验证通过 / record verified: {}", record.display());
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    println!("记录验证失败 / record does not verify: {e}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        DrawCommand::Commitment => {
            let mut secret = String::new();
            std::io::stdin().read_to_string(&mut secret).context("无法读取标准输入")?;
            println!("{}", lianjian_draw::commitment(secret.trim_end_matches(['\r', '\n'])));
            Ok(ExitCode::SUCCESS)
        }
        DrawCommand::Rfc3797 { pool, select, sources } => {
            let picked = lianjian_draw::rfc3797::select(pool, select, &sources)?;
            let line: Vec<String> = picked.iter().map(u64::to_string).collect();
            println!("{}", line.join(" "));
            Ok(ExitCode::SUCCESS)
        }
    }
}
