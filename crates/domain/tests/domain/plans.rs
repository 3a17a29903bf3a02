//! The freeze as a pure function (`plans::pool`): the pool takes certified and partner-listed
//! institutions, graded; the last team rotates away and the yearly cap excludes; nothing to draw is
//! refused. Whatever order the store read the registry, the partner lists, the inspectors and the
//! earlier tasks in, the same data give the same pool, conflicts, inputs and digest; the inputs always
//! pass the engine's validation; conflicts name candidates only, and nothing at the cap is one.

use std::collections::HashMap;

use lianjian_domain::org::{Category, Department};
use lianjian_domain::plans::pool::{
    self, DeclaredConflict, FreezeData, Listed, OnDuty, PriorTask, Registered,
};
use lianjian_domain::plans::{
    engine, ConflictKind, EntropyDecl, EntropyKind, Grade, Plan, PlanStatus, PoolSource, StratumRatio,
};
use proptest::prelude::*;
use time::macros::date;

fn uscc(n: u8) -> String {
    format!("U{n:02}")
}

fn plan(year_cap: i64) -> Plan {
    Plan {
        id: 1,
        code: "2026-H2-JOINT-01".into(),
        version: 1,
        draw_id: "2026-H2-JOINT-01-v1".into(),
        period: "2026-H2".into(),
        title: String::new(),
        departments: vec![Department::Eeb, Department::Msa],
        items: vec![],
        team_size: 2,
        year_cap,
        due_working_days: 20,
        public_label: None,
        status: PlanStatus::Draft,
        strata: Grade::ALL.iter().map(|&grade| StratumRatio { grade, permille: 500 }).collect(),
        freeze_on: None,
        inputs_digest: None,
        draw_error: None,
        drawn_on: None,
        created_at: 0,
        created_by: "t".into(),
        frozen_at: None,
        frozen_by: None,
        drawn_at: None,
        superseded_by: None,
        entropy: ["EEB", "MSA"]
            .iter()
            .enumerate()
            .map(|(k, d)| EntropyDecl {
                pos: k as i64,
                kind: EntropyKind::DepartmentSecret,
                label: (*d).into(),
                commitment: Some(engine::commitment(d)),
                committed_by: None,
                value: None,
                revealed_by: None,
            })
            .collect(),
    }
}

/// A district: certified or not institutions, a few partner-listed ones, grades, inspectors of
/// EEB and MSA (at least one each) with declared conflicts, and earlier tasks in 2025 and 2026.
fn data() -> impl Strategy<Value = FreezeData> {
    let registry = prop::collection::vec(
        (any::<bool>(), prop::sample::subsequence(vec!["air", "water", "noise"], 0..3)),
        1..12,
    );
    let listed = prop::collection::vec((0u8..20, any::<bool>()), 0..4);
    let grades = prop::collection::vec((0u8..20, 0usize..5), 0..8);
    let inspectors =
        prop::collection::vec((any::<bool>(), 1i64..4, prop::collection::vec(0u8..20, 0..3)), 0..6);
    let prior = prop::collection::vec(
        (0u8..20, any::<bool>(), 0i64..5, prop::collection::vec(0usize..8, 1..3)),
        0..10,
    );
    (registry, listed, grades, inspectors, prior).prop_map(|(registry, listed, grades, inspectors, prior)| {
        let mut on_duty: Vec<OnDuty> = vec![
            OnDuty {
                code: "EEB-00".into(),
                department: Department::Eeb,
                specialties: vec![],
                max_tasks: 3,
                conflicts: vec![],
            },
            OnDuty {
                code: "MSA-00".into(),
                department: Department::Msa,
                specialties: vec![Category::Water],
                max_tasks: 3,
                conflicts: vec![],
            },
        ];
        for (k, (eeb, max_tasks, conflicts)) in inspectors.into_iter().enumerate() {
            let department = if eeb { Department::Eeb } else { Department::Msa };
            on_duty.push(OnDuty {
                code: format!("{}-{:02}", department.code(), k + 1),
                department,
                specialties: vec![Category::Air],
                max_tasks,
                conflicts: conflicts
                    .into_iter()
                    .map(|n| DeclaredConflict {
                        institution_uscc: uscc(n),
                        reason: "近亲属在该机构任职".into(),
                    })
                    .collect(),
            });
        }
        let codes: Vec<String> = on_duty.iter().map(|i| i.code.clone()).collect();
        FreezeData {
            registry: registry
                .into_iter()
                .enumerate()
                .map(|(k, (certified, cats))| Registered {
                    uscc: uscc(k as u8),
                    name: format!("机构{k}"),
                    certified,
                    categories: cats.into_iter().map(str::to_owned).collect(),
                })
                .collect(),
            listed: listed
                .into_iter()
                .map(|(n, water)| Listed {
                    uscc: uscc(n),
                    name: format!("名单机构{n}"),
                    categories: vec![if water { Category::Water } else { Category::Noise }],
                    departments: vec![Department::Water],
                })
                .collect(),
            grades: grades.into_iter().map(|(n, g)| (uscc(n), Grade::ALL[g])).collect::<HashMap<_, _>>(),
            inspectors: on_duty,
            prior_tasks: prior
                .into_iter()
                .enumerate()
                .map(|(k, (n, this_year, at, members))| PriorTask {
                    task_id: k as i64 + 1,
                    plan_code: "P".into(),
                    plan_version: 1,
                    plan_period: if this_year { "2026-H1".into() } else { "2025-H2".into() },
                    drawn_on: Some(date!(2026 - 03 - 02)),
                    drawn_at: Some(at),
                    institution_uscc: uscc(n),
                    members: members.into_iter().map(|m| codes[m % codes.len()].clone()).collect(),
                })
                .collect(),
        }
    })
}

