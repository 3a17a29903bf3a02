//! Deterministic generator of plausible draw inputs, for benchmarks and property tests.
//!
//! Lives in the crate (not in a test) so the benchmark, the tests and anyone sizing a real plan
//! build the same inputs from the same parameters.

use serde_json::{json, Value};

use crate::random::commitment;
use crate::splitmix::SplitMix64;

/// Shape of the generated plan.
#[derive(Debug, Clone)]
pub struct GenParams {
    /// PRNG seed: same params, same inputs.
    pub seed: u64,
    /// Number of candidates, spread evenly over the strata.
    pub candidates: usize,
    /// Stratum keys with their permille.
    pub strata: Vec<(String, u64)>,
    /// Number of inspectors.
    pub inspectors: usize,
    /// Departments inspectors are spread over (round robin).
    pub departments: Vec<String>,
    /// Team size.
    pub team_size: u64,
    /// Per-department minimums.
    pub per_department: Vec<(String, u64)>,
    /// Each inspector's max_tasks.
    pub max_tasks: u64,
    /// Conflicts declared per inspector (random candidate ids).
    pub conflicts_per_inspector: usize,
    /// Use CJK stratum keys and non-ASCII ids.
    pub cjk: bool,
}

impl GenParams {
    /// The benchmark plan: 50,000 candidates in 5 strata (100–300 ‰, about 10,000 targets),
    /// 5,000 inspectors in 3 departments, teams of 3 with EEB ≥ 1 and MSA ≥ 1, 2 conflicts each.
    pub fn benchmark() -> GenParams {
        GenParams {
            seed: 2025,
            candidates: 50_000,
            strata: [("A", 100), ("B", 150), ("C", 200), ("D", 250), ("E", 300)]
                .iter()
                .map(|&(k, p)| (k.to_owned(), p))
                .collect(),
            inspectors: 5_000,
            departments: vec!["EEB".into(), "MSA".into(), "WRB".into()],
            team_size: 3,
            per_department: vec![("MSA".into(), 1), ("EEB".into(), 1)],
            max_tasks: 30,
            conflicts_per_inspector: 2,
            cjk: false,
        }
    }
}

const CATEGORIES: [&str; 6] = ["water", "air", "soil", "noise", "waste", "radiation"];

fn below(rng: &mut SplitMix64, n: usize) -> usize {
    rng.below(n as u64) as usize
}

fn categories(rng: &mut SplitMix64, max: usize) -> Vec<&'static str> {
    let n = 1 + below(rng, max);
    let mut v: Vec<&str> = (0..n).map(|_| CATEGORIES[below(rng, CATEGORIES.len())]).collect();
    v.dedup();
    v
}

/// Generates inputs and matching entropy (one department secret per department with a
/// minimum, plus one public value).
pub fn generate(p: &GenParams) -> (Value, Vec<String>) {
    let mut rng = SplitMix64::new(p.seed);
    let prefix = if p.cjk { "沪" } else { "91310" };
    let cand_id = |i: usize| format!("{prefix}{:08}", i.wrapping_mul(7919) % 100_000_000);
    let candidates: Vec<Value> = (0..p.candidates)
        .map(|i| {
            let stratum = &p.strata[i % p.strata.len().max(1)].0;
            json!({"id": cand_id(i), "stratum": stratum, "categories": categories(&mut rng, 2)})
        })
        .collect();
    let inspectors: Vec<Value> = (0..p.inspectors)
        .map(|i| {
            let dept = &p.departments[i % p.departments.len().max(1)];
            let id = if p.cjk { format!("{dept}-检查员{i:04}") } else { format!("{dept}-{i:05}") };
            let conflicts: Vec<String> = (0..p.conflicts_per_inspector)
                .filter(|_| p.candidates > 0)
                .map(|_| cand_id(below(&mut rng, p.candidates)))
                .collect();
            json!({"id": id, "department": dept, "specialties": categories(&mut rng, 3),
                   "max_tasks": p.max_tasks, "conflicts": conflicts})
        })
        .collect();
    let mut sources = Vec::new();
    let mut entropy = Vec::new();
    for (d, _) in &p.per_department {
        let secret = format!("{d}-secret-{}", rng.next_u64());
        sources.push(json!({"kind": "department-secret", "label": d, "commitment": commitment(&secret)}));
        entropy.push(secret);
    }
    sources.push(json!({"kind": "public", "label": "福彩3D 2025-03-05"}));
    entropy.push(format!("{} {} {}", below(&mut rng, 10), below(&mut rng, 10), below(&mut rng, 10)));
    let inputs = json!({
        "plan_id": format!("GEN-{}", p.seed),
        "strata": p.strata.iter().map(|(k, pm)| json!({"key": k, "permille": pm})).collect::<Vec<_>>(),
        "candidates": candidates,
        "inspectors": inspectors,
        "team": {"size": p.team_size, "per_department":
            p.per_department.iter().map(|(d, m)| json!({"department": d, "min": m})).collect::<Vec<_>>()},
        "entropy_sources": sources,
    });
    (inputs, entropy)
}
