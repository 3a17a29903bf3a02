//! The off-site engine's configuration on the platform 非现场检查配置: the regulator's own
//! method-standard table and engine thresholds 规则阈值, uploaded, validated with the engine's own
//! parsers, versioned and audited, so a regulator tunes the checks without a release. Without an
//! upload the shipped table and the rule catalogue's defaults apply.

use lianjian_offsite::Thresholds;
use lianjian_registry::MethodTable;
use lianjian_store::audit::{self, Actor, AuditDraft};
use lianjian_store::offsite_config::{self, ConfigKind, ConfigVersion};
use serde_json::json;

use crate::{App, Error, Line, Result};

/// Where the method table came from when no version was uploaded (recorded on each run).
pub const METHODS_EMBEDDED: &str = "embedded";

/// What a check runs with, and where it came from (recorded on every run).
pub struct EngineConfig {
    pub methods: MethodTable,
    pub thresholds: Thresholds,
    /// `embedded` or `methods#N`, then `default` or `rules#N`.
    pub source: String,
}

/// A rules file is JSON when it starts with `{`, else TOML.
fn parse_rules(text: &str) -> Result<Thresholds, String> {
    if text.trim_start().starts_with('{') {
        Thresholds::from_json(text).map_err(|e| e.to_string())
    } else {
        Thresholds::from_toml(text).map_err(|e| e.to_string())
    }
}

impl App {
    /// The configuration in force: the newest uploaded versions, else the shipped defaults.
    pub async fn engine_config(&self) -> Result<EngineConfig> {
        let store = self.store();
        let methods_v = store.offsite_config(ConfigKind::Methods).await?;
        let rules_v = store.offsite_config(ConfigKind::Rules).await?;
        let (methods, methods_src) = match &methods_v {
            Some(v) => (
                MethodTable::from_csv(v.content.as_bytes()).map_err(|e| {
                    Error::Internal(format!("方法标准表第 {} 版无法读取({} 处问题)", v.id, e.len()))
                })?,
                format!("methods#{}", v.id),
            ),
            None => (
                lianjian_registry::embedded::method_table()
                    .map_err(|e| Error::Internal(format!("内置方法标准表无法读取:{}", e.len())))?,
                METHODS_EMBEDDED.to_owned(),
            ),
        };
        let (thresholds, rules_src) = match &rules_v {
            Some(v) => (
                parse_rules(&v.content)
                    .map_err(|e| Error::Internal(format!("规则阈值第 {} 版无法读取:{e}", v.id)))?,
                format!("rules#{}", v.id),
            ),
            None => (Thresholds::default(), "default".to_owned()),
        };
        Ok(EngineConfig { methods, thresholds, source: format!("{methods_src} {rules_src}") })
    }

    /// The newest `limit` versions of each kind, methods first, each newest first.
    pub async fn engine_config_history(&self, limit: i64) -> Result<Vec<(ConfigKind, ConfigVersion)>> {
        let mut history = Vec::new();
        for kind in [ConfigKind::Methods, ConfigKind::Rules] {
            for v in self.store().offsite_config_history(kind, limit).await? {
                history.push((kind, v));
            }
        }
        Ok(history)
    }

    /// The method table in force as CSV: the uploaded version, else the shipped one.
    pub async fn methods_csv(&self) -> Result<String> {
        Ok(match self.store().offsite_config(ConfigKind::Methods).await? {
            Some(v) => v.content,
            None => lianjian_registry::embedded::METHOD_STANDARDS_CSV.to_owned(),
        })
    }

    /// Upload a new method table (CSV, exchange-formats §5) or thresholds file (TOML or JSON):
    /// checked with the engine's own parsers — refused whole (422, `config_invalid`, every problem
    /// by line) when they find anything — then stored as the version in force, audited as
    /// `offsite.config` with its size and the note, which is required (the basis of the change).
    pub async fn set_engine_config(
        &self,
        actor: &Actor,
        kind: ConfigKind,
        bytes: &[u8],
        note: &str,
    ) -> Result<i64> {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| Error::invalid("file", "config_not_utf8", "文件必须是 UTF-8 文本"))?;
        let note = note.trim();
        if note.is_empty() {
            return Err(Error::invalid("note", "note_required", "请说明调整依据"));
        }
        let problems: Vec<Line> = match kind {
            ConfigKind::Methods => MethodTable::from_csv(text.as_bytes())
                .err()
                .map(|es| {
                    es.iter()
                        .map(|e| Line { line: e.line as i64, reason: format!("{}:{}", e.field, e.reason) })
                        .collect()
                })
                .unwrap_or_default(),
            ConfigKind::Rules => {
                parse_rules(text).err().map(|e| vec![Line { line: 0, reason: e }]).unwrap_or_default()
            }
        };
        if !problems.is_empty() {
            let what = match kind {
                ConfigKind::Methods => "方法标准表",
                ConfigKind::Rules => "规则阈值文件",
            };
            return Err(Error::Refused {
                code: "config_invalid",
                field: Some("file".into()),
                message: format!("{what}未被接受:{} 处问题", problems.len()),
                lines: problems,
            });
        }
        let store = self.store();
        let mut tx = store.begin().await?;
        let id = offsite_config::insert(&mut tx, kind, text, note, &actor.user, store.now_ms()).await?;
        let draft =
            AuditDraft::new(actor, "offsite.config", "offsite_config", format!("{}#{id}", kind.code()))
                .after(json!({"kind": kind.code(), "bytes": text.len(), "lines": text.lines().count()}))
                .note(note);
        audit::append(&mut tx, draft, store.now()).await?;
        lianjian_store::commit(tx).await?;
        Ok(id)
    }
}
