//! Clean reports: values that follow Benford (or, for the warning institutions, their planted
//! signals), sampling windows that never overlap, staff and instruments of the institution.

use lianjian_draw::splitmix::SplitMix64 as Rng;
use lianjian_offsite::instant::day_string;
use lianjian_registry::{Category, Institution};
use serde_json::{json, Value};

use crate::registry::{params, Param};

/// Formats m × 10^e as a decimal string (m > 0).
fn dec_string(m: u64, e: i32) -> String {
    let digits = m.to_string();
    if e >= 0 {
        format!("{digits}{}", "0".repeat(e as usize))
    } else {
        let k = (-e) as usize;
        if digits.len() > k {
            format!("{}.{}", &digits[..digits.len() - k], &digits[digits.len() - k..])
        } else {
            format!("0.{}{digits}", "0".repeat(k - digits.len()))
        }
    }
}

/// Formats a positive value as reported: three significant digits, truncated, or the integer
/// part when that has more digits (so the last digit is never a padding zero).
fn report_value(v: f64) -> String {
    if v >= 100.0 {
        return format!("{}", v.floor() as u64);
    }
    let k = v.log10().floor() as i32;
    let decimals = 2 - k;
    let mant = (v * 10f64.powi(decimals)).floor() as u64;
    dec_string(mant.max(1), -decimals)
}

/// A value log-uniform over three decades starting at the detection limit (Benford-conformant;
/// truncation keeps it at or above the detection limit).
fn benford_value(rng: &mut Rng, dl: (u64, i32)) -> String {
    let x = (dl.0 as f64).log10() + f64::from(dl.1) + 3.0 * rng.unit();
    report_value(10f64.powf(x).max(dl.0 as f64 * 10f64.powi(dl.1)))
}

/// Uniform (not log-uniform) over [dl, 1000·dl]: far from Benford.
fn uniform_value(rng: &mut Rng, dl: (u64, i32)) -> String {
    let d = dl.0 as f64 * 10f64.powi(dl.1);
    report_value(d * (1.0 + 999.0 * rng.unit()))
}

pub(crate) struct Gen {
    pub(crate) rng: Rng,
    pub(crate) insts: Vec<Institution>,
    /// per institution: next sampling instant (seconds, CST-local epoch seconds)
    pub(crate) cursor: Vec<i64>,
    /// per institution: last sample (window, samplers, site) for T02, and last numeric results for D01
    pub(crate) last_sample: Vec<Option<(i64, i64, Vec<String>)>>,
    pub(crate) prev_sample: Vec<Option<(i64, i64, Vec<String>)>>,
    /// force the report's samples to water (true) or air (false)
    pub(crate) force_water: Option<bool>,
    /// whether the warning institutions show their signals
    pub(crate) signals: bool,
    pub(crate) last_results: Vec<Option<Vec<Value>>>,
    pub(crate) line: u64,
    pub(crate) rows: u64,
    pub(crate) seq: u64,
}

pub(crate) fn ts(local_secs: i64) -> String {
    let day = local_secs.div_euclid(86_400);
    let s = local_secs.rem_euclid(86_400);
    format!("{}T{:02}:{:02}:{:02}+08:00", day_string(day as i32), s / 3600, s / 60 % 60, s % 60)
}

impl Gen {
    fn samplers(&mut self, i: usize) -> Vec<String> {
        let a = self.rng.below(8);
        let b = (a + 1 + self.rng.below(7)) % 8;
        vec![format!("P-{i:03}{a:03}"), format!("P-{i:03}{b:03}")]
    }

    fn value_for(&mut self, i: usize, p: &Param) -> Option<String> {
        if p.limit.is_none() {
            // pH: 6.00–9.00, three significant digits
            return Some(dec_string(600 + self.rng.below(301), -2));
        }
        if !self.signals {
            return Some(benford_value(&mut self.rng, p.dl));
        }
        if i == 1 && p.name == "化学需氧量" {
            // bunching just under the limit 30: 27.0–29.9
            return Some(dec_string(270 + self.rng.below(30), -1));
        }
        if i == 3 {
            return Some(uniform_value(&mut self.rng, p.dl));
        }
        let mut v = benford_value(&mut self.rng, p.dl);
        if i == 2 && p.name == "氨氮" {
            let last = if self.rng.below(2) == 0 { '0' } else { '5' };
            v.pop();
            v.push(last);
        }
        Some(v)
    }

