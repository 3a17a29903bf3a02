//! Findings 问题线索 (exchange-formats §3) and their JSON Lines output.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::rules::{RuleId, Severity};

/// One finding: which rule, where, a Chinese message for an officer, and the evidence a reviewer
/// needs (for cross-report rules, every report involved).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: RuleId,
    pub severity: Severity,
    pub duty: String,
    pub institution_uscc: Option<String>,
    pub report_no: Option<String>,
    pub sample_id: Option<String>,
    pub parameter: Option<String>,
    pub message: String,
    pub evidence: Map<String, Value>,
}

/// Builder used by the rules; borrows where it can and writes straight to the output buffer.
pub(crate) struct F<'a> {
    pub rule: RuleId,
    pub uscc: Option<&'a str>,
    pub report_no: Option<&'a str>,
    pub sample_id: Option<&'a str>,
    pub parameter: Option<&'a str>,
    pub message: String,
    pub evidence: Map<String, Value>,
}

#[derive(Serialize)]
struct Out<'a> {
    rule: RuleId,
    severity: Severity,
    duty: &'static str,
    institution_uscc: Option<&'a str>,
    report_no: Option<&'a str>,
    sample_id: Option<&'a str>,
    parameter: Option<&'a str>,
    message: &'a str,
    evidence: &'a Map<String, Value>,
}

impl F<'_> {
    pub fn write_line(&self, out: &mut Vec<u8>) {
        let o = Out {
            rule: self.rule,
            severity: self.rule.severity(),
            duty: self.rule.duty(),
            institution_uscc: self.uscc,
            report_no: self.report_no,
            sample_id: self.sample_id,
            parameter: self.parameter,
            message: &self.message,
            evidence: &self.evidence,
        };
        // Serialising plain strings and maps into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, &o);
        out.push(b'\n');
    }
}

/// `evidence` from key/value pairs.
macro_rules! ev {
    ($($k:literal => $v:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut m = serde_json::Map::new();
        $( m.insert($k.to_owned(), serde_json::Value::from($v)); )*
        m
    }};
}
pub(crate) use ev;