fn inspector(code: &str, department: Department) -> OnDuty {
    OnDuty { code: code.into(), department, specialties: vec![], max_tasks: 5, conflicts: vec![] }
}

fn district() -> FreezeData {
    let registered = |u: &str, certified| Registered {
        uscc: u.into(),
        name: format!("机构{u}"),
        certified,
        categories: vec!["water".into(), "air".into(), "water".into()],
    };
    FreezeData {
        registry: vec![registered("U1", true), registered("U2", true), registered("U3", false)],
        listed: vec![Listed {
            uscc: "U4".into(),
            name: "名单机构".into(),
            categories: vec![Category::Noise],
            departments: vec![Department::Water],
        }],
        grades: HashMap::from([("U2".to_owned(), Grade::E)]),
        inspectors: vec![
            inspector("EEB-2", Department::Eeb),
            inspector("EEB-1", Department::Eeb),
            inspector("MSA-1", Department::Msa),
            inspector("AGRI-1", Department::Agri),
        ],
        prior_tasks: vec![],
    }
}

#[test]
fn the_pool_takes_certified_and_listed_institutions_graded() {
    let f = pool::build(&plan(1), date!(2026 - 07 - 01), &district()).unwrap();
    let ids: Vec<&str> = f.pool.iter().map(|p| p.uscc.as_str()).collect();
    assert_eq!(ids, ["U1", "U2", "U4"]);
    assert_eq!(f.pool[0].categories, ["air", "water"]);
    assert_eq!(f.pool[1].stratum, Grade::E);
    assert_eq!(f.pool[2].sources, [PoolSource::Partner(Department::Water)]);
    let ids: Vec<&str> =
        f.inputs["inspectors"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["EEB-1", "EEB-2", "MSA-1"], "sorted; other departments are not drawn");
    assert_eq!(f.digest, engine::inputs_digest(&f.inputs).unwrap());
}

