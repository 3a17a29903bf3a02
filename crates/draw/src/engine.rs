//! Targets (spec §4) and teams (spec §5), computed fast but with exactly the spec's result.
//!
//! The spec defines each slot's choice over a freshly filtered, sorted list `L`. Building `L`
//! per slot costs O(inspectors), which at 10⁴ targets × 5·10³ inspectors is far too slow. We keep
//! inspectors in id order (their *rank*) and, per (slot department, target category set), a
//! Fenwick tree of inspectors who are of that department, match those categories and still have
//! capacity. The few per-target exclusions (team so far, conflicts) are skipped during the
//! order-statistic lookup, so the pick lands on the same inspector the spec's `L` gives.

use std::collections::HashMap;

use crate::fenwick::Fenwick;
use crate::inputs::{Candidate, Inputs};
use crate::random::pick;
use crate::DrawError;

const NONE: u32 = u32::MAX;

/// Inputs indexed for the draw: inspectors by rank (ascending byte order of id), interned
/// departments and categories, conflicts by candidate id.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) inputs: Inputs,
    /// rank → index into `inputs.inspectors`.
    pub(crate) by_rank: Vec<usize>,
    /// inspector id → rank.
    pub(crate) rank_of: HashMap<String, u32>,
    /// candidate id → ranks of inspectors declaring a conflict with it (sorted, unique).
    pub(crate) conflicts: HashMap<String, Vec<u32>>,
    /// slot → department index (None for an open slot).
    pub(crate) slots: Vec<Option<u32>>,
    pub(crate) dept_names: Vec<String>,
    dept: Vec<u32>,
    spec: Vec<Vec<u32>>,
    max: Vec<u64>,
    cat_idx: HashMap<String, u32>,
}

impl Plan {
    pub(crate) fn new(inputs: Inputs) -> Plan {
        let mut by_rank: Vec<usize> = (0..inputs.inspectors.len()).collect();
        by_rank.sort_by(|&a, &b| inputs.inspectors[a].id.cmp(&inputs.inspectors[b].id));
        let mut dept_of: HashMap<String, u32> = HashMap::new();
        let mut dept_names = Vec::new();
        let mut intern_dept = |d: &str| -> u32 {
            *dept_of.entry(d.to_owned()).or_insert_with(|| {
                dept_names.push(d.to_owned());
                (dept_names.len() - 1) as u32
            })
        };
        let mut per_dept: Vec<_> = inputs.team.per_department.iter().collect();
        per_dept.sort_by(|a, b| a.department.cmp(&b.department));
        let mut slots = Vec::new();
        for d in &per_dept {
            let idx = intern_dept(&d.department);
            slots.extend(std::iter::repeat_n(Some(idx), d.min as usize));
        }
        let sum_min: u64 = per_dept.iter().map(|d| d.min).sum();
        slots.extend(std::iter::repeat_n(None, (inputs.team.size - sum_min) as usize));

        let mut cat_idx: HashMap<String, u32> = HashMap::new();
        let mut rank_of = HashMap::with_capacity(by_rank.len());
        let mut conflicts: HashMap<String, Vec<u32>> = HashMap::new();
        let (mut dept, mut spec, mut max) = (Vec::new(), Vec::new(), Vec::new());
        for (rank, &i) in by_rank.iter().enumerate() {
            let insp = &inputs.inspectors[i];
            rank_of.insert(insp.id.clone(), rank as u32);
            dept.push(intern_dept(&insp.department));
            let mut s: Vec<u32> = Vec::with_capacity(insp.specialties.len());
            for sp in &insp.specialties {
                let n = cat_idx.len() as u32;
                s.push(*cat_idx.entry(sp.clone()).or_insert(n));
            }
            s.sort_unstable();
            s.dedup();
            spec.push(s);
            max.push(insp.max_tasks);
            for c in &insp.conflicts {
                conflicts.entry(c.clone()).or_default().push(rank as u32);
            }
        }
        for v in conflicts.values_mut() {
            v.dedup(); // pushed in rank order, so already sorted
        }
        Plan { inputs, by_rank, rank_of, conflicts, slots, dept_names, dept, spec, max, cat_idx }
    }

    pub(crate) fn inspector_id(&self, rank: u32) -> &str {
        &self.inputs.inspectors[self.by_rank[rank as usize]].id
    }

    pub(crate) fn max_tasks(&self, rank: u32) -> u64 {
        self.max[rank as usize]
    }

    pub(crate) fn dept_of(&self, rank: u32) -> u32 {
        self.dept[rank as usize]
    }

    pub(crate) fn inspector_count(&self) -> usize {
        self.by_rank.len()
    }

    /// The target's categories as sorted interned ids (categories no inspector has are dropped:
    /// they can never make anyone preferred).
    pub(crate) fn category_set(&self, cand: &Candidate) -> Vec<u32> {
        let mut s: Vec<u32> = cand.categories.iter().filter_map(|c| self.cat_idx.get(c).copied()).collect();
        s.sort_unstable();
        s.dedup();
        s
    }

