//! Per-report rules (everything that needs only the report and the registry), and extraction of
//! what the cross-report rules and the warning statistics need from a report.
//!
//! [`check_report`] runs the rule groups in the order their findings are written (the output order
//! is part of the contract, see the crate docs): the report-level rules here — certificate (Q01,
//! Q02), the CMA mark on public work (Q04), the signatory (Q05), restrictions (Q06) — then, sample
//! by sample, the rules of [`sample`]: samplers (P02, P01), the sample's times (T01), and each
//! result's rules (Q03, M01, I01, D02, T01, P01), with what D01, T02 and the warnings need.

mod sample;

use lianjian_registry::Category;
use serde_json::Value;

use crate::cross::CrossBatch;
use crate::finding::{ev, F};
use crate::index::{CertIx, Index, InstIx};
use crate::instant::day_string;
use crate::parse::Report;
use crate::recycle;
use crate::rules::{RuleId, N_RULES};
use crate::warn::StatsAcc;
use crate::Thresholds;

/// Where findings go: serialised into a batch's output buffer, counted per rule.
pub(crate) struct Sink<'o> {
    pub out: &'o mut Vec<u8>,
    pub counts: &'o mut [u64; N_RULES],
}

impl Sink<'_> {
    pub fn emit(&mut self, f: F<'_>) {
        self.counts[f.rule.index()] += 1;
        f.write_line(self.out);
    }
}

/// The issue day, formatted only when a finding needs it.
#[derive(Clone, Copy)]
struct IssuedOn(i32);

impl std::fmt::Display for IssuedOn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&day_string(self.0))
    }
}

/// One report under check, with what every rule group reads: the compiled registry, the
/// thresholds, the report's institution and the certificate the report names (when it is the
/// institution's).
struct Rep<'c, 'r> {
    idx: &'c Index,
    thresholds: &'c Thresholds,
    inst: &'c InstIx,
    r: &'c Report<'r>,
    issued: IssuedOn,
    cert: Option<(&'c str, &'c CertIx)>,
}

impl<'c> Rep<'c, '_> {
    /// A finding on this report.
    fn f<'b>(
        &self,
        rule: RuleId,
        sample_id: Option<&'b str>,
        parameter: Option<&'b str>,
        message: String,
        evidence: serde_json::Map<String, Value>,
    ) -> F<'b>
    where
        'c: 'b,
    {
        let r: &'c Report<'_> = self.r;
        F {
            rule,
            uscc: Some(&r.uscc),
            report_no: Some(&r.report_no),
            sample_id,
            parameter,
            message,
            evidence,
        }
    }
}

fn cats_json(c: &[&Category]) -> Value {
    Value::from(c.iter().map(|c| c.as_str().to_owned()).collect::<Vec<_>>())
}

/// Reusable buffers for [`check_report`] (kept empty between reports; only their allocations are
/// reused).
#[derive(Default)]
pub(crate) struct Scratch {
    cats: Vec<&'static Category>,
    strs: Vec<&'static str>,
    strs2: Vec<&'static str>,
    strs3: Vec<&'static str>,
    pairs: Vec<u128>,
}

/// Runs every per-report rule on a report whose institution is `inst`; writes what the
/// cross-report rules need to `cx` (the caller ends the report there).
#[allow(clippy::too_many_arguments)]
pub(crate) fn check_report(
    idx: &Index,
    thresholds: &Thresholds,
    inst: &InstIx,
    r: &Report<'_>,
    sink: &mut Sink<'_>,
    stats: &mut StatsAcc,
    cx: &mut CrossBatch,
    scratch: &mut Scratch,
) {
    let cert = r.certificate_no.as_deref().and_then(|no| inst.certs.get(no).map(|c| (no, c)));
    let rep = Rep { idx, thresholds, inst, r, issued: IssuedOn(r.issued_on), cert };
    rep.certificate(sink);
    rep.mark_on_public_work(sink);
    rep.signatory(sink, scratch);
    rep.restriction(sink);
    cx.begin_report(&r.report_no, &r.uscc);
    sample::check_samples(&rep, sink, stats, cx, scratch);
}