#[test]
fn the_last_team_rotates_and_the_yearly_cap_excludes() {
    let mut d = district();
    let prior = |id, uscc: &str, period: &str, at, members: &[&str]| PriorTask {
        task_id: id,
        plan_code: "P".into(),
        plan_version: 1,
        plan_period: period.into(),
        drawn_on: Some(date!(2026 - 03 - 02)),
        drawn_at: Some(at),
        institution_uscc: uscc.into(),
        members: members.iter().map(|m| (*m).to_owned()).collect(),
    };
    d.prior_tasks = vec![
        prior(1, "U1", "2025-H2", 10, &["EEB-1", "MSA-1"]),
        prior(2, "U1", "2025-H2", 20, &["EEB-2", "MSA-1"]),
        prior(3, "U2", "2026-H1", 30, &["EEB-1"]),
    ];
    d.inspectors[1].conflicts = vec![DeclaredConflict {
        institution_uscc: "U1".into(),
        reason: "近亲属在该机构任职".into(),
    }];
    let f = pool::build(&plan(1), date!(2026 - 07 - 01), &d).unwrap();
    assert!(f
        .pool
        .iter()
        .find(|p| p.uscc == "U2")
        .unwrap()
        .excluded_reason
        .as_deref()
        .unwrap()
        .contains("2026 年已被抽查 1 次"));
    let kinds: Vec<(&str, &str, ConflictKind)> = f
        .conflicts
        .iter()
        .map(|c| (c.inspector_code.as_str(), c.institution_uscc.as_str(), c.kind))
        .collect();
    // EEB-1's declared conflict wins over nothing; the newest team of U1 (EEB-2, MSA-1) rotates.
    assert_eq!(
        kinds,
        [
            ("EEB-2", "U1", ConflictKind::Rotation),
            ("EEB-1", "U1", ConflictKind::Declared),
            ("MSA-1", "U1", ConflictKind::Rotation)
        ]
    );
    assert!(f.conflicts[0].reason.contains("P 第 1 版,2026-03-02 抽取"));
}

#[test]
fn nothing_to_draw_or_nobody_to_draw_is_refused() {
    let mut d = district();
    d.registry.clear();
    d.listed.clear();
    assert_eq!(pool::build(&plan(1), date!(2026 - 07 - 01), &d).unwrap_err().code(), "empty_pool");
    let mut d = district();
    d.inspectors.retain(|i| i.department != Department::Msa);
    let e = pool::build(&plan(1), date!(2026 - 07 - 01), &d).unwrap_err();
    assert!(e.to_string().contains("区市场监管局没有在岗的检查人员"), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn the_inputs_do_not_depend_on_the_order_the_data_were_read_in(d in data(), cap in 1i64..3, seed in any::<u64>()) {
        let day = date!(2026 - 07 - 01);
        let first = pool::build(&plan(cap), day, &d);
        let mut shuffled = d.clone();
        let rot = |n: usize| if n == 0 { 0 } else { (seed as usize) % n };
        let k = rot(shuffled.registry.len());
        shuffled.registry.rotate_left(k);
        shuffled.inspectors.reverse();
        shuffled.prior_tasks.reverse();
        let k = rot(shuffled.listed.len());
        shuffled.listed.rotate_left(k);
        let second = pool::build(&plan(cap), day, &shuffled);
        match (first, second) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(&a.digest, &b.digest);
                prop_assert_eq!(&a.pool, &b.pool);
                let sorted = |mut v: Vec<lianjian_domain::plans::PlanConflict>| {
                    v.sort_by(|x, y| (&x.inspector_code, &x.institution_uscc).cmp(&(&y.inspector_code, &y.institution_uscc)));
                    v
                };
                prop_assert_eq!(sorted(a.conflicts.clone()), sorted(b.conflicts.clone()));
                engine::Inputs::from_value(&a.inputs).unwrap();
                prop_assert_eq!(a.digest.clone(), engine::inputs_digest(&a.inputs).unwrap());
                let candidates: Vec<&str> =
                    a.inputs["candidates"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
                for p in &a.pool {
                    prop_assert_eq!(p.excluded_reason.is_none(), candidates.contains(&p.uscc.as_str()));
                }
                for c in &a.conflicts {
                    prop_assert!(candidates.contains(&c.institution_uscc.as_str()));
                    let i = a.inputs["inspectors"].as_array().unwrap().iter().find(|i| i["id"] == c.inspector_code.as_str()).unwrap();
                    prop_assert!(i["conflicts"].as_array().unwrap().iter().any(|u| u == c.institution_uscc.as_str()));
                }
            }
            (Err(a), Err(b)) => prop_assert_eq!(a.code(), b.code()),
            (a, b) => prop_assert!(false, "{a:?} vs {b:?}"),
        }
    }
}
