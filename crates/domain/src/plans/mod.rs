//! Joint random-inspection plans 联合抽查计划, their verifiable 双随机 draws and the tasks 检查任务
//! they give (R4, R7, R8): the types, and every rule that needs no database.
//!
//! A plan names its period, the departments taking part, the items 抽查事项 to check and the team
//! rule ([`rules::check_new_plan`]). Each participating department's leader commits to a secret before
//! the freeze (only its SHA-256 is kept); the freeze builds the draw's `inputs` exactly as
//! `shared/spec/draw-protocol.md` §2 says ([`pool::build`]) and publishes their digest; the leaders
//! reveal at the draw meeting, and when every value is in the pure engine [`engine`] draws. Each
//! target becomes a [`Task`] for its team. A recusal 回避 after the draw appends a new record.
//!
//! The types serialize exactly as they are stored in JSON columns, audit entries and the API.

pub mod access;
mod grade;
pub mod pool;
pub mod rules;
mod task;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::org::Department;

pub use grade::{Grade, GradeEntry};
/// The pure draw engine (protocol `lianjian-draw-v1`), so that every layer verifies with the same code.
pub use lianjian_draw as engine;
pub use task::{RecordKind, RevealOutcome, StoredRecord, Task, TaskMember};

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
    pub const ALL: &'static [PlanStatus] =
        &[PlanStatus::Draft, PlanStatus::Frozen, PlanStatus::Drawn, PlanStatus::Superseded];

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

    pub fn parse(code: &str) -> Option<PlanStatus> {
        PlanStatus::ALL.iter().copied().find(|s| s.code() == code)
    }
}

/// A new plan as asked for. `None` takes the parameter in force on the day.
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

/// The settings of a plan version, checked and with the defaults filled in: what the store writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanSettings {
    pub period: String,
    pub title: String,
    pub departments: Vec<Department>,
    pub items: Vec<String>,
    pub team_size: i64,
    pub year_cap: i64,
    pub due_working_days: i64,
    pub public_label: Option<String>,
    pub strata: Vec<StratumRatio>,
}

impl PlanSettings {
    /// The settings of an existing version, for the next one.
    pub fn of(plan: &Plan) -> PlanSettings {
        PlanSettings {
            period: plan.period.clone(),
            title: plan.title.clone(),
            departments: plan.departments.clone(),
            items: plan.items.clone(),
            team_size: plan.team_size,
            year_cap: plan.year_cap,
            due_working_days: plan.due_working_days,
            public_label: plan.public_label.clone(),
            strata: plan.strata.clone(),
        }
    }

    /// The code's middle part: `EEB`, `MSA` or `JOINT`.
    pub fn departments_label(&self) -> &'static str {
        match self.departments.as_slice() {
            [Department::Eeb] => "EEB",
            [Department::Msa] => "MSA",
            _ => "JOINT",
        }
    }

    /// The entropy declarations of a new version: one secret per department (in department order),
    /// then the public source if any.
    pub fn entropy(&self) -> Vec<(EntropyKind, String)> {
        let secrets = self.departments.iter().map(|d| (EntropyKind::DepartmentSecret, d.code().to_owned()));
        let public = self.public_label.iter().map(|l| (EntropyKind::Public, l.clone()));
        secrets.chain(public).collect()
    }
}

/// A stratum 分层 and its ratio in permille.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StratumRatio {
    pub grade: Grade,
    pub permille: i64,
}

/// What an entropy source is. Serialized as the draw protocol names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntropyKind {
    /// A department's secret, committed before the freeze and revealed at the draw meeting.
    DepartmentSecret,
    /// A public value known only after the freeze (a lottery result).
    Public,
}

impl EntropyKind {
    pub fn code(self) -> &'static str {
        match self {
            EntropyKind::DepartmentSecret => "department-secret",
            EntropyKind::Public => "public",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            EntropyKind::DepartmentSecret => "部门秘密",
            EntropyKind::Public => "公开随机数",
        }
    }

    pub fn parse(code: &str) -> Option<EntropyKind> {
        [EntropyKind::DepartmentSecret, EntropyKind::Public].into_iter().find(|k| k.code() == code)
    }

    /// The engine's own name for this kind.
    pub fn engine(self) -> engine::EntropyKind {
        match self {
            EntropyKind::DepartmentSecret => engine::EntropyKind::DepartmentSecret,
            EntropyKind::Public => engine::EntropyKind::Public,
        }
    }
}

