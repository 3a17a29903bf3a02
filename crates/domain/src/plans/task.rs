//! What a draw leaves: the stored records (the draw, then one per recusal 回避), the tasks 检查任务
//! with their teams, and what entering an entropy value led to.

use serde::Serialize;
use serde_json::Value;
use time::Date;

use super::Grade;

/// What a stored record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// seq 1: the draw itself.
    Draw,
    /// Each later seq: the record after one more recusal.
    Recusal,
}

impl RecordKind {
    pub fn code(self) -> &'static str {
        match self {
            RecordKind::Draw => "draw",
            RecordKind::Recusal => "recusal",
        }
    }

    pub fn parse(code: &str) -> Option<RecordKind> {
        [RecordKind::Draw, RecordKind::Recusal].into_iter().find(|k| k.code() == code)
    }
}

/// A stored version of a plan's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredRecord {
    pub seq: i64,
    pub kind: RecordKind,
    pub record: Value,
    /// SHA-256 of the record's canonical JSON when it was stored.
    pub record_sha256: String,
    pub note: Option<String>,
    pub created_at: i64,
    pub created_by: String,
}

/// A team member of a task, as the team now stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskMember {
    pub slot: i64,
    pub code: String,
    pub name: String,
    /// Department code of the inspector.
    pub department: String,
}

/// An inspection task 检查任务: one drawn target, its team, the plan's items, a due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Task {
    pub id: i64,
    pub plan_id: i64,
    pub plan_code: String,
    pub plan_version: i64,
    pub plan_title: String,
    pub target_order: i64,
    pub institution_uscc: String,
    pub institution_name: String,
    pub stratum: Grade,
    #[serde(with = "super::ymd_one")]
    pub due_on: Date,
    /// Counted on a year without a State Council notice: shown as 预估.
    pub due_on_provisional: bool,
    /// The notice is in and the recounted date differs: a leader is to decide.
    pub due_on_pending_review: bool,
    pub items: Vec<String>,
    pub members: Vec<TaskMember>,
}

impl Task {
    /// Whether `inspector` is on the task's team as it now stands.
    pub fn has_member(&self, inspector: &str) -> bool {
        self.members.iter().any(|m| m.code == inspector)
    }
}

/// What entering one entropy value led to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RevealOutcome {
    /// Accepted; these sources (labels) are still missing.
    Waiting { missing: Vec<String> },
    /// Every value was in and the draw ran: the record is published and the tasks exist.
    Drawn { targets: usize },
    /// Every value was in but the draw failed (the engine's message); nothing was drawn and the
    /// plan stays frozen. A new version has to be made.
    Failed { message: String },
}
