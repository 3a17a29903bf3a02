//! The random-inspection item list 随机抽查事项清单 — the "一单" of 一单两库一细则 (国办发〔2015〕58号):
//! what may be checked in a 双随机 inspection, by which department, on what legal basis and how.
//!
//! The list is seeded from the work plan's duty codes (R2, R3): every item belongs to exactly one duty
//! code, so a finding raised against an item is routed by that code. Leaders edit the list later; the
//! store keeps every version with its validity dates. The legal bases below name the laws and rules in
//! force when the plan was issued (2024-12-20) without article numbers; leaders refine them (for
//! instance to the 生态环境监测条例 from 2026-01-01) by revising the item, which keeps the history.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::macros::date;
use time::{Date, Duration};

use crate::date::{format as day, ymd, ymd_opt};
use crate::invalid::{Invalid, Refusal};
use crate::org::{Department, Duty, UnknownCode};

/// How an item is checked 检查方式.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ItemMethod {
    /// 现场检查: at the institution's premises or sampling site.
    #[serde(rename = "on_site")]
    OnSite,
    /// 非现场检查: through the city's 上海市环境监测社会化服务监管系统 and uploaded data (R8).
    #[serde(rename = "off_site")]
    OffSite,
    /// 书面检查: review of reports, records and certificates sent in or collected.
    #[serde(rename = "document_review")]
    DocumentReview,
}

impl ItemMethod {
    pub const ALL: &'static [ItemMethod] =
        &[ItemMethod::OnSite, ItemMethod::OffSite, ItemMethod::DocumentReview];

    /// The stable code stored and exchanged.
    pub fn code(self) -> &'static str {
        match self {
            ItemMethod::OnSite => "on_site",
            ItemMethod::OffSite => "off_site",
            ItemMethod::DocumentReview => "document_review",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            ItemMethod::OnSite => "现场检查",
            ItemMethod::OffSite => "非现场检查",
            ItemMethod::DocumentReview => "书面检查",
        }
    }
}

impl fmt::Display for ItemMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for ItemMethod {
    type Err = UnknownCode;
    fn from_str(s: &str) -> Result<Self, UnknownCode> {
        let t = s.trim();
        ItemMethod::ALL
            .iter()
            .copied()
            .find(|m| m.code().eq_ignore_ascii_case(t) || m.zh() == t)
            .ok_or_else(|| UnknownCode { kind: "检查方式", code: s.to_owned() })
    }
}

/// The code of the `n`-th item (1-based) under a duty: `SJ-EEB-2-01`.
pub fn item_code(duty: Duty, n: u32) -> String {
    format!("SJ-{}-{n:02}", duty.code())
}

/// One version of an item 抽查事项, in force from `valid_from` to `valid_to` inclusive (`None`: open).
/// The one view of an item (pages, API, audit entries, plans).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub id: i64,
    /// `SJ-EEB-2-01`: the duty code and the item's number under it; the same for all versions.
    pub code: String,
    pub department: Department,
    pub duty: Duty,
    /// Legal basis 检查依据.
    pub basis: String,
    /// What is checked 检查内容.
    pub content: String,
    pub method: ItemMethod,
    pub version: i64,
    #[serde(with = "ymd")]
    pub valid_from: Date,
    #[serde(with = "ymd_opt")]
    pub valid_to: Option<Date>,
}

impl Item {
    pub fn in_force_on(&self, day: Date) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|t| day <= t)
    }
}

/// The fields of an item version: a new item's, or a revision's once applied. Its code is the next
/// free number under the duty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewItem {
    pub duty: Duty,
    pub basis: String,
    pub content: String,
    pub method: ItemMethod,
}

/// What a revision changes; `None` keeps the field.
#[derive(Debug, Clone, Default)]
pub struct ItemChanges {
    pub basis: Option<String>,
    pub content: Option<String>,
    pub method: Option<ItemMethod>,
}

