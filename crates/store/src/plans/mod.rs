//! Joint random-inspection plans 联合抽查计划 and their verifiable 双随机 draws (R4, R7, R8).
//!
//! A plan names its period, the departments taking part, the items 抽查事项 to check and the
//! team rule. Freezing it builds the draw's `inputs` exactly as `shared/spec/draw-protocol.md` §2
//! says — the pool 检查对象库 (registry institutions with a certificate in force on the freeze day
//! plus every institution on a partner list, minus those already inspected up to the yearly cap),
//! stratified by credit grade 信用等级 with effective-dated ratios, and the inspectors 检查人员库
//! with their declared conflicts plus rotation (whoever last inspected an institution may not
//! inspect it again) — and publishes its digest with the entropy declarations. Each participating
//! department's leader commits to a secret before the freeze (only the SHA-256 is kept) and
//! reveals it at the draw meeting; when every value is in, the pure engine `lianjian_draw` draws,
//! the record is stored and published, and every target becomes a task 检查任务 for its team.
//!
//! Nothing is partial: a draw that cannot staff a team stores no record and leaves the plan
//! frozen with the engine's message; fixing it means a new plan version, whose inputs and digest
//! differ. A recusal 回避 after the draw appends a new record (the old ones stay) that anyone can
//! verify the same way. Every change writes its audit entry in the same transaction.

mod build;
mod demo;
mod draw;
mod freeze;
mod grades;
mod query;

use lianjian_domain::org::Department;
use lianjian_domain::params::ParamKey;
use serde::Serialize;
use serde_json::Value;
use time::Date;

use crate::inspectors::{ymd, ymd_opt};
use crate::StoreError;

pub use demo::seed_demo_plans;
pub use draw::RevealOutcome;
/// The pure draw engine, re-exported so that callers above the store verify with the same code.
pub use lianjian_draw as engine;

/// A change the plan rules refuse (with the form field it concerns and a Chinese sentence), a
/// step taken in the wrong state, a wrong reveal, or a storage failure.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{message}")]
    Invalid { field: &'static str, message: String },
    /// The plan is not in a state that allows this step (e.g. revealing before the freeze).
    #[error("{0}")]
    State(String),
    /// A revealed secret does not match its commitment: refused, and the refusal audited.
    #[error(
        "“{label}”揭示的秘密与冻结时公布的承诺值不符,不予接受。请核对后重新输入(区分大小写、全半角和空格)"
    )]
    WrongReveal { label: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for PlanError {
    fn from(e: sqlx::Error) -> Self {
        PlanError::Store(StoreError::from(e))
    }
}

pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> PlanError {
    PlanError::Invalid { field, message: message.into() }
}

/// Credit grade 信用等级, A (lowest risk) to E (highest). Until credit evaluation exists a grade is
/// set by hand ([`crate::Store::set_grade`]); an institution without one is B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Grade {
    A,
    B,
    C,
    D,
    E,
}

impl Grade {
    pub const ALL: &'static [Grade] = &[Grade::A, Grade::B, Grade::C, Grade::D, Grade::E];
    /// The grade of an institution nobody has graded yet.
    pub const DEFAULT: Grade = Grade::B;

    pub fn code(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
            Grade::E => "E",
        }
    }

    /// The parameter holding this stratum's draw ratio (permille).
    pub fn ratio_key(self) -> ParamKey {
        match self {
            Grade::A => ParamKey::DrawRatioGradeA,
            Grade::B => ParamKey::DrawRatioGradeB,
            Grade::C => ParamKey::DrawRatioGradeC,
            Grade::D => ParamKey::DrawRatioGradeD,
            Grade::E => ParamKey::DrawRatioGradeE,
        }
    }

    pub fn parse(s: &str) -> Option<Grade> {
        Grade::ALL.iter().copied().find(|g| g.code().eq_ignore_ascii_case(s.trim()))
    }
}

/// One version of an institution's grade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GradeEntry {
    pub institution_uscc: String,
    pub grade: Grade,
    #[serde(with = "ymd")]
    pub valid_from: Date,
    pub basis: String,
    pub set_by: String,
}

/// Where a plan is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// 草拟: settings chosen, department secrets being committed.
    Draft,
    /// 已冻结: inputs and digest published; waiting for the entropy (or a failed draw).
    Frozen,
    /// 已抽取: the record is published and tasks exist.
    Drawn,
    /// 已作废: replaced by a newer version.
    Superseded,
}

