//! The institution registry 机构名录库 as the supervising departments use it: the directory with its
//! filters, one institution as of a day, its standing, flags and history, the export; and the
//! import ([`import`]) of a snapshot, all or nothing and audited.
//!
//! What "in force on D" means, validation and canonical order are `lianjian-registry`'s; the store
//! persists the model and answers the directory's filters in SQL held to that model.

mod import;

pub use import::StagedImport;

use lianjian_registry::flags::Flag;
use lianjian_registry::{Institution, Problem, Snapshot, Standing};
use lianjian_store::institutions::{DirectoryFilter, DirectoryRow};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::Date;

use crate::{App, Error, Result};

/// What an import did, or why it did nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ImportOutcome {
    /// Committed, with one audit entry per changed institution and one summary entry.
    Applied(ImportSummary),
    /// Nothing written: every problem found, each with its USCC, JSON path and Chinese reason (the
    /// API answers it as `registry_refused`).
    Refused(Vec<Problem>),
}

/// Counts of an applied import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// Institutions in the file.
    pub institutions: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Institutions on file but not in the snapshot: left as they were.
    pub untouched: usize,
    /// Certificate and scope rows (re)written for created and updated institutions.
    pub certificates_written: usize,
    pub scope_rows_written: usize,
    /// Seq of the `registry.import` summary entry in the audit chain.
    pub audit_seq: i64,
}

/// Whether an institution of a file is new, changed or the same as on file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Created,
    Updated,
    Unchanged,
}

/// One institution of an upload preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreviewItem {
    pub uscc: String,
    pub name: String,
    pub change: Change,
    /// Changed top-level fields (`name`, `district`, …, `certificates`, `staff`, …) when updated.
    pub fields: Vec<String>,
}

/// What an import would do: the problems that would refuse it (empty = it would be applied) and
/// each institution's change, in canonical (USCC) order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportPreview {
    pub problems: Vec<Problem>,
    pub items: Vec<PreviewItem>,
}

impl App {
    /// The whole registry as a snapshot in canonical order: `to_canonical_json()` of it is the export
    /// file, and importing that file back changes nothing.
    pub async fn export_registry(&self) -> Result<Snapshot> {
        Ok(self.store().export_registry().await?)
    }

    /// One institution, complete, in canonical order.
    pub async fn institution(&self, uscc: &str) -> Result<Institution> {
        self.store()
            .institution(uscc)
            .await?
            .ok_or_else(|| Error::NotFound(format!("机构 {uscc} 不在名录中")))
    }

    /// The institution's standing 机构状态 on `on`, exactly as exchange-formats §1 defines it.
    pub async fn standing(&self, uscc: &str, on: Date) -> Result<Standing> {
        Ok(self.institution(uscc).await?.standing(on))
    }

    /// A page of the directory 机构名录, filtered in SQL, ordered by USCC, with the total count.
    pub async fn directory(
        &self,
        filter: &DirectoryFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<DirectoryRow>, i64)> {
        Ok(self.store().directory(filter, limit, offset).await?)
    }

    /// Rule flags of one institution on `today` (staff registered elsewhere, expiry without renewal).
    pub async fn institution_flags(&self, uscc: &str, today: Date) -> Result<Vec<Flag>> {
        Ok(self.store().flags(uscc, today).await?)
    }

    /// The institution's history 变更记录: its audit entries, newest first.
    pub async fn institution_timeline(&self, uscc: &str) -> Result<Vec<Value>> {
        Ok(self.store().institution_timeline(uscc).await?)
    }
}