    /// Whether the inspector's specialties share a category with `set` (both sorted).
    pub(crate) fn prefers(&self, rank: u32, set: &[u32]) -> bool {
        let a = &self.spec[rank as usize];
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < set.len() {
            match a[i].cmp(&set[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }

    /// Spec §4: candidate indices in overall target order, with their stratum key.
    pub(crate) fn targets(&self, seed: &[u8; 32]) -> Vec<usize> {
        let inputs = &self.inputs;
        let mut strata: Vec<_> = inputs.strata.iter().collect();
        strata.sort_by(|a, b| a.key.cmp(&b.key));
        let mut by_stratum: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, c) in inputs.candidates.iter().enumerate() {
            by_stratum.entry(c.stratum.as_str()).or_default().push(i);
        }
        let mut out = Vec::new();
        for s in strata {
            let mut pool = by_stratum.remove(s.key.as_str()).unwrap_or_default();
            pool.sort_by(|&a, &b| inputs.candidates[a].id.cmp(&inputs.candidates[b].id));
            let n = pool.len() as u64;
            let k = stratum_k(n, s.permille);
            let label = format!("target/{}", s.key);
            for j in 0..k {
                let x = pick(seed, &label, j, n - j) as usize;
                out.push(pool.remove(x));
            }
        }
        out
    }

    /// Spec §5: inspector ranks per target, in slot order.
    pub(crate) fn teams(&self, seed: &[u8; 32], targets: &[usize]) -> Result<Vec<Vec<u32>>, DrawError> {
        let mut st = TeamState {
            plan: self,
            count: vec![0; self.inspector_count()],
            pools: Vec::new(),
            pool_key: HashMap::new(),
            set_ids: HashMap::new(),
            sets: Vec::new(),
        };
        let empty = Vec::new();
        let mut teams = Vec::with_capacity(targets.len());
        for &ci in targets {
            let cand = &self.inputs.candidates[ci];
            let set = self.category_set(cand);
            let set_id = if set.is_empty() { NONE } else { st.intern_set(set) };
            let conf = self.conflicts.get(&cand.id).unwrap_or(&empty);
            let label = format!("team/{}", cand.id);
            let mut team: Vec<u32> = Vec::with_capacity(self.slots.len());
            for (s, dept) in self.slots.iter().enumerate() {
                let d = dept.unwrap_or(NONE);
                let mut chosen = None;
                let keys = [(d, set_id), (d, NONE)];
                let keys = if set_id == NONE { &keys[1..] } else { &keys[..] };
                for &key in keys {
                    let p = st.pool(key);
                    let excl = st.excluded(p, &team, conf);
                    let len = st.pools[p].fen.total() - excl.len() as u32;
                    if len > 0 {
                        let x = pick(seed, &label, s as u64, u64::from(len)) as u32;
                        chosen = Some(st.pools[p].nth_skipping(x, &excl) as u32);
                        break;
                    }
                }
                let Some(r) = chosen else {
                    return Err(DrawError::Unstaffable {
                        target: cand.id.clone(),
                        slot: s,
                        department: dept.map(|d| self.dept_names[d as usize].clone()),
                    });
                };
                team.push(r);
                st.assign(r);
            }
            teams.push(team);
        }
        Ok(teams)
    }
}

/// k = ceil(n × permille / 1000), at least 1 when n > 0 and permille > 0, at most n.
pub(crate) fn stratum_k(n: u64, permille: u64) -> u64 {
    let k = (u128::from(n) * u128::from(permille)).div_ceil(1000);
    let k = if n > 0 && permille > 0 { k.max(1) } else { k };
    k.min(u128::from(n)) as u64
}

struct Pool {
    fen: Fenwick,
    member: Vec<bool>,
}

impl Pool {
    /// The `x`-th live member in rank order, skipping the sorted live ranks in `excl`.
    fn nth_skipping(&self, x: u32, excl: &[u32]) -> usize {
        let mut j = x;
        let mut c = self.fen.kth(j);
        for &e in excl {
            if e as usize <= c {
                j += 1;
                c = self.fen.kth(j);
            } else {
                break;
            }
        }
        c
    }
}

struct TeamState<'a> {
    plan: &'a Plan,
    count: Vec<u64>,
    pools: Vec<Pool>,
    pool_key: HashMap<(u32, u32), usize>,
    set_ids: HashMap<Vec<u32>, u32>,
    sets: Vec<Vec<u32>>,
}

impl TeamState<'_> {
    fn intern_set(&mut self, set: Vec<u32>) -> u32 {
        if let Some(&id) = self.set_ids.get(&set) {
            return id;
        }
        self.sets.push(set.clone());
        let id = (self.sets.len() - 1) as u32;
        self.set_ids.insert(set, id);
        id
    }

    fn live(&self, r: u32) -> bool {
        self.count[r as usize] < self.plan.max_tasks(r)
    }

    /// The pool for (department, category set), built on first use from current capacities.
    fn pool(&mut self, key: (u32, u32)) -> usize {
        if let Some(&p) = self.pool_key.get(&key) {
            return p;
        }
        let plan = self.plan;
        let set: &[u32] = if key.1 == NONE { &[] } else { &self.sets[key.1 as usize] };
        let member: Vec<bool> = (0..plan.inspector_count() as u32)
            .map(|r| (key.0 == NONE || plan.dept_of(r) == key.0) && (key.1 == NONE || plan.prefers(r, set)))
            .collect();
        let fen = Fenwick::from_flags(member.iter().enumerate().map(|(r, &m)| m && self.live(r as u32)));
        self.pools.push(Pool { fen, member });
        self.pool_key.insert(key, self.pools.len() - 1);
        self.pools.len() - 1
    }

    /// Live pool members among the team so far and the target's conflicts, sorted, unique.
    fn excluded(&self, p: usize, team: &[u32], conf: &[u32]) -> Vec<u32> {
        let pool = &self.pools[p];
        let mut v: Vec<u32> =
            team.iter().chain(conf).copied().filter(|&r| pool.member[r as usize] && self.live(r)).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    fn assign(&mut self, r: u32) {
        self.count[r as usize] += 1;
        if self.count[r as usize] == self.plan.max_tasks(r) {
            for pool in &mut self.pools {
                if pool.member[r as usize] {
                    pool.fen.remove(r as usize);
                }
            }
        }
    }
}
