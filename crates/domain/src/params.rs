//! Effective-dated legal parameters 法定参数.
//!
//! Every number the law gives us (deadlines, head counts, years, ratios) changes from time to time —
//! several changed on 2026-01-01 — and some are not confirmed in a primary source. So none of them is
//! a constant in code: each is a [`ParamKey`] with a catalogue entry (Chinese label, unit, legal basis,
//! confidence mark from `LAW.md`) and a default history of `(effective_from, value)` pairs. Operators
//! can overlay their own entries (a local rule, a new text) in a [`ParamSet`]; on a given day the entry
//! with the newest `effective_from` not after that day wins, operator entries beating defaults on the
//! same `effective_from`.
//!
//! All values are integers: ratios are in permille (‰), durations in the unit named in the catalogue.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::macros::date;
use time::Date;

/// How sure we are of a number (marks of `LAW.md`). The UI shows [`Confidence::Unconfirmed`] values as
/// defaults to be checked by the operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Confidence {
    /// [C] confirmed in a primary or official source.
    Confirmed,
    /// [C*] confirmed in a secondary copy (probable).
    Secondary,
    /// [U] unconfirmed: a default that the operator should confirm or replace.
    Unconfirmed,
    /// [O] an operational setting, not a legal number: sized to the server and the data (e.g. how
    /// large an uploaded workbook may be), for the operator to adjust rather than to confirm.
    Operational,
}

impl Confidence {
    /// The mark used in `LAW.md`: `[C]`, `[C*]`, `[U]`.
    pub fn mark(self) -> &'static str {
        match self {
            Confidence::Confirmed => "[C]",
            Confidence::Secondary => "[C*]",
            Confidence::Unconfirmed => "[U]",
            Confidence::Operational => "[O]",
        }
    }

    /// Chinese label for the UI.
    pub fn label(self) -> &'static str {
        match self {
            Confidence::Confirmed => "已核实",
            Confidence::Secondary => "据转载核实",
            Confidence::Unconfirmed => "未核实(默认值,请确认)",
            Confidence::Operational => "运营设置(非法定数值,按服务器内存和数据规模调整)",
        }
    }
}

/// Unit of a parameter value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Unit {
    /// 工作日, counted with [`crate::calendar::Calendar::add_working_days`].
    WorkingDays,
    Years,
    Months,
    Minutes,
    /// 人
    Persons,
    /// 次
    Times,
    /// 千分比 ‰ (1000 = 100 %).
    Permille,
    /// 个字符
    Characters,
    /// 行 (rows of a spreadsheet)
    Rows,
    /// 列 (columns of a spreadsheet)
    Columns,
    /// 个单元格
    Cells,
    /// MB, 1 MB = 1,048,576 bytes.
    Megabytes,
}

impl Unit {
    /// Chinese unit for display.
    pub fn label(self) -> &'static str {
        match self {
            Unit::WorkingDays => "个工作日",
            Unit::Years => "年",
            Unit::Months => "个月",
            Unit::Minutes => "分钟",
            Unit::Persons => "人",
            Unit::Times => "次",
            Unit::Permille => "‰",
            Unit::Characters => "个字符",
            Unit::Rows => "行",
            Unit::Columns => "列",
            Unit::Cells => "个单元格",
            Unit::Megabytes => "MB",
        }
    }
}

/// One catalogue entry: what a parameter means and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamInfo {
    /// Stable key for storage and configuration (`snake_case`).
    pub code: &'static str,
    /// Chinese label for the UI.
    pub label: &'static str,
    pub unit: Unit,
    /// Legal basis 法律依据 (or the reason for the default when unconfirmed).
    pub basis: &'static str,
    /// Confidence of the *current* default.
    pub confidence: Confidence,
    /// Default history, sorted by `effective_from`; the first entry is the earliest date the rule is
    /// known to apply from ([`EPOCH`] when unknown).
    pub defaults: &'static [(Date, i64)],
}

/// "Since before the platform existed": the effective date of defaults with no known start.
pub const EPOCH: Date = date!(2000 - 01 - 01);

/// The date several rules changed (生态环境监测条例 and the 2025 评审补充要求 in force).
pub const REFORM_2026: Date = date!(2026 - 01 - 01);

