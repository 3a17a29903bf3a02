//! Per-report rules (everything that needs only the report and the registry), and extraction of
//! what the cross-report rules and the warning statistics need from a report.

use lianjian_registry::Category;
use serde_json::Value;

use crate::cross::{CrossBatch, UNKNOWN_PERSON};
use crate::decimal::Dec;
use crate::finding::{ev, F};
use crate::index::{norm_code, same_bytes, Index, InstIx};
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

struct At<'a> {
    uscc: &'a str,
    report_no: &'a str,
}

impl<'a> At<'a> {
    fn f<'b>(
        &self,
        rule: RuleId,
        sample_id: Option<&'b str>,
        parameter: Option<&'b str>,
        message: String,
        evidence: serde_json::Map<String, Value>,
    ) -> F<'b>
    where
        'a: 'b,
    {
        F {
            rule,
            uscc: Some(self.uscc),
            report_no: Some(self.report_no),
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
    let issued = IssuedOn(r.issued_on);
    let at = At { uscc: &r.uscc, report_no: &r.report_no };
    let f = |rule, sample, param, message, evidence| at.f(rule, sample, param, message, evidence);
    let f = &f;

    // Certificate: Q01 (CMA mark without the institution's certificate), Q02 (not in force).
    let cert = r.certificate_no.as_deref().and_then(|no| inst.certs.get(no).map(|c| (no, c)));
    if r.cma_mark && cert.is_none() {
        let mut nos: Vec<&str> = inst.certs.keys().map(|k| &**k).collect();
        nos.sort_unstable();
        let msg = match &r.certificate_no {
            None => format!("报告 {} 加盖了 CMA 标志,但未注明资质认定证书编号", r.report_no),
            Some(no) => {
                format!("报告 {} 加盖了 CMA 标志,但所注证书 {no} 不是本机构的资质认定证书", r.report_no)
            }
        };
        sink.emit(f(
            RuleId::Q01,
            None,
            None,
            msg,
            ev! {"cma_mark" => true, "certificate_no" => r.certificate_no.as_deref(), "institution_certificates" => nos},
        ));
    }
    if let Some((no, c)) = cert {
        if !c.in_force(r.issued_on) {
            let st = c.state(r.issued_on);
            sink.emit(f(
                RuleId::Q02,
                None,
                None,
                format!("报告签发日 {issued} 证书 {no} 不在有效状态({}),不得出具报告", st.zh()),
                ev! {"certificate_no" => no, "issued_on" => issued.to_string(), "certificate_status" => st.code(),
                "certificate_issued_on" => day_string(c.issued), "certificate_expires_on" => day_string(c.expires)},
            ));
        }
    }
    // Q04: enforcement or government work without the CMA mark.
    if r.purpose.is_public() && !r.cma_mark {
        sink.emit(f(
            RuleId::Q04,
            None,
            None,
            format!("用途为{}的报告 {} 未加盖 CMA 标志", r.purpose.name_zh(), r.report_no),
            ev! {"purpose" => r.purpose.as_str(), "cma_mark" => false},
        ));
    }
    // Q05: signatory authorised on issued_on for every category in the report.
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
        None => sink.emit(f(
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
            sink.emit(f(
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
    // Q06: restricted institution doing enforcement or government work.
    if r.purpose.is_public() {
        if let Some((from, to, basis)) = inst.restriction(r.issued_on) {
            sink.emit(f(
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

    cx.begin_report(&r.report_no, &r.uscc);
    // The sample's distinct numeric (parameter, value) pairs, as their hashes (D01).
    let mut pairs: Vec<u128> = std::mem::take(&mut scratch.pairs);
    let mut seen_q03: Vec<&str> = recycle(std::mem::take(&mut scratch.strs));
    let mut seen_analyst: Vec<&str> = recycle(std::mem::take(&mut scratch.strs2));
    let mut samplers: Vec<&str> = recycle(std::mem::take(&mut scratch.strs3));
    for s in &r.samples {
        let sid = Some(&*s.sample_id);
        // P02: distinct samplers.
        samplers.clear();
        samplers.extend(s.samplers.iter().map(|x| &**x));
        samplers.sort_unstable();
        samplers.dedup();
        if samplers.len() < thresholds.min_samplers {
            sink.emit(f(
                RuleId::P02,
                sid,
                None,
                format!("样品 {} 仅有 {} 名采样人员,少于规定的 {} 名", s.sample_id, samplers.len(), thresholds.min_samplers),
                ev! {"samplers" => samplers.clone(), "count" => samplers.len(), "minimum" => thresholds.min_samplers},
            ));
        }
        // P01 for samplers: staff on every CST day of the sampling window (from's day and to's day).
        let (d1, d2) = (s.from.cst_day(), s.to.cst_day());
        // The sample as the cross-report stage sees it (only when it has windows or a print).
        let mut sample_x: Option<u32> = None;
        for p in &samplers {
            let staff = inst.staff.get(*p);
            let bad_day = if !staff.is_some_and(|st| st.on(d1)) {
                Some(d1)
            } else if d2 != d1 && !staff.is_some_and(|st| st.on(d2)) {
                Some(d2)
            } else {
                None
            };
            if let Some(d) = bad_day {
                sink.emit(f(
                    RuleId::P01,
                    sid,
                    None,
                    format!(
                        "采样人员 {p} 在采样日 {} 不是本机构在册人员(样品 {})",
                        day_string(d),
                        s.sample_id
                    ),
                    ev! {"person_id" => *p, "role" => "sampler", "day" => day_string(d)},
                ));
            }
            if s.from <= s.to {
                let person = staff
                    .map(|st| st.person)
                    .or_else(|| idx.persons.get(*p).copied())
                    .unwrap_or(UNKNOWN_PERSON);
                let x = *sample_x.get_or_insert_with(|| cx.sample(&s.sample_id, &s.site, s.from, s.to));
                cx.window(p, person, x);
            }
        }
        // T01, sample level.
        if s.from > s.to {
            sink.emit(f(
                RuleId::T01,
                sid,
                None,
                format!("样品 {} 采样结束时间早于采样开始时间", s.sample_id),
                ev! {"check" => "sampled_from <= sampled_to", "sampled_from" => s.from.to_cst_string(), "sampled_to" => s.to.to_cst_string()},
            ));
        }
        if s.to > s.received {
            sink.emit(f(
                RuleId::T01,
                sid,
                None,
                format!("样品 {} 的接收时间早于采样结束时间", s.sample_id),
                ev! {"check" => "sampled_to <= received_at", "sampled_to" => s.to.to_cst_string(), "received_at" => s.received.to_cst_string()},
            ));
        }

        seen_q03.clear();
        seen_analyst.clear();
        pairs.clear();
        // The analyst looked up last: (id, day, on staff).
        let mut last_analyst: Option<(&str, i32, bool)> = None;
        for res in &s.results {
            let p = Some(&*res.parameter);
            let method = norm_code(&res.method);
            let aday = res.analyzed.cst_day();
            let param = idx.params.get(&*res.parameter).copied();
            // Q03: scope of the named certificate on issued_on, once per (sample, parameter).
            if let Some((no, c)) = cert {
                if !c.covers(&s.category, param, &method, r.issued_on) && !seen_q03.contains(&&*res.parameter)
                {
                    seen_q03.push(&res.parameter);
                    sink.emit(f(
                        RuleId::Q03,
                        sid,
                        p,
                        format!(
                            "检测项目“{}”({})不在证书 {no} 于 {issued} 有效的能力范围内({}类)",
                            res.parameter,
                            res.method,
                            s.category.name_zh()
                        ),
                        ev! {"certificate_no" => no, "issued_on" => issued.to_string(), "category" => s.category.as_str(), "method" => &*res.method},
                    ));
                }
            }
            // M01: method known and in force on the analysis day.
            let m = idx.methods.get(&*method);
            let problem = match m {
                None => Some(("unknown", format!("方法标准“{}”不在方法标准表中", res.method))),
                Some(mi) if mi.effective.is_some_and(|e| aday < e) => Some((
                    "not_yet_effective",
                    format!("方法标准 {} 在分析日 {} 尚未实施", mi.code, day_string(aday)),
                )),
                Some(mi) if mi.abolished.is_some_and(|a| aday >= a) => {
                    Some(("abolished", format!("方法标准 {} 在分析日 {} 已废止", mi.code, day_string(aday))))
                }
                Some(_) => None,
            };
            if let Some((status, msg)) = problem {
                sink.emit(f(
                    RuleId::M01,
                    sid,
                    p,
                    format!("{msg}(检测项目“{}”)", res.parameter),
                    ev! {"method" => &*res.method, "analyzed_on" => day_string(aday), "method_status" => status,
                    "effective" => m.and_then(|x| x.effective).map(day_string), "abolished" => m.and_then(|x| x.abolished).map(day_string)},
                ));
            }
            // I01
            if let Some(ins) = &res.instrument_id {
                if !inst.instruments.contains(&**ins) {
                    sink.emit(f(
                        RuleId::I01,
                        sid,
                        p,
                        format!("仪器设备 {ins} 未在本机构登记(检测项目“{}”)", res.parameter),
                        ev! {"instrument_id" => &**ins},
                    ));
                }
            }
            // D02
            let numeric = if res.below_detection { None } else { res.value.as_deref() };
            let value = numeric.and_then(Dec::parse_checked);
            if res.below_detection {
                if let Some(v) = &res.value {
                    sink.emit(f(
                        RuleId::D02,
                        sid,
                        p,
                        format!("检测项目“{}”标为未检出,却报出数值 {v}", res.parameter),
                        ev! {"value" => &**v, "below_detection" => true, "detection_limit" => res.detection_limit.as_deref()},
                    ));
                }
            } else if let (Some(v), Some(dl)) = (&res.value, &res.detection_limit) {
                if let (Some(vd), Some(dd)) = (value, Dec::parse_checked(dl)) {
                    if vd < dd {
                        sink.emit(f(
                            RuleId::D02,
                            sid,
                            p,
                            format!("检测项目“{}”的结果 {v} 低于检出限 {dl},应报未检出", res.parameter),
                            ev! {"value" => &**v, "below_detection" => false, "detection_limit" => &**dl},
                        ));
                    }
                }
            }
            // T01, result level.
            if s.received > res.analyzed {
                sink.emit(f(
                    RuleId::T01,
                    sid,
                    p,
                    format!("检测项目“{}”的分析时间早于样品接收时间", res.parameter),
                    ev! {"check" => "received_at <= analyzed_at", "received_at" => s.received.to_cst_string(), "analyzed_at" => res.analyzed.to_cst_string()},
                ));
            }
            if aday > r.issued_on {
                sink.emit(f(
                    RuleId::T01,
                    sid,
                    p,
                    format!("检测项目“{}”的分析日 {} 晚于报告签发日 {issued}", res.parameter, day_string(aday)),
                    ev! {"check" => "analysis day <= issued_on", "analyzed_at" => res.analyzed.to_cst_string(), "issued_on" => issued.to_string()},
                ));
            }
            // P01 for analysts: staff on the analysis day, once per (sample, analyst).
            let on_staff = match last_analyst {
                Some((a, d, on)) if d == aday && same_bytes(a.as_bytes(), res.analyst.as_bytes()) => on,
                _ => {
                    let on = inst.is_staff(&res.analyst, aday);
                    last_analyst = Some((&res.analyst, aday, on));
                    on
                }
            };
            if !on_staff && !seen_analyst.contains(&&*res.analyst) {
                seen_analyst.push(&res.analyst);
                sink.emit(f(
                    RuleId::P01,
                    sid,
                    p,
                    format!(
                        "分析人员 {} 在分析日 {} 不是本机构在册人员(样品 {})",
                        res.analyst,
                        day_string(aday),
                        s.sample_id
                    ),
                    ev! {"person_id" => &*res.analyst, "role" => "analyst", "day" => day_string(aday)},
                ));
            }
            // Statistics: S01 counts every result with a limit; digits and D01 take numeric values.
            // (`value` is a decimal string, so it always parses.)
            stats.add(inst.ord, param, &res.parameter, numeric.zip(value), res.limit.as_deref());
            if let Some(v) = numeric {
                let h = pair_hash(param, &res.parameter, v);
                if !pairs.contains(&h) {
                    pairs.push(h);
                }
            }
        }
        if pairs.len() >= thresholds.d01_min_pairs {
            let x = *sample_x.get_or_insert_with(|| cx.sample(&s.sample_id, &s.site, s.from, s.to));
            let print = pairs.iter().fold(0u128, |sum, h| sum.wrapping_add(*h));
            cx.print(print, pairs.len() as u32, x);
        }
    }
    scratch.pairs = pairs;
    scratch.strs = recycle(seen_q03);
    scratch.strs2 = recycle(seen_analyst);
    scratch.strs3 = recycle(samplers);
}

/// 128-bit hash of one (parameter, value) pair: two foldhash (quality) hashes with fixed, unrelated
/// seeds (deterministic across runs). A parameter named in a scope is hashed by its number (a
/// function of its name across the registry), others by name, each behind its own tag. A
/// sample's D01 fingerprint is the sum of its distinct pairs' hashes: the same for the same set
/// in any order, without sorting; two different sets share a fingerprint with probability about
/// 2^-128.
fn pair_hash(param: Option<u32>, parameter: &str, value: &str) -> u128 {
    use std::hash::{BuildHasher, Hash, Hasher};
    let mut h1 = foldhash::quality::FixedState::with_seed(0x5EED_D01D_C0DE_0001).build_hasher();
    let mut h2 = foldhash::quality::FixedState::with_seed(0xA5A5_0FF5_17E0_D01D).build_hasher();
    match param {
        Some(n) => {
            h1.write_u64(u64::from(n));
            h2.write_u64(u64::from(n));
        }
        None => {
            h1.write_u64(u64::MAX);
            h2.write_u64(u64::MAX);
            parameter.hash(&mut h1);
            parameter.hash(&mut h2);
        }
    }
    value.hash(&mut h1);
    value.hash(&mut h2);
    (u128::from(h1.finish()) << 64) | u128::from(h2.finish())
}
