//! The rule catalogue (offsite-rules.md): stable ids, severities and duty codes.

use serde::{Deserialize, Serialize};

/// `error`: a rule broken, with proof in the data. `warning`: a statistical signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

macro_rules! rules {
    ($($v:ident => $id:literal, $sev:ident, $duty:literal, $zh:literal;)+) => {
        /// A rule of the base catalogue. Ids are public and never reused.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum RuleId {
            $(#[serde(rename = $id)] #[doc = $zh] $v,)+
        }

        impl RuleId {
            /// Every rule, in catalogue order.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$v),+];

            /// `OFF-Q03` etc.
            pub fn id(self) -> &'static str {
                match self { $(RuleId::$v => $id,)+ }
            }

            pub fn severity(self) -> Severity {
                match self { $(RuleId::$v => Severity::$sev,)+ }
            }

            /// Duty code that routes findings (MISSION.md R2/R3).
            pub fn duty(self) -> &'static str {
                match self { $(RuleId::$v => $duty,)+ }
            }

            /// Short Chinese title.
            pub fn title_zh(self) -> &'static str {
                match self { $(RuleId::$v => $zh,)+ }
            }

            /// Parses `OFF-Q03`.
            pub fn parse(s: &str) -> Option<RuleId> {
                match s { $($id => Some(RuleId::$v),)+ _ => None }
            }

            pub(crate) fn index(self) -> usize {
                self as usize
            }
        }
    };
}

rules! {
    C01 => "OFF-C01", Error, "EEB-2", "报告数据格式错误或机构不在名录";
    Q01 => "OFF-Q01", Error, "MSA-3", "加盖 CMA 标志但未注明本机构证书";
    Q02 => "OFF-Q02", Error, "MSA-3", "证书在报告签发日不在有效状态";
    Q03 => "OFF-Q03", Error, "MSA-1", "超出资质认定能力范围";
    Q04 => "OFF-Q04", Error, "MSA-1", "执法或政府委托报告未加盖 CMA 标志";
    Q05 => "OFF-Q05", Error, "MSA-2", "签字人不是相应类别的授权签字人";
    Q06 => "OFF-Q06", Error, "EEB-1", "受限机构出具执法或政府委托报告";
    P01 => "OFF-P01", Error, "MSA-2", "采样或分析人员不是机构在册人员";
    P02 => "OFF-P02", Error, "EEB-2", "采样人员少于规定人数";
    M01 => "OFF-M01", Error, "EEB-2", "方法标准未知或在分析日不现行";
    I01 => "OFF-I01", Error, "MSA-2", "仪器设备未在机构登记";
    T01 => "OFF-T01", Error, "EEB-3", "时间顺序不可能";
    T02 => "OFF-T02", Error, "EEB-3", "同一人同一时段在两地采样";
    D01 => "OFF-D01", Error, "EEB-3", "不同样品结果完全相同(疑似复制数据)";
    D02 => "OFF-D02", Error, "EEB-2", "低于检出限的结果报出数值或未检出却有数值";
    S01 => "OFF-S01", Warning, "EEB-3", "结果在限值下方异常聚集";
    S02 => "OFF-S02", Warning, "EEB-3", "末位数字偏好";
    S03 => "OFF-S03", Warning, "EEB-3", "首位数字不符合本福特分布";
}

pub(crate) const N_RULES: usize = 18;

/// Counts of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Non-blank lines read.
    pub lines: u64,
    /// Lines read as reports (with or without OFF-C01 findings on their fields).
    pub reports: u64,
    /// Reports checked against every rule (no OFF-C01 finding).
    pub reports_checked: u64,
    /// Result rows in checked reports.
    pub result_rows: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Findings per rule id (every rule present, zero included), in catalogue order.
    pub findings: std::collections::BTreeMap<RuleId, u64>,
}

impl Summary {
    pub(crate) fn from_counts(counts: &[u64; N_RULES]) -> std::collections::BTreeMap<RuleId, u64> {
        RuleId::ALL.iter().map(|r| (*r, counts[r.index()])).collect()
    }

    /// Number of findings of this rule.
    pub fn count(&self, rule: RuleId) -> u64 {
        self.findings.get(&rule).copied().unwrap_or(0)
    }

    /// Total error findings.
    pub fn errors(&self) -> u64 {
        self.findings.iter().filter(|(r, _)| r.severity() == Severity::Error).map(|(_, n)| n).sum()
    }

    /// Total warning findings.
    pub fn warnings(&self) -> u64 {
        self.findings.iter().filter(|(r, _)| r.severity() == Severity::Warning).map(|(_, n)| n).sum()
    }
}