impl PlanStatus {
    pub fn code(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Frozen => "frozen",
            PlanStatus::Drawn => "drawn",
            PlanStatus::Superseded => "superseded",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            PlanStatus::Draft => "草拟",
            PlanStatus::Frozen => "已冻结",
            PlanStatus::Drawn => "已抽取",
            PlanStatus::Superseded => "已作废(有新版本)",
        }
    }

    fn parse(s: &str) -> Result<PlanStatus, StoreError> {
        match s {
            "draft" => Ok(PlanStatus::Draft),
            "frozen" => Ok(PlanStatus::Frozen),
            "drawn" => Ok(PlanStatus::Drawn),
            "superseded" => Ok(PlanStatus::Superseded),
            other => Err(crate::inspectors::decode(format!("unknown plan status {other:?}"))),
        }
    }
}

/// A new plan for [`crate::Store::create_plan`]. `None` takes the parameter in force on the day.
#[derive(Debug, Clone, Default)]
pub struct NewPlan {
    /// `2026-H2`, `2026-H1`, `2026-Q3` or `2026`.
    pub period: String,
    pub title: String,
    /// EEB, MSA or both (a joint plan 联合抽查).
    pub departments: Vec<Department>,
    /// Item codes 抽查事项 from the item list in force on the day.
    pub items: Vec<String>,
    /// Team size; at least the legal minimum of inspectors per inspection.
    pub team_size: Option<i64>,
    /// Label of an optional public entropy source, e.g. `福彩3D 2026-12-05`.
    pub public_label: Option<String>,
    /// Inspections per institution per year; at the cap it leaves the pool.
    pub year_cap: Option<i64>,
    /// Working days from the draw to the tasks' due date.
    pub due_working_days: Option<i64>,
}

/// A stratum 分层 and its ratio in permille.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StratumRatio {
    pub grade: Grade,
    pub permille: i64,
}

/// An entropy declaration 随机数来源 with what is known of it so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntropyDecl {
    pub pos: i64,
    /// `department-secret` or `public`.
    pub kind: String,
    /// Department code for a secret, the source's name for a public value.
    pub label: String,
    /// SHA-256 of the secret; `None` until its leader commits (or for a public source).
    pub commitment: Option<String>,
    pub committed_by: Option<String>,
    /// The revealed secret or the public value; `None` until it is in.
    pub value: Option<String>,
    pub revealed_by: Option<String>,
}

/// One version of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub id: i64,
    /// `2026-H2-JOINT-01`: the same for every version.
    pub code: String,
    pub version: i64,
    /// The draw's `plan_id`: `2026-H2-JOINT-01-v1`.
    pub draw_id: String,
    pub period: String,
    pub title: String,
    pub departments: Vec<Department>,
    pub items: Vec<String>,
    pub team_size: i64,
    pub year_cap: i64,
    pub due_working_days: i64,
    pub public_label: Option<String>,
    pub status: PlanStatus,
    pub strata: Vec<StratumRatio>,
    #[serde(with = "ymd_opt")]
    pub freeze_on: Option<Date>,
    pub inputs_digest: Option<String>,
    /// Why the last draw attempt failed (the engine's message); the plan stays frozen.
    pub draw_error: Option<String>,
    #[serde(with = "ymd_opt")]
    pub drawn_on: Option<Date>,
    pub created_at: i64,
    pub created_by: String,
    pub frozen_at: Option<i64>,
    pub frozen_by: Option<String>,
    pub drawn_at: Option<i64>,
    pub superseded_by: Option<i64>,
    pub entropy: Vec<EntropyDecl>,
}

impl Plan {
    /// A joint plan 联合抽查 has both supervising departments.
    pub fn is_joint(&self) -> bool {
        self.departments.contains(&Department::Eeb) && self.departments.contains(&Department::Msa)
    }

    /// Whether every declared entropy value is in.
    pub fn all_values_in(&self) -> bool {
        !self.entropy.is_empty() && self.entropy.iter().all(|e| e.value.is_some())
    }
}

/// An institution of a plan's pool as frozen: a candidate, or left out with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PoolEntry {
    pub uscc: String,
    pub name: String,
    pub stratum: String,
    pub categories: Vec<String>,
    /// `registry` and/or `partner:<DEPT>`.
    pub sources: Vec<String>,
    pub excluded_reason: Option<String>,
}

/// Why a conflict is in the frozen inputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanConflict {
    pub inspector_code: String,
    pub institution_uscc: String,
    /// `declared` (利害关系) or `rotation` (轮换: inspected it last time).
    pub kind: String,
    pub reason: String,
}

/// A stored version of a plan's record: seq 1 is the draw, each later one adds a recusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredRecord {
    pub seq: i64,
    /// `draw` or `recusal`.
    pub kind: String,
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
    pub stratum: String,
    #[serde(with = "ymd")]
    pub due_on: Date,
    /// Counted on a year without a State Council notice: shown as 预估.
    pub due_on_provisional: bool,
    /// The notice is in and the recounted date differs: a leader is to decide.
    pub due_on_pending_review: bool,
    pub items: Vec<String>,
    pub members: Vec<TaskMember>,
}
