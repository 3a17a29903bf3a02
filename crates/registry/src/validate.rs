//! Snapshot validation: every problem, each with where it is and why, in Chinese.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use lianjian_domain::uscc::Uscc;

use crate::date::format as fmt;
use crate::model::Snapshot;

/// One problem in a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// USCC of the institution the problem is in (as written, even when malformed).
    pub uscc: Option<String>,
    /// JSON path (RFC 6901 pointer), e.g. `/institutions/3/certificates/0/expires_on`.
    pub path: String,
    /// The field at fault, e.g. `expires_on`.
    pub field: String,
    /// Why, in Chinese.
    pub reason: String,
}

struct Sink {
    problems: Vec<Problem>,
}

impl Sink {
    fn push(&mut self, uscc: &str, path: String, field: &str, reason: String) {
        self.problems.push(Problem { uscc: Some(uscc.to_owned()), path, field: field.to_owned(), reason });
    }

    fn period(&mut self, uscc: &str, base: &str, from: time::Date, to: Option<time::Date>) {
        if let Some(to) = to {
            if to < from {
                self.push(
                    uscc,
                    format!("{base}/to"),
                    "to",
                    format!("截止日期 {} 早于起始日期 {}", fmt(to), fmt(from)),
                );
            }
        }
    }
}

/// Lists every problem in the snapshot; empty means it can be imported.
///
/// Checks: USCC well-formed (length, character set, check character) and unique; certificate
/// numbers unique across the snapshot (they are city-wide numbers); `expires_on` not before
/// `issued_on`; status history present, with known statuses, in date order (non-decreasing
/// `from`); scope, signatory, staff and restriction periods with `from ≤ to`;
/// non-empty person ids, parameters and methods; instrument ids unique within an institution.
/// (A category outside the nine cannot be read at all: [`crate::Category`] has no such value.)
pub fn validate(snapshot: &Snapshot) -> Vec<Problem> {
    let mut sink = Sink { problems: Vec::new() };
    let mut usccs: HashMap<&str, usize> = HashMap::new();
    let mut certs: HashMap<&str, (String, String)> = HashMap::new();
    for (i, inst) in snapshot.institutions.iter().enumerate() {
        let u = inst.uscc.as_str();
        let ip = format!("/institutions/{i}");
        if let Err(e) = Uscc::parse_exact(u) {
            sink.push(u, format!("{ip}/uscc"), "uscc", e.to_string());
        }
        if let Some(first) = usccs.insert(u, i) {
            sink.push(
                u,
                format!("{ip}/uscc"),
                "uscc",
                format!("统一社会信用代码 {u} 重复(与 /institutions/{first} 相同)"),
            );
        }
        if inst.name.trim().is_empty() {
            sink.push(u, format!("{ip}/name"), "name", "机构名称为空".to_owned());
        }
        for (j, c) in inst.certificates.iter().enumerate() {
            let cp = format!("{ip}/certificates/{j}");
            if c.no.trim().is_empty() {
                sink.push(u, format!("{cp}/no"), "no", "证书编号为空".to_owned());
            } else if let Some((ou, op)) = certs.insert(&c.no, (u.to_owned(), cp.clone())) {
                sink.push(
                    u,
                    format!("{cp}/no"),
                    "no",
                    format!("证书编号 {} 重复(机构 {ou} 的 {op} 已使用)", c.no),
                );
            }
            if c.expires_on < c.issued_on {
                sink.push(
                    u,
                    format!("{cp}/expires_on"),
                    "expires_on",
                    format!("有效期至 {} 早于发证日期 {}", fmt(c.expires_on), fmt(c.issued_on)),
                );
            }
            if c.status_history.is_empty() {
                sink.push(
                    u,
                    format!("{cp}/status_history"),
                    "status_history",
                    "证书没有任何状态记录".to_owned(),
                );
            }
            for (k, e) in c.status_history.iter().enumerate() {
                let sp = format!("{cp}/status_history/{k}");
                if !e.status.is_known() {
                    sink.push(u, format!("{sp}/status"), "status", format!("未知的证书状态“{}”", e.status));
                }
                if k > 0 && e.from < c.status_history[k - 1].from {
                    sink.push(
                        u,
                        format!("{sp}/from"),
                        "from",
                        format!(
                            "状态记录未按日期排序:{} 早于前一条的 {}",
                            fmt(e.from),
                            fmt(c.status_history[k - 1].from)
                        ),
                    );
                }
            }
            for (k, s) in c.scope.iter().enumerate() {
                let sp = format!("{cp}/scope/{k}");
                if s.parameter.trim().is_empty() {
                    sink.push(u, format!("{sp}/parameter"), "parameter", "能力范围的检测项目为空".to_owned());
                }
                if s.method.trim().is_empty() {
                    sink.push(u, format!("{sp}/method"), "method", "能力范围的方法标准为空".to_owned());
                }
                sink.period(u, &sp, s.from, s.to);
            }
        }
        for (j, s) in inst.signatories.iter().enumerate() {
            let sp = format!("{ip}/signatories/{j}");
            if s.person.id.trim().is_empty() {
                sink.push(u, format!("{sp}/person/id"), "id", "授权签字人人员编号为空".to_owned());
            }
            if s.categories.is_empty() {
                sink.push(u, format!("{sp}/categories"), "categories", "授权签字人未列出授权类别".to_owned());
            }
            sink.period(u, &sp, s.from, s.to);
        }
        for (j, s) in inst.staff.iter().enumerate() {
            let sp = format!("{ip}/staff/{j}");
            if s.person.id.trim().is_empty() {
                sink.push(u, format!("{sp}/person/id"), "id", "人员编号为空".to_owned());
            }
            sink.period(u, &sp, s.from, s.to);
        }
        let mut instruments: HashMap<&str, usize> = HashMap::new();
        for (j, ins) in inst.instruments.iter().enumerate() {
            let p = format!("{ip}/instruments/{j}/id");
            if ins.id.trim().is_empty() {
                sink.push(u, p, "id", "仪器设备编号为空".to_owned());
            } else if let Some(first) = instruments.insert(&ins.id, j) {
                sink.push(u, p, "id", format!("仪器设备编号 {} 重复(与第 {} 台相同)", ins.id, first + 1));
            }
        }
        for (j, r) in inst.restrictions.iter().enumerate() {
            sink.period(u, &format!("{ip}/restrictions/{j}"), r.from, r.to);
        }
    }
    sink.problems
}