impl Rep<'_, '_> {
    /// Q01 (CMA mark without the institution's certificate), Q02 (the certificate not in force on
    /// the issue day).
    fn certificate(&self, sink: &mut Sink<'_>) {
        let (r, issued) = (self.r, self.issued);
        if r.cma_mark && self.cert.is_none() {
            let mut nos: Vec<&str> = self.inst.certs.keys().map(|k| &**k).collect();
            nos.sort_unstable();
            let msg = match &r.certificate_no {
                None => format!("报告 {} 加盖了 CMA 标志,但未注明资质认定证书编号", r.report_no),
                Some(no) => {
                    format!("报告 {} 加盖了 CMA 标志,但所注证书 {no} 不是本机构的资质认定证书", r.report_no)
                }
            };
            sink.emit(self.f(
                RuleId::Q01,
                None,
                None,
                msg,
                ev! {"cma_mark" => true, "certificate_no" => r.certificate_no.as_deref(), "institution_certificates" => nos},
            ));
        }
        if let Some((no, c)) = self.cert {
            if !c.in_force(r.issued_on) {
                let st = c.state(r.issued_on);
                sink.emit(self.f(
                    RuleId::Q02,
                    None,
                    None,
                    format!("报告签发日 {issued} 证书 {no} 不在有效状态({}),不得出具报告", st.zh()),
                    ev! {"certificate_no" => no, "issued_on" => issued.to_string(), "certificate_status" => st.code(),
                    "certificate_issued_on" => day_string(c.issued), "certificate_expires_on" => day_string(c.expires)},
                ));
            }
        }
    }

    /// Q04: enforcement or government work without the CMA mark.
    fn mark_on_public_work(&self, sink: &mut Sink<'_>) {
        let r = self.r;
        if r.purpose.is_public() && !r.cma_mark {
            sink.emit(self.f(
                RuleId::Q04,
                None,
                None,
                format!("用途为{}的报告 {} 未加盖 CMA 标志", r.purpose.name_zh(), r.report_no),
                ev! {"purpose" => r.purpose.as_str(), "cma_mark" => false},
            ));
        }
    }

    /// Q05: the signatory authorised on the issue day for every category in the report.
    fn signatory(&self, sink: &mut Sink<'_>, scratch: &mut Scratch) {
        let (r, inst, issued) = (self.r, self.inst, self.issued);
        let mut cats: Vec<&Category> = recycle(std::mem::take(&mut scratch.cats));
        for s in &r.samples {
            if !cats.contains(&&s.category) {
                cats.push(&s.category);
            }
        }
        let q05 = match inst.signatory_covers(&r.signatory, &cats, r.issued_on) {
            Some(true) => Some(Vec::new()),
            _ => inst.signatory_missing(&r.signatory, &cats, r.issued_on),
        };
        match q05 {
            None => sink.emit(self.f(
                RuleId::Q05,
                None,
                None,
                format!("签字人 {} 在签发日 {issued} 不是本机构的授权签字人", r.signatory),
                ev! {"signatory_id" => &*r.signatory, "issued_on" => issued.to_string(), "report_categories" => cats_json(&cats),
                "missing_categories" => cats_json(&cats)},
            )),
            Some(missing) if !missing.is_empty() => {
                let names: Vec<&str> = missing.iter().map(|c| c.name_zh()).collect();
                let miss: Vec<&Category> = missing.iter().collect();
                sink.emit(self.f(
                    RuleId::Q05,
                    None,
                    None,
                    format!("签字人 {} 在签发日 {issued} 未获{}类别的授权签字资格", r.signatory, names.join("、")),
                    ev! {"signatory_id" => &*r.signatory, "issued_on" => issued.to_string(), "report_categories" => cats_json(&cats),
                    "missing_categories" => cats_json(&miss)},
                ))
            }
            Some(_) => {}
        }
        scratch.cats = recycle(cats);
    }

    /// Q06: a restricted institution doing enforcement or government work.
    fn restriction(&self, sink: &mut Sink<'_>) {
        let (r, issued) = (self.r, self.issued);
        if !r.purpose.is_public() {
            return;
        }
        if let Some((from, to, basis)) = self.inst.restriction(r.issued_on) {
            sink.emit(self.f(
                RuleId::Q06,
                None,
                None,
                format!(
                    "机构在限制期内({} 至 {},依据 {basis})于 {issued} 出具了{}报告",
                    day_string(*from),
                    to.map_or("无期限".to_owned(), day_string),
                    r.purpose.name_zh()
                ),
                ev! {"issued_on" => issued.to_string(), "purpose" => r.purpose.as_str(), "restriction_from" => day_string(*from),
                "restriction_to" => to.map(day_string), "basis" => basis.as_str()},
            ));
        }
    }
}