/// An entropy declaration 随机数来源 with what is known of it so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntropyDecl {
    pub pos: i64,
    pub kind: EntropyKind,
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
    /// The draw's `plan_id` of version `version` of plan `code`.
    pub fn draw_id_of(code: &str, version: i64) -> String {
        format!("{code}-v{version}")
    }

    /// A joint plan 联合抽查 has both supervising departments.
    pub fn is_joint(&self) -> bool {
        self.takes_part(Department::Eeb) && self.takes_part(Department::Msa)
    }

    /// Whether `department` takes part in this plan.
    pub fn takes_part(&self, department: Department) -> bool {
        self.departments.contains(&department)
    }

    /// Whether the public may see it: frozen or later (drafts are internal).
    pub fn is_published(&self) -> bool {
        self.status != PlanStatus::Draft
    }

    /// Whether the entropy values may be shown: after the draw (or its failure) they are public
    /// anyway, and until then a value revealed early is not advertised.
    pub fn values_public(&self) -> bool {
        self.status == PlanStatus::Drawn || self.draw_error.is_some()
    }

    /// Whether every declared entropy value is in.
    pub fn all_values_in(&self) -> bool {
        !self.entropy.is_empty() && self.entropy.iter().all(|e| e.value.is_some())
    }

    /// The labels of the sources whose value is not in yet.
    pub fn missing_values(&self) -> Vec<String> {
        self.entropy.iter().filter(|e| e.value.is_none()).map(|e| e.label.clone()).collect()
    }

    /// The declaration of `department`'s secret, if it takes part.
    pub fn secret_of(&self, department: Department) -> Option<&EntropyDecl> {
        self.entropy.iter().find(|e| e.kind == EntropyKind::DepartmentSecret && e.label == department.code())
    }

    /// The declared public source, if any.
    pub fn public_source(&self) -> Option<&EntropyDecl> {
        self.entropy.iter().find(|e| e.kind == EntropyKind::Public)
    }

    /// The calendar year of the plan's period (`2026-H2` → 2026).
    pub fn year(&self) -> i32 {
        period_year(&self.period)
    }
}

/// The calendar year a period (`2026-H2`) belongs to.
pub fn period_year(period: &str) -> i32 {
    period.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0)
}

/// Where an institution of a pool comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PoolSource {
    /// 机构名录库: a certificate in force on the freeze day.
    Registry,
    /// A partner department's list 协作部门名单 (R11).
    Partner(Department),
}

impl PoolSource {
    /// `registry` or `partner:<DEPT>`, as stored and published.
    pub fn code(self) -> String {
        match self {
            PoolSource::Registry => "registry".to_owned(),
            PoolSource::Partner(d) => format!("partner:{}", d.code()),
        }
    }

    pub fn zh(self) -> String {
        match self {
            PoolSource::Registry => "机构名录库".to_owned(),
            PoolSource::Partner(d) => format!("{}名单", d.zh()),
        }
    }

    pub fn parse(code: &str) -> Option<PoolSource> {
        match code.strip_prefix("partner:") {
            Some(d) => d.parse().ok().map(PoolSource::Partner),
            None => (code == "registry").then_some(PoolSource::Registry),
        }
    }
}

impl Serialize for PoolSource {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.code())
    }
}

impl<'de> Deserialize<'de> for PoolSource {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        PoolSource::parse(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown pool source {code:?}")))
    }
}

/// An institution of a plan's pool as frozen: a candidate, or left out with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PoolEntry {
    pub uscc: String,
    pub name: String,
    pub stratum: Grade,
    /// Category codes 监测类别 of its scope in force, and of the partner lists naming it.
    pub categories: Vec<String>,
    pub sources: Vec<PoolSource>,
    pub excluded_reason: Option<String>,
}

/// Why an inspector may not inspect an institution of the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    /// 利害关系: declared in the inspector register.
    Declared,
    /// 轮换: inspected it last time.
    Rotation,
}

impl ConflictKind {
    pub fn code(self) -> &'static str {
        match self {
            ConflictKind::Declared => "declared",
            ConflictKind::Rotation => "rotation",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            ConflictKind::Declared => "利害关系",
            ConflictKind::Rotation => "轮换",
        }
    }

    pub fn parse(code: &str) -> Option<ConflictKind> {
        [ConflictKind::Declared, ConflictKind::Rotation].into_iter().find(|k| k.code() == code)
    }
}

/// A conflict in the frozen inputs, with why it is there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanConflict {
    pub inspector_code: String,
    pub institution_uscc: String,
    pub kind: ConflictKind,
    pub reason: String,
}

/// Why a plan rule refuses: the platform's one refusal shape.
pub use crate::invalid::Refusal;

/// `YYYY-MM-DD`, the form every date of a plan is stored, audited and published in.
pub fn ymd(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// `#[serde(with = "ymd_opt")]`: an `Option<Date>` as `YYYY-MM-DD` or null.
mod ymd_opt {
    pub fn serialize<S: serde::Serializer>(d: &Option<time::Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&super::ymd(*d)),
            None => s.serialize_none(),
        }
    }
}

/// `#[serde(with = "ymd_one")]`: a `Date` as `YYYY-MM-DD`.
mod ymd_one {
    pub fn serialize<S: serde::Serializer>(d: &time::Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::ymd(*d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for s in PlanStatus::ALL {
            assert_eq!(PlanStatus::parse(s.code()), Some(*s));
        }
        for k in [EntropyKind::DepartmentSecret, EntropyKind::Public] {
            assert_eq!(EntropyKind::parse(k.code()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.code());
            assert_eq!(serde_json::to_value(k.engine()).unwrap(), k.code(), "the engine names it the same");
        }
        for k in [ConflictKind::Declared, ConflictKind::Rotation] {
            assert_eq!(ConflictKind::parse(k.code()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.code());
        }
        for s in [PoolSource::Registry, PoolSource::Partner(Department::Water)] {
            assert_eq!(PoolSource::parse(&s.code()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.code());
        }
        assert_eq!(PoolSource::Partner(Department::Water).code(), "partner:WATER");
        assert_eq!(PoolSource::parse("partner:NOPE"), None);
    }

    #[test]
    fn a_period_belongs_to_its_year() {
        assert_eq!(period_year("2026-H2"), 2026);
        assert_eq!(period_year("2027"), 2027);
        assert_eq!(period_year("下半年"), 0);
    }
}
