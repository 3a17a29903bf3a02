//! The warning rules OFF-S01/S02/S03: per-(institution, parameter) counters that are summed across
//! batches (order-free), and the tests run once at the end of the stream.
//!
//! Readings of the catalogue made here:
//! - S01's "at least 30 results that have a limit" counts every result with a limit > 0, below-
//!   detection ones included (they have a limit, only no ratio); a and b count numeric values, r
//!   compared exactly: r ∈ [0.9, 1.0) ⇔ 10·v ≥ 9·l ∧ v < l.
//! - S02 counts values with at least two significant digits as reported (leading zeros do not
//!   count, trailing zeros do: "0.050" has two); the last reported digit is the string's last digit.
//! - S03 takes, per institution, the parameters whose non-zero |values| there satisfy
//!   max ≥ 100 × min (exactly), and pools their non-zero values' first significant digits.

use serde_json::Value;

use crate::checks::Sink;
use crate::decimal::{first_digit, last_digit, significant_digits, Dec};
use crate::finding::{ev, F};
use crate::index::Map;
use crate::rules::RuleId;
use crate::stats::{benford, binomial_upper_tail_half, chi2_sf};
use crate::Thresholds;

#[derive(Default, Clone)]
pub(crate) struct Group {
    s01_n: u64,
    s01_a: u64,
    s01_b: u64,
    s02_n: u64,
    s02_digits: [u64; 10],
    s03_digits: [u64; 9],
    s03_min: Option<Dec>,
    s03_max: Option<Dec>,
}

impl Group {
    fn merge(&mut self, o: &Group) {
        self.s01_n += o.s01_n;
        self.s01_a += o.s01_a;
        self.s01_b += o.s01_b;
        self.s02_n += o.s02_n;
        for i in 0..10 {
            self.s02_digits[i] += o.s02_digits[i];
        }
        for i in 0..9 {
            self.s03_digits[i] += o.s03_digits[i];
        }
        self.s03_min = match (self.s03_min, o.s03_min) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.s03_max = match (self.s03_max, o.s03_max) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
}

/// One institution's counters: parameters named in a scope by number, others by name. A group
/// exists once a result was added to it (as with a map).
#[derive(Default)]
struct InstGroups {
    known: Vec<Option<Group>>,
    other: Map<Box<str>, Group>,
}

/// Counters keyed by (institution position in the snapshot, parameter).
#[derive(Default)]
pub(crate) struct StatsAcc {
    min_sig: usize,
    groups: Vec<Option<InstGroups>>,
}

impl StatsAcc {
    pub fn new(thresholds: &Thresholds) -> StatsAcc {
        StatsAcc { min_sig: thresholds.s02_min_significant_digits, groups: Vec::new() }
    }

    /// One result: `param` is the parameter's number when it is in a scope; `value` the reported
    /// value and its parsed form when the result is numeric (not below detection).
    pub fn add(
        &mut self,
        inst: u32,
        param: Option<u32>,
        parameter: &str,
        value: Option<(&str, Dec)>,
        limit: Option<&str>,
    ) {
        if value.is_none() && limit.is_none() {
            return;
        }
        let i = inst as usize;
        if i >= self.groups.len() {
            self.groups.resize_with(i + 1, || None);
        }
        let per = self.groups[i].get_or_insert_with(InstGroups::default);
        let g = match param {
            Some(p) => {
                let p = p as usize;
                if p >= per.known.len() {
                    per.known.resize_with(p + 1, || None);
                }
                per.known[p].get_or_insert_with(Group::default)
            }
            None => match per.other.get_mut(parameter) {
                Some(g) => g,
                None => per.other.entry(parameter.into()).or_default(),
            },
        };
        if let Some(l) = limit.and_then(Dec::parse_checked) {
            if !l.is_negative() && !l.is_zero() {
                g.s01_n += 1;
                match value.and_then(|(_, v)| v.limit_band(l)) {
                    Some(true) => g.s01_a += 1,
                    Some(false) => g.s01_b += 1,
                    None => {}
                }
            }
        }
        let Some((value, v)) = value else { return };
        if significant_digits(value) >= self.min_sig {
            if let Some(d) = last_digit(value) {
                g.s02_n += 1;
                g.s02_digits[d as usize] += 1;
            }
        }
        if let Some(d) = first_digit(value) {
            g.s03_digits[d as usize - 1] += 1;
            let a = v.abs();
            g.s03_min = Some(g.s03_min.map_or(a, |m| m.min(a)));
            g.s03_max = Some(g.s03_max.map_or(a, |m| m.max(a)));
        }
    }

    pub fn merge(&mut self, o: StatsAcc) {
        if o.groups.len() > self.groups.len() {
            self.groups.resize_with(o.groups.len(), || None);
        }
        for (mine, theirs) in self.groups.iter_mut().zip(o.groups) {
            let Some(theirs) = theirs else { continue };
            let Some(mine) = mine else {
                *mine = Some(theirs);
                continue;
            };
            if theirs.known.len() > mine.known.len() {
                mine.known.resize_with(theirs.known.len(), || None);
            }
            for (m, t) in mine.known.iter_mut().zip(theirs.known) {
                match (m.as_mut(), t) {
                    (Some(m), Some(t)) => m.merge(&t),
                    (None, Some(t)) => *m = Some(t),
                    (_, None) => {}
                }
            }
            for (p, g) in theirs.other {
                match mine.other.get_mut(&p) {
                    Some(m) => m.merge(&g),
                    None => {
                        mine.other.insert(p, g);
                    }
                }
            }
        }
    }

