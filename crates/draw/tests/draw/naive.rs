//! A second Rust implementation of spec §§4–5, written as literally as the spec reads (build
//! `eligible` per slot by scanning every inspector). The engine's indexed version must agree
//! with it exactly.

use lianjian_draw::{inputs_digest, pick, seed, Inputs};
use serde_json::Value;

/// (targets as (stratum, id), teams) or the (target, slot) that could not be staffed.
pub type Naive = Result<(Vec<(String, String)>, Vec<Vec<String>>), (String, usize)>;

pub fn naive_draw(inputs: &Value, entropy: &[String]) -> Naive {
    let inp = Inputs::from_value(inputs).expect("valid inputs");
    let seed = seed(&inputs_digest(inputs).unwrap(), entropy);
    let mut strata = inp.strata.clone();
    strata.sort_by(|a, b| a.key.as_bytes().cmp(b.key.as_bytes()));
    let mut targets = Vec::new();
    for s in &strata {
        let mut pool: Vec<_> = inp.candidates.iter().filter(|c| c.stratum == s.key).collect();
        pool.sort_by(|a, b| a.id.as_bytes().cmp(b.id.as_bytes()));
        let n = pool.len() as u64;
        let mut k = (n * s.permille).div_ceil(1000);
        if n > 0 && s.permille > 0 {
            k = k.max(1);
        }
        k = k.min(n);
        for j in 0..k {
            let x = pick(&seed, &format!("target/{}", s.key), j, n - j) as usize;
            targets.push(pool.remove(x));
        }
    }
    let mut per = inp.team.per_department.clone();
    per.sort_by(|a, b| a.department.as_bytes().cmp(b.department.as_bytes()));
    let mut slots: Vec<Option<String>> = Vec::new();
    for d in &per {
        for _ in 0..d.min {
            slots.push(Some(d.department.clone()));
        }
    }
    while (slots.len() as u64) < inp.team.size {
        slots.push(None);
    }
    let mut tasks = std::collections::HashMap::<String, u64>::new();
    let mut teams = Vec::new();
    for t in &targets {
        let mut team: Vec<String> = Vec::new();
        for (s, dept) in slots.iter().enumerate() {
            let eligible: Vec<_> = inp
                .inspectors
                .iter()
                .filter(|i| {
                    !team.contains(&i.id)
                        && !i.conflicts.contains(&t.id)
                        && tasks.get(&i.id).copied().unwrap_or(0) < i.max_tasks
                        && dept.as_ref().is_none_or(|d| &i.department == d)
                })
                .collect();
            let preferred: Vec<_> = eligible
                .iter()
                .copied()
                .filter(|i| i.specialties.iter().any(|s| t.categories.contains(s)))
                .collect();
            let mut l = if preferred.is_empty() { eligible } else { preferred };
            l.sort_by(|a, b| a.id.as_bytes().cmp(b.id.as_bytes()));
            if l.is_empty() {
                return Err((t.id.clone(), s));
            }
            let chosen = &l[pick(&seed, &format!("team/{}", t.id), s as u64, l.len() as u64) as usize].id;
            *tasks.entry(chosen.clone()).or_default() += 1;
            team.push(chosen.clone());
        }
        teams.push(team);
    }
    Ok((targets.iter().map(|c| (c.stratum.clone(), c.id.clone())).collect(), teams))
}