    /// Builds one clean report of institution `i` (as JSON) and its sample count.
    pub(crate) fn report(&mut self, i: usize, public_ok: bool) -> Value {
        let inst = &self.insts[i];
        let uscc = inst.uscc.clone();
        let cert = inst.certificates[1].no.clone();
        self.seq += 1;
        let report_no = format!("R{:03}-{:08}", i, self.seq);
        self.prev_sample[i] = self.last_sample[i].clone();
        let n_samples = 1 + self.rng.below(2) as usize;
        let water = self.rng.below(3) != 0;
        let water = self.force_water.unwrap_or(water);
        let all = params();
        let mut samples = Vec::new();
        let mut last_analysis = 0i64;
        for k in 0..n_samples {
            let from = self.cursor[i];
            let to = from + 1800;
            self.cursor[i] += 2700 + 900 * self.rng.below(4) as i64;
            let received = to + 7200;
            let samplers = self.samplers(i);
            let mut results = Vec::new();
            let ps: Vec<&Param> = all.iter().filter(|p| (p.category == Category::Water) == water).collect();
            for (j, p) in ps.iter().enumerate() {
                // COD always (S01 needs it), others most of the time
                if j > 0 && self.rng.below(6) == 0 {
                    continue;
                }
                let analyzed = received + 86_400 + 3600 * self.rng.below(8) as i64;
                last_analysis = last_analysis.max(analyzed);
                let below = p.limit.is_some() && self.rng.below(25) == 0;
                let value = if below { None } else { self.value_for(i, p) };
                let dl = if p.limit.is_some() { Some(dec_string(p.dl.0, p.dl.1)) } else { None };
                results.push(json!({
                    "parameter": p.name, "method": p.method, "value": value, "below_detection": below,
                    "detection_limit": dl, "unit": p.unit, "limit": p.limit,
                    "limit_standard": p.limit.map(|_| "GB 3838-2002 IV类"),
                    "analyzed_at": ts(analyzed),
                    "analyst": {"id": samplers[0], "name": "分析员"},
                    "instrument_id": format!("YQ-{i:03}-{}", self.rng.below(4)),
                }));
            }
            self.rows += results.len() as u64;
            self.last_sample[i] = Some((from, to, samplers.clone()));
            samples.push(json!({
                "sample_id": format!("{report_no}-S{k}"),
                "category": if water { "water" } else { "air" },
                "site": format!("站点{:03}-{}", i, self.rng.below(50)),
                "sampled_from": ts(from), "sampled_to": ts(to),
                "samplers": samplers.iter().map(|s| json!({"id": s, "name": "采样员"})).collect::<Vec<_>>(),
                "received_at": ts(received),
                "results": results,
            }));
        }
        let issued = (last_analysis.div_euclid(86_400) + 2) as i32;
        let purpose = match self.rng.below(4) {
            0 if public_ok => "enforcement",
            1 if public_ok => "government",
            2 => "commissioned",
            _ => "self_monitoring",
        };
        let public = purpose == "enforcement" || purpose == "government";
        json!({
            "report_no": report_no, "institution_uscc": uscc, "cma_mark": true, "certificate_no": cert,
            "purpose": purpose, "commissioned_by": if public { Some("WATER") } else { None },
            "client": {"name": "某某公司", "uscc": null}, "project": "某项目监测",
            "issued_on": day_string(issued),
            "compiled_by": {"id": format!("P-{i:03}002"), "name": "编制人"},
            "reviewed_by": {"id": format!("P-{i:03}003"), "name": "审核人"},
            "signatory": {"id": format!("P-{i:03}000"), "name": "签字人"},
            "samples": samples,
        })
    }
}