    /// Runs S01–S03 and emits warnings, ordered by rule, then institution (snapshot order), then
    /// parameter.
    pub fn finish(
        &self,
        thresholds: &Thresholds,
        usccs: &[&str],
        param_names: &[String],
        sink: &mut Sink<'_>,
    ) {
        // (institution, its groups sorted by parameter)
        let insts: Vec<(u32, Vec<(&str, &Group)>)> = self
            .groups
            .iter()
            .enumerate()
            .filter_map(|(i, g)| Some((i as u32, sorted(g.as_ref()?, param_names))))
            .collect();
        let uscc = |i: &u32| usccs.get(*i as usize).copied().unwrap_or("");
        // S01
        for (i, per) in &insts {
            for &(p, g) in per {
                if g.s01_n < thresholds.s01_min_results || g.s01_a < thresholds.s01_min_a {
                    continue;
                }
                let n = g.s01_a + g.s01_b;
                let pv = binomial_upper_tail_half(g.s01_a, n);
                if pv < thresholds.s01_p {
                    sink.emit(warn(
                        RuleId::S01,
                        uscc(i),
                        Some(p),
                        format!(
                            "“{p}”有限值的 {} 个结果中,{} 个落在限值的 90%–100%,仅 {} 个落在 80%–90%,聚集于限值下方的概率仅 {pv:.2e}(阈值 {:.0e}),建议联合研判",
                            g.s01_n, g.s01_a, g.s01_b, thresholds.s01_p
                        ),
                        ev! {"statistic" => "binomial_upper_tail", "p_value" => pv, "threshold" => thresholds.s01_p,
                        "n" => g.s01_n, "a" => g.s01_a, "b" => g.s01_b, "min_results" => thresholds.s01_min_results, "min_a" => thresholds.s01_min_a},
                    ));
                }
            }
        }
        // S02
        for (i, per) in &insts {
            for &(p, g) in per {
                if g.s02_n < thresholds.s02_min_values {
                    continue;
                }
                let e = g.s02_n as f64 / 10.0;
                let chi2: f64 = g.s02_digits.iter().map(|&o| (o as f64 - e).powi(2) / e).sum();
                let pv = chi2_sf(chi2, 9);
                if pv < thresholds.s02_p {
                    sink.emit(warn(
                        RuleId::S02,
                        uscc(i),
                        Some(p),
                        format!(
                            "“{p}”的 {} 个结果末位数字分布明显不均匀(χ²={chi2:.1},p={pv:.2e},阈值 {:.0e}),可能存在凑数或修约偏好,建议联合研判",
                            g.s02_n, thresholds.s02_p
                        ),
                        ev! {"statistic" => "chi_square", "chi_square" => chi2, "degrees_of_freedom" => 9, "p_value" => pv,
                        "threshold" => thresholds.s02_p, "n" => g.s02_n, "last_digit_counts" => g.s02_digits.to_vec(),
                        "min_values" => thresholds.s02_min_values, "min_significant_digits" => thresholds.s02_min_significant_digits},
                    ));
                }
            }
        }
        // S03
        for (i, per) in &insts {
            let mut counts = [0u64; 9];
            let mut included: Vec<&str> = Vec::new();
            for &(p, g) in per {
                if let (Some(min), Some(max)) = (g.s03_min, g.s03_max) {
                    if span_at_least(min, max, thresholds.s03_min_span) {
                        included.push(p);
                        for (c, d) in counts.iter_mut().zip(g.s03_digits) {
                            *c += d;
                        }
                    }
                }
            }
            let n: u64 = counts.iter().sum();
            if n < thresholds.s03_min_values || n == 0 {
                continue;
            }
            let shares: Vec<f64> = counts.iter().map(|&c| c as f64 / n as f64).collect();
            let mad = (1..=9u8).map(|d| (shares[d as usize - 1] - benford(d)).abs()).sum::<f64>() / 9.0;
            if mad > thresholds.s03_mad {
                sink.emit(warn(
                    RuleId::S03,
                    uscc(i),
                    None,
                    format!(
                        "机构 {} 个跨数量级结果的首位数字分布偏离本福特分布(平均绝对偏差 {mad:.4},阈值 {}),建议联合研判",
                        n, thresholds.s03_mad
                    ),
                    ev! {"statistic" => "mean_absolute_deviation", "mad" => mad, "threshold" => thresholds.s03_mad, "n" => n,
                    "first_digit_counts" => counts.to_vec(), "parameters" => included.iter().map(|s| Value::from(*s)).collect::<Vec<_>>(),
                    "min_values" => thresholds.s03_min_values, "min_span" => thresholds.s03_min_span},
                ));
            }
        }
    }
}

fn sorted<'s>(per: &'s InstGroups, names: &'s [String]) -> Vec<(&'s str, &'s Group)> {
    let mut v: Vec<(&str, &Group)> = per
        .known
        .iter()
        .enumerate()
        .filter_map(|(p, g)| Some((names.get(p).map_or("", String::as_str), g.as_ref()?)))
        .chain(per.other.iter().map(|(p, g)| (&**p, g)))
        .collect();
    v.sort_by(|a, b| a.0.cmp(b.0));
    v
}

fn warn<'b>(
    rule: RuleId,
    uscc: &'b str,
    parameter: Option<&'b str>,
    message: String,
    evidence: serde_json::Map<String, Value>,
) -> F<'b> {
    F { rule, uscc: Some(uscc), report_no: None, sample_id: None, parameter, message, evidence }
}

/// max ≥ span × min, exactly, for span a power of ten; other spans compare in f64.
fn span_at_least(min: Dec, max: Dec, span: u64) -> bool {
    let mut k = 0;
    let mut s = span;
    while s >= 10 && (s / 10) * 10 == s {
        s /= 10;
        k += 1;
    }
    if s == 1 {
        max >= min.shift(k)
    } else {
        max.to_f64() >= min.to_f64() * span as f64
    }
}
