//! Deterministic test corpora 测试语料: a registry snapshot, a method table and reports with
//! planted violations of every rule, plus the ground truth of what was planted. Clean reports
//! are built so that they raise nothing, warnings included (values are log-uniform over whole
//! decades, so they follow Benford and show no bunching or digit preference).
//!
//! Special institutions: #0 restricted (only non-public work when clean), #1 S01 bunching on
//! 化学需氧量, #2 S02 digit preference on 氨氮, #3 S03 uniform (non-Benford) values; the rest are
//! ordinary. Warnings need enough data: plant them in corpora of at least ~2,000 reports.
//!
//! A development crate, not part of the engine's API: the benchmarks (`offsite-corpus`, the
//! engine's divan bench, bench/offsite, scripts/build-pgo), the tests of the engine, the web edge
//! and the CLI use it. Its numbers come from the workspace's one splitmix64
//! (`lianjian_draw::splitmix`), so a seed gives the same corpus byte for byte as before the move.

mod plant;
mod registry;
mod report;

use std::io::{self, Write};

use lianjian_draw::splitmix::SplitMix64 as Rng;
use lianjian_offsite::instant::days_from_civil;
use lianjian_offsite::RuleId;
use lianjian_registry::{Institution, Snapshot};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::plant::KINDS;
use crate::registry::{institution, methods_csv};
use crate::report::Gen;

/// What to generate.
#[derive(Debug, Clone)]
pub struct CorpusSpec {
    pub seed: u64,
    /// Stop after this many reports …
    pub reports: u64,
    /// … or once this many result rows are written, whichever comes first (0 = no row limit).
    pub rows: u64,
    /// Ordinary institutions (besides the four special ones).
    pub institutions: usize,
    /// Plant violations (every `plant_every`-th report) and the warning institutions' signals.
    pub plant: bool,
    pub plant_every: u64,
}

impl Default for CorpusSpec {
    fn default() -> CorpusSpec {
        CorpusSpec { seed: 1, reports: 3000, rows: 0, institutions: 16, plant: true, plant_every: 40 }
    }
}

/// One planted violation. Error rules carry the report (or, for an unreadable line, the line);
/// warnings carry the institution and parameter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Planted {
    pub rule: RuleId,
    pub report_no: Option<String>,
    pub line: Option<u64>,
    pub institution_uscc: Option<String>,
    pub parameter: Option<String>,
    pub kind: String,
}

/// The generated registry and method table, the truth, and counts.
#[derive(Debug, Clone)]
pub struct Corpus {
    pub snapshot: Snapshot,
    pub methods_csv: String,
    pub truth: Vec<Planted>,
    pub reports: u64,
    pub rows: u64,
}
/// Generates the corpus, writing reports (JSON Lines) to `out`.
pub fn generate<W: Write>(spec: &CorpusSpec, mut out: W) -> io::Result<Corpus> {
    let mut rng = Rng::new(spec.seed ^ 0x5EED_0FF5_17E0_0001);
    let n = spec.institutions + 4;
    let insts: Vec<Institution> = (0..n).map(|i| institution(i, &mut rng)).collect();
    let start = days_from_civil(2024, 1, 1) * 86_400 + 8 * 3600;
    let mut g = Gen {
        rng,
        cursor: (0..n).map(|i| start + i as i64 * 600).collect(),
        last_sample: vec![None; n],
        prev_sample: vec![None; n],
        force_water: None,
        signals: spec.plant,
        last_results: vec![None; n],
        insts,
        line: 0,
        rows: 0,
        seq: 0,
    };
    let mut truth = Vec::new();
    let mut kind_i = 0usize;
    let mut reports = 0u64;
    let mut buf = Vec::with_capacity(4096);
    while reports < spec.reports && (spec.rows == 0 || g.rows < spec.rows) {
        reports += 1;
        let plant = spec.plant && reports % spec.plant_every.max(1) == spec.plant_every.max(1) / 2;
        let ordinary = 4 + g.rng.below(spec.institutions.max(1) as u64) as usize;
        let (kind, rule) = KINDS[kind_i % KINDS.len()];
        let i = if !plant {
            // the S03 institution gets a triple share so it reaches 1,000 values early
            let k = g.rng.below(n as u64 + 2) as usize;
            if k >= n {
                3
            } else {
                k
            }
        } else if kind == "restricted_enforcement" {
            0
        } else {
            ordinary
        };
        g.force_water = match kind {
            _ if !plant => None,
            "out_of_scope" | "unknown_method" | "abolished_method" | "copied_results" => Some(true),
            "signatory_lacks_category" => Some(false),
            _ => None,
        };
        let mut r = g.report(i, i != 0);
        g.force_water = None;
        g.line += 1;
        if plant {
            kind_i += 1;
            let rn = r["report_no"].as_str().unwrap_or_default().to_owned();
            let mut p = Planted {
                rule,
                report_no: Some(rn.clone()),
                line: None,
                institution_uscc: Some(g.insts[i].uscc.clone()),
                parameter: None,
                kind: kind.into(),
            };
            let raw_line = plant::plant(kind, i, kind_i, spec, &mut g, &mut r, &mut p);
            truth.push(p);
            buf.clear();
            match raw_line {
                Some(l) => buf.extend_from_slice(l.as_bytes()),
                None => serde_json::to_writer(&mut buf, &r)?,
            }
        } else {
            buf.clear();
            serde_json::to_writer(&mut buf, &r)?;
        }
        buf.push(b'\n');
        out.write_all(&buf)?;
        // remember a clean water sample with ≥ 5 numeric results for the next copy
        if !plant {
            if let Some(s) = r["samples"].as_array().and_then(|a| a.first()) {
                let numeric =
                    s["results"].as_array().map_or(0, |a| a.iter().filter(|x| !x["value"].is_null()).count());
                if s["category"] == json!("water") && numeric >= 5 {
                    g.last_results[i] = s["results"].as_array().cloned();
                }
            }
        }
    }
    if spec.plant {
        for (i, rule, param) in
            [(1, RuleId::S01, Some("化学需氧量")), (2, RuleId::S02, Some("氨氮")), (3, RuleId::S03, None)]
        {
            truth.push(Planted {
                rule,
                report_no: None,
                line: None,
                institution_uscc: Some(g.insts[i].uscc.clone()),
                parameter: param.map(str::to_owned),
                kind: "warning".into(),
            });
        }
    }
    truth.sort();
    Ok(Corpus {
        snapshot: Snapshot { institutions: g.insts },
        methods_csv: methods_csv(),
        truth,
        reports,
        rows: g.rows,
    })
}
