//! The rules of a report's samples and their results, in the order their findings are written:
//! per sample the samplers (P02, P01) and the sample's times (T01), then per result its scope
//! (Q03), method (M01), instrument (I01), detection limit (D02), times (T01) and analyst (P01).
//! Along the way each sample gives the cross-report stage its windows (T02) and fingerprint
//! (D01), and each result its numbers to the warning statistics.

use crate::cross::{CrossBatch, UNKNOWN_PERSON};
use crate::decimal::Dec;
use crate::finding::ev;
use crate::index::{norm_code, same_bytes};
use crate::instant::day_string;
use crate::parse::{ResultRow, Sample};
use crate::recycle;
use crate::rules::RuleId;
use crate::warn::StatsAcc;

use super::{Rep, Scratch, Sink};

/// The per-sample buffers, borrowed from [`Scratch`] for one report.
struct Bufs<'c> {
    /// The sample's distinct numeric (parameter, value) pairs, as their hashes (D01).
    pairs: Vec<u128>,
    /// Parameters already reported out of scope in this sample (Q03 once per parameter).
    seen_q03: Vec<&'c str>,
    /// Analysts already reported off staff in this sample (P01 once per analyst).
    seen_analyst: Vec<&'c str>,
    /// The sample's distinct samplers.
    samplers: Vec<&'c str>,
    /// The analyst looked up last: (id, day, on staff).
    last_analyst: Option<(&'c str, i32, bool)>,
}

/// One result under check, with what several of its rules read.
struct Res<'c> {
    res: &'c ResultRow<'c>,
    sid: Option<&'c str>,
    p: Option<&'c str>,
    /// The day (CST) of the analysis.
    aday: i32,
    /// The parameter's number when it is named in a scope.
    param: Option<u32>,
}

/// Runs the sample and result rules of every sample of the report.
pub(super) fn check_samples<'c>(
    rep: &Rep<'c, '_>,
    sink: &mut Sink<'_>,
    stats: &mut StatsAcc,
    cx: &mut CrossBatch,
    scratch: &mut Scratch,
) {
    let mut bufs = Bufs {
        pairs: std::mem::take(&mut scratch.pairs),
        seen_q03: recycle(std::mem::take(&mut scratch.strs)),
        seen_analyst: recycle(std::mem::take(&mut scratch.strs2)),
        samplers: recycle(std::mem::take(&mut scratch.strs3)),
        last_analyst: None,
    };
    let r = rep.r;
    for s in &r.samples {
        // The sample as the cross-report stage sees it (only when it has windows or a print).
        let mut sample_x: Option<u32> = None;
        rep.samplers(s, sink, cx, &mut bufs.samplers, &mut sample_x);
        rep.sample_times(s, sink);
        bufs.seen_q03.clear();
        bufs.seen_analyst.clear();
        bufs.pairs.clear();
        bufs.last_analyst = None;
        for res in &s.results {
            let x = Res {
                res,
                sid: Some(&s.sample_id),
                p: Some(&res.parameter),
                aday: res.analyzed.cst_day(),
                param: rep.idx.params.get(&*res.parameter).copied(),
            };
            let method = norm_code(&res.method);
            rep.scope(s, &x, &method, sink, &mut bufs.seen_q03);
            rep.method(&x, &method, sink);
            rep.instrument(&x, sink);
            let numeric = if res.below_detection { None } else { res.value.as_deref() };
            let value = numeric.and_then(Dec::parse_checked);
            rep.detection(&x, value, sink);
            rep.result_times(s, &x, sink);
            rep.analyst(s, &x, sink, &mut bufs);
            // Statistics: S01 counts every result with a limit; digits and D01 take numeric values.
            // (`value` is a decimal string, so it always parses.)
            stats.add(rep.inst.ord, x.param, &res.parameter, numeric.zip(value), res.limit.as_deref());
            if let Some(v) = numeric {
                let h = pair_hash(x.param, &res.parameter, v);
                if !bufs.pairs.contains(&h) {
                    bufs.pairs.push(h);
                }
            }
        }
        if bufs.pairs.len() >= rep.thresholds.d01_min_pairs {
            let x = *sample_x.get_or_insert_with(|| cx.sample(&s.sample_id, &s.site, s.from, s.to));
            let print = bufs.pairs.iter().fold(0u128, |sum, h| sum.wrapping_add(*h));
            cx.print(print, bufs.pairs.len() as u32, x);
        }
    }
    scratch.pairs = bufs.pairs;
    scratch.strs = recycle(bufs.seen_q03);
    scratch.strs2 = recycle(bufs.seen_analyst);
    scratch.strs3 = recycle(bufs.samplers);
}

