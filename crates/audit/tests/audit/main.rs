//! Integration tests of `lianjian-audit` (one binary): known answers, a 50-entry chain and every
//! kind of tampering, and properties over random chains.

mod chain;
mod golden;
mod props;

use lianjian_audit::{format_at, seal, Actor, Draft, Entry, Object, GENESIS_PREV};
use serde_json::{json, Value};
use time::macros::datetime;
use time::Duration;

/// A draft with Chinese text, varied by `i`.
// `u64::is_multiple_of` needs Rust 1.87; the workspace MSRV is 1.85.
#[allow(clippy::manual_is_multiple_of)]
pub fn draft(i: u64) -> Draft {
    let names = ["上海浦江环境检测有限公司", "申城监测技术服务中心", "黄浦区生态环境局", "测试机构 ✓ 𠀀"];
    Draft {
        at: format_at(datetime!(2025-03-01 01:30:00 UTC) + Duration::milliseconds(i as i64 * 61_007)),
        actor: Actor {
            user: format!("eeb-张{i}"),
            department: "EEB".to_owned(),
            role: "officer".to_owned(),
            ip: (i % 3 != 0).then(|| format!("10.1.2.{i}")),
        },
        action: if i % 2 == 0 { "institution.update" } else { "inspection.create" }.to_owned(),
        object: Object { kind: "institution".to_owned(), id: format!("91310113MA1G8{i:05}") },
        before: (i % 4 != 1).then(|| json!({"名称": names[i as usize % 4], "staff": i})),
        after: Some(json!({"名称": names[(i as usize + 1) % 4], "staff": i + 1, "fine_fen": 5_000_000})),
        note: (i % 5 == 0).then(|| format!("第 {i} 次复核:\"引号\"\n换行")),
    }
}

/// A valid chain of `n` entries.
pub fn chain(n: u64) -> Vec<Entry> {
    let mut prev = GENESIS_PREV.to_owned();
    (1..=n)
        .map(|seq| {
            let e = seal(draft(seq), seq, &prev).unwrap();
            prev = e.hash.clone();
            e
        })
        .collect()
}

/// The chain as JSON values, as an export would hold them.
pub fn values(entries: &[Entry]) -> Vec<Value> {
    entries.iter().map(|e| serde_json::to_value(e).unwrap()).collect()
}

/// The chain as a JSON Lines export.
pub fn jsonl(entries: &[Value]) -> String {
    entries.iter().map(|v| format!("{v}\n")).collect()
}