macro_rules! params {
    ($( $(#[$doc:meta])* $key:ident = $code:literal, $label:literal, $unit:ident, $conf:ident, $basis:literal,
        [$( ($d:expr, $v:expr) ),+ $(,)?]; )+) => {
        /// Every legal parameter of the platform. See [`ParamKey::info`] for the catalogue.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ParamKey { $( $(#[$doc])* $key, )+ }

        impl ParamKey {
            /// All keys, in catalogue order.
            pub const ALL: &'static [ParamKey] = &[ $( ParamKey::$key, )+ ];

            /// The catalogue entry of this key.
            pub fn info(self) -> &'static ParamInfo {
                match self { $( ParamKey::$key => {
                    const INFO: ParamInfo = ParamInfo {
                        code: $code, label: $label, unit: Unit::$unit,
                        confidence: Confidence::$conf, basis: $basis,
                        defaults: &[ $( ($d, $v), )+ ],
                    };
                    &INFO
                } )+ }
            }
        }
    };
}

params! {
    /// 行政处罚决定公示期限 (双公示).
    PenaltyPublicityDeadline = "penalty_publicity_deadline", "行政处罚信息公示期限", WorkingDays, Confirmed,
        "“双公示”:行政许可、行政处罚决定作出之日起 7 个工作日内上网公示",
        [(EPOCH, 7)];
    /// 企业信息公示期限 for information the regulator generates.
    EnterpriseInfoPublicityDeadline = "enterprise_info_publicity_deadline", "企业信息公示期限", WorkingDays, Confirmed,
        "《企业信息公示暂行条例》第六条:形成之日起 20 个工作日内公示",
        [(EPOCH, 20)];
    /// 双随机抽查结果公示期限.
    SpotCheckResultPublicityDeadline = "spot_check_result_publicity_deadline", "双随机抽查结果公示期限", WorkingDays, Unconfirmed,
        "参照《企业信息公示暂行条例》第六条的 20 个工作日;双随机结果是否适用未核实",
        [(EPOCH, 20)];
    /// 每次检查的最少执法人员数.
    MinInspectorsPerInspection = "min_inspectors_per_inspection", "每次检查最少执法人员", Persons, Confirmed,
        "《行政处罚法》第四十二条:执法人员不得少于两人",
        [(EPOCH, 2)];
    /// 同一机构每年被抽查次数上限.
    InspectionCapPerYear = "inspection_cap_per_year", "同一对象每年抽查次数上限", Times, Confirmed,
        "黄浦区 2024 年做法:同一企业每年不超过 2 次(地方做法,可调整)",
        [(EPOCH, 2)];
    /// 资质认定证书有效期.
    CertificateValidityYears = "certificate_validity_years", "资质认定证书有效期", Years, Secondary,
        "《检验检测机构资质认定管理办法》第十三条",
        [(EPOCH, 6)];
    /// 证书延续申请提前量.
    CertificateRenewalLeadMonths = "certificate_renewal_lead_months", "证书延续申请提前期", Months, Secondary,
        "《检验检测机构资质认定管理办法》第十三条:有效期届满 3 个月前提出",
        [(EPOCH, 3)];
    /// 现场采样/检测最少在场人数.
    MinSamplers = "min_samplers", "现场采样或检测最少在场人员", Persons, Secondary,
        "生态环境监测机构评审补充要求(2025)第十八条:不少于 2 人",
        [(EPOCH, 2)];
    /// 授权签字人相关监测工作年限.
    SignatoryExperienceYears = "signatory_experience_years", "授权签字人相关工作年限", Years, Secondary,
        "评审补充要求(2025,2026-01-01 施行):不少于 6 年;2018 年要求 3 年[U]",
        [(EPOCH, 3), (REFORM_2026, 6)];
    /// 中级及以上职称人员占比.
    IntermediateTitleSharePermille = "intermediate_title_share_permille", "中级及以上职称人员比例", Permille, Secondary,
        "评审补充要求(2025,2026-01-01 施行):不少于 25%;2018 年要求 15%",
        [(EPOCH, 150), (REFORM_2026, 250)];
    /// 监测机构最少人员数.
    StaffMinimum = "staff_minimum", "监测机构最少技术人员", Persons, Secondary,
        "评审补充要求(2025,2026-01-01 施行):不少于 20 人(仅从事噪声、振动、辐射、油气回收的不少于 10 人)",
        [(REFORM_2026, 20)];
    /// 登录失败锁定阈值.
    LoginLockoutFailures = "login_lockout_failures", "登录失败锁定次数", Times, Unconfirmed,
        "等保 2.0 身份鉴别要求的常见配置(具体数值由运营方确定)",
        [(EPOCH, 5)];
    /// 统计登录失败次数的时间窗口.
    LoginLockoutWindowMinutes = "login_lockout_window_minutes", "登录失败统计时间窗口", Minutes, Unconfirmed,
        "等保 2.0 身份鉴别要求的常见配置(具体数值由运营方确定)",
        [(EPOCH, 15)];
    /// 账户锁定时长.
    LoginLockoutMinutes = "login_lockout_minutes", "登录失败锁定时长", Minutes, Unconfirmed,
        "等保 2.0 身份鉴别要求的常见配置(具体数值由运营方确定)",
        [(EPOCH, 15)];
    /// 会话空闲超时.
    SessionIdleTimeoutMinutes = "session_idle_timeout_minutes", "会话空闲超时", Minutes, Unconfirmed,
        "等保 2.0 登录连接超时自动退出的常见配置(具体数值由运营方确定)",
        [(EPOCH, 30)];
    /// 密码最小长度.
    PasswordMinLength = "password_min_length", "密码最小长度", Characters, Unconfirmed,
        "等保 2.0 口令复杂度要求的常见配置(具体数值由运营方确定)",
        [(EPOCH, 8)];
    /// 同一来源地址在时间窗口内的登录失败上限 (in front of the per-account lockout, so that one
    /// address cannot lock out a whole department by guessing).
    LoginAddressFailures = "login_address_failures", "同一地址登录失败上限", Times, Unconfirmed,
        "等保 2.0 身份鉴别:防暴力破解;超过后暂停该地址登录,不计入账户锁定(具体数值由运营方确定)",
        [(EPOCH, 30)];
    /// 统计同一地址登录失败次数的时间窗口.
    LoginAddressWindowMinutes = "login_address_window_minutes", "同一地址登录失败统计窗口", Minutes, Unconfirmed,
        "等保 2.0 身份鉴别:防暴力破解(具体数值由运营方确定)",
        [(EPOCH, 15)];
    /// 信用等级 A 的抽查比例.
    DrawRatioGradeA = "draw_ratio_grade_a", "抽查比例:信用 A 类", Permille, Unconfirmed,
        "抽查比例随风险/信用等级递增,各地自定;A–E 分级及比例未核实,默认 2%",
        [(EPOCH, 20)];
    /// 信用等级 B 的抽查比例.
    DrawRatioGradeB = "draw_ratio_grade_b", "抽查比例:信用 B 类", Permille, Unconfirmed,
        "抽查比例随风险/信用等级递增,各地自定;A–E 分级及比例未核实,默认 5%",
        [(EPOCH, 50)];
    /// 信用等级 C 的抽查比例.
    DrawRatioGradeC = "draw_ratio_grade_c", "抽查比例:信用 C 类", Permille, Unconfirmed,
        "抽查比例随风险/信用等级递增,各地自定;A–E 分级及比例未核实,默认 10%",
        [(EPOCH, 100)];
    /// 信用等级 D 的抽查比例.
    DrawRatioGradeD = "draw_ratio_grade_d", "抽查比例:信用 D 类", Permille, Unconfirmed,
        "抽查比例随风险/信用等级递增,各地自定;A–E 分级及比例未核实,默认 30%",
        [(EPOCH, 300)];
    /// 信用等级 E 的抽查比例.
    DrawRatioGradeE = "draw_ratio_grade_e", "抽查比例:信用 E 类", Permille, Unconfirmed,
        "抽查比例随风险/信用等级递增,各地自定;风险最高的 E 类默认全部检查(100%)",
        [(EPOCH, 1000)];
    /// 检查任务完成期限 (from the draw to a task's due date).
    InspectionTaskDeadline = "inspection_task_deadline", "抽查检查任务完成期限", WorkingDays, Unconfirmed,
        "无统一法定期限,由抽查计划确定;默认抽取后 20 个工作日内完成检查",
        [(EPOCH, 20)];
    /// 责令整改期限.
    RectificationDeadline = "rectification_deadline", "责令整改期限", WorkingDays, Unconfirmed,
        "无统一法定期限,由执法部门在责令改正通知中确定;默认 20 个工作日",
        [(EPOCH, 20)];
    /// Highest row number a sheet of an uploaded workbook or CSV (registry import, partner list) may
    /// use. Reading is streamed and never allocates by the declared size, so this cap is about what
    /// an import may reasonably be, not about memory alone: the demo district's registry export
    /// (160 institutions) has at most 4,332 rows in one sheet (人员), i.e. 27 rows per institution;
    /// a city of 10,000 institutions at that density has 270,000 — 500,000 leaves ~1.9× headroom,
    /// and Excel itself stops at 1,048,576. A sheet declaring or using a row beyond it is refused.
    UploadMaxRows = "upload_max_rows", "上传表格每个工作表最多行数", Rows, Operational,
        "运营设置:防止异常表格耗尽服务器内存;默认按 1 万家机构的名录(演示数据密度下单表约 27 万行)留出近 2 倍余量",
        [(EPOCH, 500_000)];
    /// Highest column number (A = 1) a sheet may use. The registry sheets have at most 6 columns
    /// and a partner list 7 (plus any extra columns an officer keeps); 200 is far above both while
    /// refusing a stray cell at column XFD (16,384).
    UploadMaxColumns = "upload_max_columns", "上传表格每个工作表最多列数", Columns, Operational,
        "运营设置:名录各表最多 6 列、协作部门名单 7 列;默认 200 列,远处误填的单元格会被拒绝",
        [(EPOCH, 200)];
    /// Non-empty cells in one uploaded file, all sheets together; also the largest range
    /// (rows × columns) a sheet may declare. Memory while reading grows with the cells kept
    /// (≈ 24 bytes each plus their text), so this is the main memory cap. The demo registry holds
    /// 41,800 cells for 160 institutions (261 each): 10,000 institutions need ≈ 2.6 million;
    /// 4,000,000 leaves ~1.5× headroom and keeps the cells of a refused file under ≈ 100 MB.
    /// Reading one file takes at most ≈ 100 MB + 3 × [`ParamKey::UploadMaxUnzippedMb`] + 200 bytes
    /// × this (≈ 1.5 GB at the defaults, for a crafted file; `docs/security.md`): on a small server
    /// lower both (1,000,000 cells and 64 MB give ≈ 500 MB).
    UploadMaxCells = "upload_max_cells", "上传表格最多单元格数(全部工作表合计)", Cells, Operational,
        "运营设置:读取时内存随单元格数增长(每格约 24 字节加文字);默认按 1 万家机构的名录(约 260 万格)留出 1.5 倍余量",
        [(EPOCH, 4_000_000)];
    /// Bytes an uploaded workbook may inflate to (all parts of the XLSX package together, checked
    /// against the sizes the package declares and again while inflating, since a package can lie),
    /// and the most cell text kept from one file. The demo export is 45 bytes of XML per cell, so
    /// 4,000,000 cells need ≈ 180 MB; 200 MB admits them and refuses a deflate bomb before it can
    /// grow without bound.
    UploadMaxUnzippedMb = "upload_max_unzipped_mb", "上传工作簿解压后最大体积", Megabytes, Operational,
        "运营设置:防止压缩炸弹;默认 200 MB,约可容纳 400 万个单元格的名录",
        [(EPOCH, 200)];
}

