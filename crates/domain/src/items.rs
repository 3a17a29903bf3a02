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
use time::Date;

use crate::org::{Duty, UnknownCode};

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

    #[test]
    fn methods_parse_from_code_and_chinese() {
        for m in ItemMethod::ALL {
            assert_eq!(m.code().parse::<ItemMethod>().unwrap(), *m);
            assert_eq!(m.zh().parse::<ItemMethod>().unwrap(), *m);
        }
        assert!("随便看看".parse::<ItemMethod>().is_err());
    }
}