/// A legal basis, a content or a reason: required, at most 2,000 characters (`required`, `too_long`).
fn text(field: &str, label: &str, v: &str) -> Result<String, Invalid> {
    crate::inspectors::text(field, label, v, 2000)
}

impl NewItem {
    /// The item tidied, or the field at fault.
    pub fn check(self) -> Result<NewItem, Invalid> {
        Ok(NewItem {
            basis: text("basis", "检查依据", &self.basis)?,
            content: text("content", "检查内容", &self.content)?,
            ..self
        })
    }
}

/// A revision decided: the version in force closed the day before `effective_from`, and the next
/// version's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// The last day of the version in force.
    pub closes: Date,
    pub next: NewItem,
}

fn not_retired(current: &Item) -> Result<(), Refusal> {
    match current.valid_to {
        Some(to) => {
            Err(Refusal::state("item_retired", format!("抽查事项 {} 已于 {} 废止", current.code, day(to))))
        }
        None => Ok(()),
    }
}

/// Revising `current` (the latest version) from `effective_from`: not a retired item
/// (`item_retired`), not before the version in force began (`revision_too_early`), and changing
/// something (`revision_unchanged`). A revision effective on the current version's first day leaves
/// that version empty (in force on no day) but still in the history.
pub fn revise(current: &Item, changes: ItemChanges, effective_from: Date) -> Result<Revision, Refusal> {
    not_retired(current)?;
    if effective_from < current.valid_from {
        return Err(Invalid::field(
            "effective_from",
            "revision_too_early",
            format!(
                "修订生效日期 {} 不能早于现行版本的生效日期 {}",
                day(effective_from),
                day(current.valid_from)
            ),
        )
        .into());
    }
    let next = NewItem {
        duty: current.duty,
        basis: match &changes.basis {
            Some(b) => text("basis", "检查依据", b)?,
            None => current.basis.clone(),
        },
        content: match &changes.content {
            Some(c) => text("content", "检查内容", c)?,
            None => current.content.clone(),
        },
        method: changes.method.unwrap_or(current.method),
    };
    if next.basis == current.basis && next.content == current.content && next.method == current.method {
        return Err(Invalid::field("content", "revision_unchanged", "修订内容与现行版本相同").into());
    }
    Ok(Revision { closes: effective_from - Duration::days(1), next })
}

/// Retiring `current` with `last_day` as its last day in force: not a retired item
/// (`item_retired`), not before the version in force began (`retirement_too_early`). Returns the
/// reason, tidied.
pub fn check_retirement(current: &Item, last_day: Date, reason: &str) -> Result<String, Refusal> {
    let reason = text("reason", "废止原因", reason)?;
    not_retired(current)?;
    if last_day < current.valid_from {
        return Err(Invalid::field(
            "last_day",
            "retirement_too_early",
            format!("废止日期 {} 不能早于现行版本的生效日期 {}", day(last_day), day(current.valid_from)),
        )
        .into());
    }
    Ok(reason)
}

/// The day the seed items take effect: the work plan's issue date.
pub const SEED_VALID_FROM: Date = date!(2024 - 12 - 20);

/// One item of the seed list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedItem {
    pub duty: Duty,
    /// Legal basis 检查依据.
    pub basis: &'static str,
    /// What is checked 检查内容.
    pub content: &'static str,
    pub method: ItemMethod,
}

/// The seed list: at least one item per duty code, in duty order; within a duty the position gives
/// the item number (`SJ-EEB-2-01`, `SJ-EEB-2-02`, …).
pub fn seed() -> &'static [SeedItem] {
    SEED
}

/// The seed list with each item's code.
pub fn seed_with_codes() -> Vec<(String, SeedItem)> {
    let mut out: Vec<(String, SeedItem)> = Vec::with_capacity(SEED.len());
    for item in SEED {
        let n = out.iter().filter(|(_, i)| i.duty == item.duty).count() as u32 + 1;
        out.push((item_code(item.duty, n), *item));
    }
    out
}