impl ParamKey {
    /// The security parameters 安全参数: set by the security administrator only (三员分立), never
    /// by the system administrator, and always within [`ParamKey::bounds`].
    pub const SECURITY: &'static [ParamKey] = &[
        ParamKey::PasswordMinLength,
        ParamKey::LoginLockoutFailures,
        ParamKey::LoginLockoutWindowMinutes,
        ParamKey::LoginLockoutMinutes,
        ParamKey::SessionIdleTimeoutMinutes,
        ParamKey::LoginAddressFailures,
        ParamKey::LoginAddressWindowMinutes,
    ];

    /// Whether the security administrator owns this parameter.
    pub fn is_security(self) -> bool {
        ParamKey::SECURITY.contains(&self)
    }

    /// The floor and ceiling no entry may pass, where the key has them: the 等保 level-3 baseline
    /// for the security parameters (passwords of at least 8 characters, a lockout after 3–10
    /// failures lasting at least 10 minutes, sessions ending after at most 30 idle minutes).
    pub fn bounds(self) -> Option<(i64, i64)> {
        match self {
            ParamKey::PasswordMinLength => Some((8, 64)),
            ParamKey::LoginLockoutFailures => Some((3, 10)),
            ParamKey::LoginLockoutWindowMinutes => Some((5, 1440)),
            ParamKey::LoginLockoutMinutes => Some((10, 1440)),
            ParamKey::SessionIdleTimeoutMinutes => Some((5, 30)),
            ParamKey::LoginAddressFailures => Some((10, 200)),
            ParamKey::LoginAddressWindowMinutes => Some((5, 1440)),
            _ => None,
        }
    }

    /// Look a key up by its stable code (`"penalty_publicity_deadline"`).
    pub fn from_code(code: &str) -> Option<ParamKey> {
        ParamKey::ALL.iter().copied().find(|k| k.info().code == code)
    }

    /// The stable code of this key.
    pub fn code(self) -> &'static str {
        self.info().code
    }
}

