//! Property tests over generated plans.

use std::collections::{HashMap, HashSet};

use lianjian_draw::gen::{generate, GenParams};
use lianjian_draw::{recuse, run, verify_record, DrawError, Inputs};
use proptest::prelude::*;
use serde_json::Value;

use crate::naive::naive_draw;

fn params() -> impl Strategy<Value = GenParams> {
    (
        any::<u64>(),
        0usize..40,
        proptest::collection::vec(prop_oneof![0u64..400, 900u64..1200], 1..4),
        1usize..24,
        1u64..4,
        0u64..3,
        0u64..2,
        1u64..9,
        0usize..4,
        any::<bool>(),
    )
        .prop_map(
            |(seed, candidates, permilles, inspectors, size, eeb, msa, max_tasks, conflicts, cjk)| {
                let keys = ["A", "重点", "B", "一般"];
                GenParams {
                    seed,
                    candidates,
                    strata: permilles.iter().enumerate().map(|(i, &p)| (keys[i].to_owned(), p)).collect(),
                    inspectors,
                    departments: vec!["EEB".into(), "MSA".into(), "WRB".into()],
                    team_size: size.max(eeb + msa),
                    per_department: vec![("MSA".into(), msa), ("EEB".into(), eeb)],
                    max_tasks,
                    conflicts_per_inspector: conflicts,
                    cjk,
                }
            },
        )
}

fn check_invariants(inputs: &Value, rec: &lianjian_draw::Record) {
    let inp = Inputs::from_value(inputs).unwrap();
    let cand: HashMap<&str, _> = inp.candidates.iter().map(|c| (c.id.as_str(), c)).collect();
    let insp: HashMap<&str, _> = inp.inspectors.iter().map(|i| (i.id.as_str(), i)).collect();
    // Targets: each at most once, exactly k per stratum.
    let ids: HashSet<&str> = rec.targets.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids.len(), rec.targets.len());
    for s in &inp.strata {
        let n = inp.candidates.iter().filter(|c| c.stratum == s.key).count() as u64;
        let mut k = (n * s.permille).div_ceil(1000);
        if n > 0 && s.permille > 0 {
            k = k.max(1);
        }
        let got = rec.targets.iter().filter(|t| t.stratum == s.key).count() as u64;
        assert_eq!(got, k.min(n), "stratum {}", s.key);
    }
    for (i, t) in rec.targets.iter().enumerate() {
        assert_eq!(t.order, i as u64);
        assert_eq!(cand[t.id.as_str()].stratum, t.stratum);
    }
    // Teams: size distinct members, no conflicts, department minimums, capacities.
    let mut load: HashMap<&str, u64> = HashMap::new();
    for (t, team) in rec.targets.iter().zip(&rec.teams) {
        assert_eq!(team.target, t.id);
        assert_eq!(team.members.len() as u64, inp.team.size);
        assert_eq!(team.members.iter().collect::<HashSet<_>>().len(), team.members.len());
        for m in &team.members {
            assert!(!insp[m.as_str()].conflicts.contains(&t.id), "{m} conflicts with {}", t.id);
            *load.entry(m).or_default() += 1;
        }
        for d in &inp.team.per_department {
            let have =
                team.members.iter().filter(|m| insp[m.as_str()].department == d.department).count() as u64;
            assert!(have >= d.min, "{} has {have} of {}", t.id, d.department);
        }
    }
    for (m, n) in load {
        assert!(n <= insp[m].max_tasks, "{m} has {n} tasks");
    }
    // Withdrawn inspectors never return to that target.
    for r in &rec.recusals {
        let team = rec.teams.iter().find(|t| t.target == r.target).unwrap();
        assert!(!team.members.contains(&r.withdrawn));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn draw_is_deterministic_valid_and_matches_the_naive_reading(p in params()) {
        let (inputs, entropy) = generate(&p);
        let a = run(&inputs, &entropy);
        let b = run(&inputs, &entropy);
        prop_assert_eq!(&a, &b);
        match (a, naive_draw(&inputs, &entropy)) {
            (Ok(rec), Ok((targets, teams))) => {
                let got: Vec<(String, String)> = rec.targets.iter().map(|t| (t.stratum.clone(), t.id.clone())).collect();
                prop_assert_eq!(got, targets);
                prop_assert_eq!(rec.teams.iter().map(|t| t.members.clone()).collect::<Vec<_>>(), teams);
                check_invariants(&inputs, &rec);
                prop_assert!(verify_record(&rec).is_ok());
            }
            (Err(DrawError::Unstaffable { target, slot, .. }), Err((t, s))) => {
                prop_assert_eq!((target, slot), (t, s));
            }
            (a, n) => prop_assert!(false, "engine {:?} vs naive {:?}", a.map(|_| ()), n.map(|_| ())),
        }
    }

    #[test]
    fn recusals_round_trip_through_verify(p in params(), picks in proptest::collection::vec((any::<usize>(), any::<usize>()), 1..4)) {
        let (inputs, entropy) = generate(&p);
        let Ok(mut rec) = run(&inputs, &entropy) else { return Ok(()) };
        if rec.teams.is_empty() {
            return Ok(());
        }
        for (t, m) in picks {
            let team = &rec.teams[t % rec.teams.len()];
            let (target, member) = (team.target.clone(), team.members[m % team.members.len()].clone());
            match recuse(&rec, &target, &member) {
                Ok(next) => {
                    prop_assert!(verify_record(&next).is_ok());
                    prop_assert_eq!(next.recusals.len(), rec.recusals.len() + 1);
                    check_invariants(&inputs, &next);
                    rec = next;
                }
                Err(DrawError::Unstaffable { target: t2, .. }) => prop_assert_eq!(t2, target),
                Err(e) => prop_assert!(false, "unexpected {}", e),
            }
        }
    }
}