/// The seed items; legal bases joined with "、".
static SEED: &[SeedItem] = &[
    SeedItem {
        duty: Duty::Eeb1,
        basis: "《中华人民共和国环境保护法》、《关于加强生态环境监测机构监督管理工作的通知》(环监测〔2018〕45号)",
        content: "应用于本区生态环境管理的具有证明作用的监测报告及相关数据、结果的真实性、准确性和完整性",
        method: ItemMethod::DocumentReview,
    },
    SeedItem {
        duty: Duty::Eeb1,
        basis: "《关于加强生态环境监测机构监督管理工作的通知》(环监测〔2018〕45号)",
        content: "通过上海市环境监测社会化服务监管系统,检查机构监测报告和上传信息的完整性、合规性",
        method: ItemMethod::OffSite,
    },
    SeedItem {
        duty: Duty::Eeb2,
        basis: "《中华人民共和国环境保护法》、《关于加强生态环境监测机构监督管理工作的通知》(环监测〔2018〕45号)",
        content: "现场采样、样品保存与流转是否符合生态环境监测技术规范,采样时间、点位与记录是否一致",
        method: ItemMethod::OnSite,
    },
    SeedItem {
        duty: Duty::Eeb2,
        basis: "《关于加强生态环境监测机构监督管理工作的通知》(环监测〔2018〕45号)",
        content: "分析测试方法、原始记录和质量控制措施是否符合监测标准和技术规范",
        method: ItemMethod::OnSite,
    },
    SeedItem {
        duty: Duty::Eeb2,
        basis: "《关于加强生态环境监测机构监督管理工作的通知》(环监测〔2018〕45号)",
        content: "通过能力验证、比对核查检查监测结果的准确性",
        method: ItemMethod::OnSite,
    },
    SeedItem {
        duty: Duty::Eeb3,
        basis: "《中华人民共和国环境保护法》、《环境监测数据弄虚作假行为判定及处理办法》(环发〔2015〕175号)",
        content: "是否存在篡改、伪造监测数据或者指使篡改、伪造监测数据的行为",
        method: ItemMethod::OnSite,
    },
    SeedItem {
        duty: Duty::Eeb3,
        basis: "《环境监测数据弄虚作假行为判定及处理办法》(环发〔2015〕175号)",
        content: "纸质原始记录与电子存储记录、监测报告与原始记录、报告副本与原件是否一致",
        method: ItemMethod::DocumentReview,
    },
    SeedItem {
        duty: Duty::Msa1,
        basis: "《中华人民共和国计量法》、《检验检测机构资质认定管理办法》",
        content: "是否依法取得资质认定并在证书有效期内向社会出具具有证明作用的数据、结果",
        method: ItemMethod::DocumentReview,
    },
    SeedItem {
        duty: Duty::Msa1,
        basis: "《检验检测机构资质认定管理办法》、《检验检测机构监督管理办法》",
        content: "出具的数据、结果是否超出资质认定证书规定的检验检测能力范围",
        method: ItemMethod::DocumentReview,
    },
    SeedItem {
        duty: Duty::Msa2,
        basis: "《检验检测机构资质认定管理办法》、《检验检测机构资质认定生态环境监测机构评审补充要求》",
        content: "人员、场所环境、仪器设备、管理体系等基本条件和技术能力是否持续符合资质认定条件和要求",
        method: ItemMethod::OnSite,
    },
    SeedItem {
        duty: Duty::Msa3,
        basis: "《检验检测机构资质认定管理办法》、《检验检测机构监督管理办法》",
        content: "资质认定证书和标志的使用:是否转让、出租、出借,是否伪造、变造、冒用,是否使用已经过期或者被撤销、注销的证书或者标志",
        method: ItemMethod::OnSite,
    },
    SeedItem {
        duty: Duty::Msa4,
        basis: "《检验检测机构监督管理办法》",
        content: "检验检测活动是否按照标准和技术规范开展,报告是否由授权签字人在其授权范围内签发",
        method: ItemMethod::OnSite,
    },
    SeedItem {
        duty: Duty::Msa4,
        basis: "《检验检测机构监督管理办法》",
        content: "原始记录和报告的保存是否符合要求(保存期限不少于6年)",
        method: ItemMethod::DocumentReview,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_duty_code_has_an_item_and_codes_are_unique() {
        let items = seed_with_codes();
        for duty in Duty::ALL {
            assert!(items.iter().any(|(_, i)| i.duty == *duty), "{duty} has no item");
        }
        let codes: BTreeSet<_> = items.iter().map(|(c, _)| c.clone()).collect();
        assert_eq!(codes.len(), items.len());
        assert_eq!(items[0].0, "SJ-EEB-1-01");
        assert!(codes.contains("SJ-EEB-2-03"));
        assert!(codes.contains("SJ-MSA-4-02"));
    }

    #[test]
    fn seed_items_are_in_duty_order_and_filled() {
        let duties: Vec<Duty> = seed().iter().map(|i| i.duty).collect();
        let mut sorted = duties.clone();
        sorted.sort();
        assert_eq!(duties, sorted);
        for i in seed() {
            assert!(i.basis.starts_with('《'), "{}", i.basis);
            assert!(!i.content.trim().is_empty());
        }
    }

    fn item(valid_from: Date, valid_to: Option<Date>) -> Item {
        Item {
            id: 1,
            code: "SJ-MSA-1-01".into(),
            department: Department::Msa,
            duty: Duty::Msa1,
            basis: "《检验检测机构资质认定管理办法》".into(),
            content: "资质认定证书".into(),
            method: ItemMethod::DocumentReview,
            version: 1,
            valid_from,
            valid_to,
        }
    }

    #[test]
    fn a_revision_closes_the_version_in_force_the_day_before() {
        let current = item(date!(2024 - 12 - 20), None);
        let changes =
            ItemChanges { content: Some(" 资质认定证书(修订) ".into()), ..ItemChanges::default() };
        let r = revise(&current, changes, date!(2026 - 12 - 01)).unwrap();
        assert_eq!(r.closes, date!(2026 - 11 - 30));
        assert_eq!(r.next.content, "资质认定证书(修订)");
        assert_eq!(r.next.basis, current.basis);
        let same = ItemChanges { content: Some("资质认定证书".into()), ..ItemChanges::default() };
        let e = revise(&current, same, date!(2026 - 12 - 01)).unwrap_err();
        assert!(matches!(e, Refusal::Invalid(i) if i.code == "revision_unchanged"));
        let e = revise(&current, ItemChanges::default(), date!(2024 - 01 - 01)).unwrap_err();
        assert!(matches!(e, Refusal::Invalid(i) if i.code == "revision_too_early"));
        let retired = item(date!(2024 - 12 - 20), Some(date!(2025 - 12 - 31)));
        let e = revise(&retired, ItemChanges::default(), date!(2026 - 12 - 01)).unwrap_err();
        assert!(matches!(e, Refusal::State { code: "item_retired", .. }));
        assert!(matches!(
            check_retirement(&retired, date!(2026 - 01 - 01), "并入"),
            Err(Refusal::State { code: "item_retired", .. })
        ));
        assert!(check_retirement(&current, date!(2024 - 12 - 19), "x").is_err());
        assert_eq!(check_retirement(&current, date!(2026 - 01 - 01), " 并入 "), Ok("并入".into()));
    }

    #[test]
    fn methods_parse_from_code_and_chinese() {
        for m in ItemMethod::ALL {
            assert_eq!(m.code().parse::<ItemMethod>().unwrap(), *m);
            assert_eq!(m.zh().parse::<ItemMethod>().unwrap(), *m);
        }
        assert!("随便看看".parse::<ItemMethod>().is_err());
    }
}