// The per-result rules are `#[inline(always)]`: they run for every result row, and as calls
// (LLVM left them out of line, their finding paths being large) they cost the engine 2.6 % more
// instructions on the benchmark corpus.
impl<'c> Rep<'c, '_> {
    /// P02 (too few distinct samplers) and P01 for samplers (staff on every CST day of the
    /// sampling window: from's day and to's day); each sampler's window goes to the cross stage
    /// (T02) when the window is well-formed.
    fn samplers(
        &self,
        s: &'c Sample<'_>,
        sink: &mut Sink<'_>,
        cx: &mut CrossBatch,
        samplers: &mut Vec<&'c str>,
        sample_x: &mut Option<u32>,
    ) {
        let sid = Some(&*s.sample_id);
        let min = self.thresholds.min_samplers;
        samplers.clear();
        samplers.extend(s.samplers.iter().map(|x| &**x));
        samplers.sort_unstable();
        samplers.dedup();
        if samplers.len() < min {
            sink.emit(self.f(
                RuleId::P02,
                sid,
                None,
                format!("样品 {} 仅有 {} 名采样人员,少于规定的 {} 名", s.sample_id, samplers.len(), min),
                ev! {"samplers" => samplers.clone(), "count" => samplers.len(), "minimum" => min},
            ));
        }
        let (d1, d2) = (s.from.cst_day(), s.to.cst_day());
        for p in samplers.iter() {
            let staff = self.inst.staff.get(*p);
            let bad_day = if !staff.is_some_and(|st| st.on(d1)) {
                Some(d1)
            } else if d2 != d1 && !staff.is_some_and(|st| st.on(d2)) {
                Some(d2)
            } else {
                None
            };
            if let Some(d) = bad_day {
                sink.emit(self.f(
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
                    .or_else(|| self.idx.persons.get(*p).copied())
                    .unwrap_or(UNKNOWN_PERSON);
                let x = *sample_x.get_or_insert_with(|| cx.sample(&s.sample_id, &s.site, s.from, s.to));
                cx.window(p, person, x);
            }
        }
    }

    /// T01 at sample level: sampled_from ≤ sampled_to ≤ received_at.
    fn sample_times(&self, s: &Sample<'_>, sink: &mut Sink<'_>) {
        let sid = Some(&*s.sample_id);
        if s.from > s.to {
            sink.emit(self.f(
                RuleId::T01,
                sid,
                None,
                format!("样品 {} 采样结束时间早于采样开始时间", s.sample_id),
                ev! {"check" => "sampled_from <= sampled_to", "sampled_from" => s.from.to_cst_string(), "sampled_to" => s.to.to_cst_string()},
            ));
        }
        if s.to > s.received {
            sink.emit(self.f(
                RuleId::T01,
                sid,
                None,
                format!("样品 {} 的接收时间早于采样结束时间", s.sample_id),
                ev! {"check" => "sampled_to <= received_at", "sampled_to" => s.to.to_cst_string(), "received_at" => s.received.to_cst_string()},
            ));
        }
    }

    /// Q03: the result within the scope of the named certificate on the issue day, once per
    /// (sample, parameter).
    #[inline(always)]
    fn scope(
        &self,
        s: &Sample<'_>,
        x: &Res<'c>,
        method: &str,
        sink: &mut Sink<'_>,
        seen_q03: &mut Vec<&'c str>,
    ) {
        let Some((no, c)) = self.cert else { return };
        let (res, issued) = (x.res, self.issued);
        if !c.covers(&s.category, x.param, method, self.r.issued_on) && !seen_q03.contains(&&*res.parameter) {
            seen_q03.push(&res.parameter);
            sink.emit(self.f(
                RuleId::Q03,
                x.sid,
                x.p,
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

    /// M01: the method known and in force on the analysis day.
    #[inline(always)]
    fn method(&self, x: &Res<'c>, method: &str, sink: &mut Sink<'_>) {
        let (res, aday) = (x.res, x.aday);
        let m = self.idx.methods.get(method);
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
            sink.emit(self.f(
                RuleId::M01,
                x.sid,
                x.p,
                format!("{msg}(检测项目“{}”)", res.parameter),
                ev! {"method" => &*res.method, "analyzed_on" => day_string(aday), "method_status" => status,
                "effective" => m.and_then(|x| x.effective).map(day_string), "abolished" => m.and_then(|x| x.abolished).map(day_string)},
            ));
        }
    }

    /// I01: the instrument registered with the institution.
    #[inline(always)]
    fn instrument(&self, x: &Res<'c>, sink: &mut Sink<'_>) {
        let res = x.res;
        if let Some(ins) = &res.instrument_id {
            if !self.inst.instruments.contains(&**ins) {
                sink.emit(self.f(
                    RuleId::I01,
                    x.sid,
                    x.p,
                    format!("仪器设备 {ins} 未在本机构登记(检测项目“{}”)", res.parameter),
                    ev! {"instrument_id" => &**ins},
                ));
            }
        }
    }

    /// D02: a value reported as below detection, or a value below its detection limit not
    /// reported so. `value` is the parsed value of a numeric result.
    #[inline(always)]
    fn detection(&self, x: &Res<'c>, value: Option<Dec>, sink: &mut Sink<'_>) {
        let res = x.res;
        if res.below_detection {
            if let Some(v) = &res.value {
                sink.emit(self.f(
                    RuleId::D02,
                    x.sid,
                    x.p,
                    format!("检测项目“{}”标为未检出,却报出数值 {v}", res.parameter),
                    ev! {"value" => &**v, "below_detection" => true, "detection_limit" => res.detection_limit.as_deref()},
                ));
            }
        } else if let (Some(v), Some(dl)) = (&res.value, &res.detection_limit) {
            if let (Some(vd), Some(dd)) = (value, Dec::parse_checked(dl)) {
                if vd < dd {
                    sink.emit(self.f(
                        RuleId::D02,
                        x.sid,
                        x.p,
                        format!("检测项目“{}”的结果 {v} 低于检出限 {dl},应报未检出", res.parameter),
                        ev! {"value" => &**v, "below_detection" => false, "detection_limit" => &**dl},
                    ));
                }
            }
        }
    }

    /// T01 at result level: received_at ≤ analyzed_at, analysis day ≤ issued_on.
    #[inline(always)]
    fn result_times(&self, s: &Sample<'_>, x: &Res<'c>, sink: &mut Sink<'_>) {
        let (res, aday, issued) = (x.res, x.aday, self.issued);
        if s.received > res.analyzed {
            sink.emit(self.f(
                RuleId::T01,
                x.sid,
                x.p,
                format!("检测项目“{}”的分析时间早于样品接收时间", res.parameter),
                ev! {"check" => "received_at <= analyzed_at", "received_at" => s.received.to_cst_string(), "analyzed_at" => res.analyzed.to_cst_string()},
            ));
        }
        if aday > self.r.issued_on {
            sink.emit(self.f(
                RuleId::T01,
                x.sid,
                x.p,
                format!("检测项目“{}”的分析日 {} 晚于报告签发日 {issued}", res.parameter, day_string(aday)),
                ev! {"check" => "analysis day <= issued_on", "analyzed_at" => res.analyzed.to_cst_string(), "issued_on" => issued.to_string()},
            ));
        }
    }

    /// P01 for analysts: staff on the analysis day, once per (sample, analyst).
    #[inline(always)]
    fn analyst(&self, s: &Sample<'_>, x: &Res<'c>, sink: &mut Sink<'_>, bufs: &mut Bufs<'c>) {
        let (res, aday) = (x.res, x.aday);
        let on_staff = match bufs.last_analyst {
            Some((a, d, on)) if d == aday && same_bytes(a.as_bytes(), res.analyst.as_bytes()) => on,
            _ => {
                let on = self.inst.is_staff(&res.analyst, aday);
                bufs.last_analyst = Some((&res.analyst, aday, on));
                on
            }
        };
        if !on_staff && !bufs.seen_analyst.contains(&&*res.analyst) {
            bufs.seen_analyst.push(&res.analyst);
            sink.emit(self.f(
                RuleId::P01,
                x.sid,
                x.p,
                format!(
                    "分析人员 {} 在分析日 {} 不是本机构在册人员(样品 {})",
                    res.analyst,
                    day_string(aday),
                    s.sample_id
                ),
                ev! {"person_id" => &*res.analyst, "role" => "analyst", "day" => day_string(aday)},
            ));
        }
    }
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