impl fmt::Display for ParamKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.info().label)
    }
}

/// An operator-set value: from `effective_from` on, `key` is `value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    pub key: ParamKey,
    pub effective_from: Date,
    pub value: i64,
}

/// Why an operator value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    #[error("参数“{label}”的值不能为负数:{value}")]
    Negative { label: &'static str, value: i64 },
    #[error("参数“{label}”是千分比,不能超过 1000:{value}")]
    PermilleTooLarge { label: &'static str, value: i64 },
    #[error("参数“{label}”须在 {min} 至 {max} 之间(等保三级安全基线,任何人不得突破):{value}")]
    OutOfBounds { label: &'static str, min: i64, max: i64, value: i64 },
}

/// The parameters in force: the catalogue defaults plus operator overrides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParamSet {
    overrides: Vec<Override>,
}

impl ParamSet {
    /// Catalogue defaults only.
    pub fn defaults() -> ParamSet {
        ParamSet::default()
    }

    /// Defaults plus the given operator entries (validated as by [`ParamSet::set`]).
    pub fn with_overrides(entries: impl IntoIterator<Item = Override>) -> Result<ParamSet, ParamError> {
        let mut set = ParamSet::default();
        for o in entries {
            set.set(o.key, o.effective_from, o.value)?;
        }
        Ok(set)
    }

    /// Add an operator entry. A second entry for the same key and date replaces the first.
    /// Values must be ≥ 0, and ≤ 1000 for permille parameters.
    pub fn set(&mut self, key: ParamKey, effective_from: Date, value: i64) -> Result<(), ParamError> {
        let info = key.info();
        if value < 0 {
            return Err(ParamError::Negative { label: info.label, value });
        }
        if info.unit == Unit::Permille && value > 1000 {
            return Err(ParamError::PermilleTooLarge { label: info.label, value });
        }
        if let Some((min, max)) = key.bounds().filter(|(min, max)| value < *min || value > *max) {
            return Err(ParamError::OutOfBounds { label: info.label, min, max, value });
        }
        self.overrides.retain(|o| !(o.key == key && o.effective_from == effective_from));
        self.overrides.push(Override { key, effective_from, value });
        Ok(())
    }

    /// The operator entries.
    pub fn overrides(&self) -> &[Override] {
        &self.overrides
    }

    /// The value of `key` in force on `day`: the entry (default or operator) with the newest
    /// `effective_from` ≤ `day`; an operator entry wins over a default of the same date. Before the
    /// earliest entry the earliest value applies (a rule with no earlier version is taken to have
    /// always held).
    pub fn value_on(&self, key: ParamKey, day: Date) -> i64 {
        self.entry_on(key, day).1
    }

    /// Like [`ParamSet::value_on`], and also whether the value comes from an operator entry.
    pub fn entry_on(&self, key: ParamKey, day: Date) -> (Date, i64, bool) {
        let defaults = key.info().defaults.iter().map(|&(d, v)| (d, v, false));
        let operator =
            self.overrides.iter().filter(|o| o.key == key).map(|o| (o.effective_from, o.value, true));
        let all: Vec<(Date, i64, bool)> = defaults.chain(operator).collect();
        // Newest effective_from ≤ day; ties go to the operator (true > false).
        let in_force = all.iter().filter(|e| e.0 <= day).max_by_key(|e| (e.0, e.2));
        let earliest = all.iter().min_by_key(|e| (e.0, !e.2));
        *in_force.or(earliest).expect("every key has at least one default")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_consistent() {
        let mut codes = std::collections::BTreeSet::new();
        for &k in ParamKey::ALL {
            let info = k.info();
            assert!(codes.insert(info.code), "duplicate code {}", info.code);
            assert_eq!(ParamKey::from_code(info.code), Some(k));
            assert!(!info.defaults.is_empty());
            assert!(info.defaults.windows(2).all(|w| w[0].0 < w[1].0), "{} unsorted", info.code);
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", info.code));
            if let Some((min, max)) = k.bounds() {
                assert!(
                    info.defaults.iter().all(|(_, v)| (min..=max).contains(v)),
                    "{} default out of bounds",
                    info.code
                );
            }
        }
    }

    #[test]
    fn security_parameters_cannot_pass_their_floors_and_ceilings() {
        let mut set = ParamSet::defaults();
        let day = date!(2026 - 12 - 01);
        for (key, bad) in [
            (ParamKey::PasswordMinLength, 4),
            (ParamKey::LoginLockoutFailures, 1000),
            (ParamKey::SessionIdleTimeoutMinutes, 100_000),
            (ParamKey::LoginLockoutMinutes, 1),
        ] {
            assert!(matches!(set.set(key, day, bad), Err(ParamError::OutOfBounds { .. })), "{key:?} {bad}");
        }
        assert!(set.set(ParamKey::PasswordMinLength, day, 12).is_ok());
        assert!(ParamKey::SECURITY.iter().all(|k| k.bounds().is_some()));
    }
}
