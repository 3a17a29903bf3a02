//! Cross-report rules, applied in line order on one thread so that output is deterministic:
//! OFF-T02 (one person sampling at two sites at once) and OFF-D01 (copied results).
//!
//! Memory is bounded by these indexes — one entry per (sampler, sample) and one per sample
//! with enough numeric results — never by the size of the input.

use std::collections::BTreeMap;

use serde_json::json;

use crate::checks::Sink;
use crate::finding::{ev, F};
use crate::index::Map;
use crate::instant::Instant;
use crate::rules::RuleId;

/// A sampler's presence at a site.
pub(crate) struct Window {
    pub person: Box<str>,
    pub site: Box<str>,
    pub from: Instant,
    pub to: Instant,
    pub sample_id: Box<str>,
}

/// A sample's set of numeric (parameter, value) pairs, hashed.
pub(crate) struct Print {
    pub hash: u128,
    pub pairs: u32,
    pub site: Box<str>,
    pub from: Instant,
    pub to: Instant,
    pub sample_id: Box<str>,
}

/// What one checked report hands to the cross-report stage.
pub(crate) struct ReportCross {
    /// End of this report's own findings in the batch output.
    pub out_end: usize,
    pub report_no: Box<str>,
    pub uscc: Box<str>,
    pub windows: Vec<Window>,
    pub prints: Vec<Print>,
}

/// A sample as referenced from the indexes.
struct SampleRef {
    report: u32,
    sample_id: Box<str>,
    site: u32,
    from: Instant,
    to: Instant,
}

#[derive(Default)]
struct PersonWindows {
    /// (from, seq) → sample ref
    by_from: BTreeMap<(Instant, u32), u32>,
    /// Longest window seen, in seconds (bounds the backwards scan).
    max_len: i64,
}

/// Cross-report state.
#[derive(Default)]
pub(crate) struct Cross {
    reports: Vec<(Box<str>, Box<str>)>,
    sites: Vec<Box<str>>,
    site_ids: Map<Box<str>, u32>,
    samples: Vec<SampleRef>,
    persons: Map<Box<str>, PersonWindows>,
    /// fingerprint → up to two samples with different (site, window): enough to always find
    /// one that differs from a new sample, if any does.
    prints: Map<u128, ([u32; 2], u8)>,
    seq: u32,
}

/// Closed windows overlap when each starts before the other ends; windows that only touch do not,
/// except two identical windows (which covers two instants at the same moment).
fn overlaps(a: (Instant, Instant), b: (Instant, Instant)) -> bool {
    (a.0 < b.1 && b.0 < a.1) || a == b
}

impl Cross {
    fn site(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.site_ids.get(s) {
            return i;
        }
        let i = self.sites.len() as u32;
        self.sites.push(s.into());
        self.site_ids.insert(s.into(), i);
        i
    }

    fn sample_ref(&mut self, report: u32, sample_id: &str, site: &str, from: Instant, to: Instant) -> u32 {
        if let Some(last) = self.samples.last() {
            if last.report == report && &*last.sample_id == sample_id && last.from == from && last.to == to {
                return self.samples.len() as u32 - 1;
            }
        }
        let site = self.site(site);
        self.samples.push(SampleRef { report, sample_id: sample_id.into(), site, from, to });
        self.samples.len() as u32 - 1
    }

    fn describe(&self, i: u32) -> serde_json::Value {
        let s = &self.samples[i as usize];
        let (rn, u) = &self.reports[s.report as usize];
        json!({
            "report_no": &**rn, "institution_uscc": &**u, "sample_id": &*s.sample_id,
            "site": &*self.sites[s.site as usize],
            "sampled_from": s.from.to_cst_string(), "sampled_to": s.to.to_cst_string(),
        })
    }

    /// Applies one report's windows and fingerprints, emitting T02 and D01 findings.
    pub fn apply(&mut self, rc: &ReportCross, sink: &mut Sink<'_>) {
        let report = self.reports.len() as u32;
        self.reports.push((rc.report_no.clone(), rc.uscc.clone()));
        for w in &rc.windows {
            let me = self.sample_ref(report, &w.sample_id, &w.site, w.from, w.to);
            let my_site = self.samples[me as usize].site;
            let pw = self.persons.entry(w.person.clone()).or_default();
            let lo = Instant { secs: w.from.secs.saturating_sub(pw.max_len).saturating_sub(1), nanos: 0 };
            let hi = (w.to, u32::MAX);
            let mut hits: Vec<u32> = Vec::new();
            for (&(f, _), &other) in pw.by_from.range((lo, 0)..=hi) {
                let o = &self.samples[other as usize];
                if o.site != my_site && overlaps((f, o.to), (w.from, w.to)) && !hits.contains(&other) {
                    hits.push(other);
                }
            }
            pw.max_len = pw.max_len.max(w.to.secs - w.from.secs + 1);
            pw.by_from.insert((w.from, self.seq), me);
            self.seq = self.seq.wrapping_add(1);
            for other in hits {
                let o = &self.samples[other as usize];
                let msg = format!(
                    "人员 {} 在重叠时段内于两地采样:本报告样品 {}({},{} 至 {})与报告 {} 样品 {}({},{} 至 {})",
                    w.person,
                    w.sample_id,
                    w.site,
                    w.from.to_cst_string(),
                    w.to.to_cst_string(),
                    self.reports[o.report as usize].0,
                    o.sample_id,
                    self.sites[o.site as usize],
                    o.from.to_cst_string(),
                    o.to.to_cst_string()
                );
                let evidence = ev! {"person_id" => &*w.person, "this" => self.describe(me), "other" => self.describe(other)};
                sink.emit(F {
                    rule: RuleId::T02,
                    uscc: Some(&rc.uscc),
                    report_no: Some(&rc.report_no),
                    sample_id: Some(&w.sample_id),
                    parameter: None,
                    message: msg,
                    evidence,
                });
            }
        }
        for p in &rc.prints {
            let me = self.sample_ref(report, &p.sample_id, &p.site, p.from, p.to);
            let (site, from, to) = {
                let s = &self.samples[me as usize];
                (s.site, s.from, s.to)
            };
            let differs = |o: &SampleRef| o.site != site || o.from != from || o.to != to;
            let entry = self.prints.entry(p.hash).or_insert(([0, 0], 0));
            let stored = &entry.0[..entry.1 as usize];
            let other = stored.iter().copied().find(|&o| differs(&self.samples[o as usize]));
            match other {
                Some(o) => {
                    // A second distinct variant is kept so later copies of the first variant are found.
                    if entry.1 == 1 {
                        entry.0[1] = me;
                        entry.1 = 2;
                    }
                    let os = &self.samples[o as usize];
                    let msg = format!(
                        "样品 {}({})与报告 {} 的样品 {}({})的 {} 项数值结果完全相同,疑似复制数据",
                        p.sample_id,
                        p.site,
                        self.reports[os.report as usize].0,
                        os.sample_id,
                        self.sites[os.site as usize],
                        p.pairs
                    );
                    let evidence = ev! {"identical_pairs" => p.pairs, "this" => self.describe(me), "other" => self.describe(o)};
                    sink.emit(F {
                        rule: RuleId::D01,
                        uscc: Some(&rc.uscc),
                        report_no: Some(&rc.report_no),
                        sample_id: Some(&p.sample_id),
                        parameter: None,
                        message: msg,
                        evidence,
                    });
                }
                None if entry.1 == 0 => {
                    entry.0[0] = me;
                    entry.1 = 1;
                }
                None => {}
            }
        }
    }
}
