//! Recusal 回避 after the draw: an inspector declares a conflict with a target they were drawn
//! for, and is replaced in the same slot by a deterministic draw. The rules are written out in
//! `docs/draw-recusal.md`; verification re-applies every recusal in order.

use std::collections::HashMap;

use crate::engine::Plan;
use crate::random::pick;
use crate::record::{Drawn, Record, Recusal};
use crate::verify::{verify, VerifyError};
use crate::DrawError;

/// Recusal state over a drawn record: current teams and who has withdrawn from which target.
pub(crate) struct Recusals<'a> {
    drawn: &'a Drawn,
    /// target id → team index.
    team_of: HashMap<&'a str, usize>,
    /// Current teams (ranks), starting from the draw.
    pub(crate) teams: Vec<Vec<u32>>,
    /// team index → ranks withdrawn so far.
    withdrawn: HashMap<usize, Vec<u32>>,
}

impl<'a> Recusals<'a> {
    pub(crate) fn new(drawn: &'a Drawn) -> Self {
        let cands = &drawn.plan.inputs.candidates;
        let team_of = drawn.targets.iter().enumerate().map(|(i, &c)| (cands[c].id.as_str(), i)).collect();
        Recusals { drawn, team_of, teams: drawn.teams.clone(), withdrawn: HashMap::new() }
    }

    /// Withdraws `inspector` from `target`'s team and draws the replacement for that slot.
    pub(crate) fn apply(&mut self, target: &str, inspector: &str) -> Result<Recusal, DrawError> {
        let plan: &Plan = &self.drawn.plan;
        let &t = self.team_of.get(target).ok_or_else(|| DrawError::Recusal {
            field: "target".into(),
            reason: format!("{target:?} is not a target of this draw"),
        })?;
        let not_member = || DrawError::Recusal {
            field: "inspector".into(),
            reason: format!("{inspector:?} is not on the team for {target:?}"),
        };
        let &rank = plan.rank_of.get(inspector).ok_or_else(not_member)?;
        let slot = self.teams[t].iter().position(|&r| r == rank).ok_or_else(not_member)?;

        let gone = self.withdrawn.entry(t).or_default();
        gone.push(rank);
        let n = gone.len();
        let gone = gone.clone();

        // Capacity over the record's current assignment, the withdrawn member no longer counted.
        let mut count = vec![0u64; plan.inspector_count()];
        for (i, team) in self.teams.iter().enumerate() {
            for (s, &r) in team.iter().enumerate() {
                if !(i == t && s == slot) {
                    count[r as usize] += 1;
                }
            }
        }
        let cand = &plan.inputs.candidates[self.drawn.targets[t]];
        let conflicts = plan.conflicts.get(&cand.id).map(Vec::as_slice).unwrap_or(&[]);
        let dept = plan.slots[slot];
        let team = &self.teams[t];
        let eligible: Vec<u32> = (0..plan.inspector_count() as u32)
            .filter(|&r| {
                !team.contains(&r)
                    && !conflicts.contains(&r)
                    && !gone.contains(&r)
                    && count[r as usize] < plan.max_tasks(r)
                    && dept.is_none_or(|d| plan.dept_of(r) == d)
            })
            .collect();
        let set = plan.category_set(cand);
        let preferred: Vec<u32> = eligible.iter().copied().filter(|&r| plan.prefers(r, &set)).collect();
        // Ranks are id order, so both lists are already sorted by id.
        let list = if preferred.is_empty() { eligible } else { preferred };
        if list.is_empty() {
            // Undo the bookkeeping: a failed recusal changes nothing.
            if let Some(g) = self.withdrawn.get_mut(&t) {
                g.pop();
            }
            return Err(DrawError::Unstaffable {
                target: target.to_owned(),
                slot,
                department: dept.map(|d| plan.dept_names[d as usize].clone()),
            });
        }
        let label = format!("recusal/{target}/{n}");
        let x = pick(&self.drawn.seed, &label, 0, list.len() as u64) as usize;
        let replacement = list[x];
        self.teams[t][slot] = replacement;
        Ok(Recusal {
            target: target.to_owned(),
            withdrawn: inspector.to_owned(),
            replacement: plan.inspector_id(replacement).to_owned(),
            slot: slot as u64,
            label,
        })
    }
}

/// Records that `inspector` withdraws (回避) from `target`'s team after the draw, and draws a
/// replacement for the same slot. The record must verify first: we never extend a record that
/// is not the one the rules give. Returns the new record; the input is left unchanged.
pub fn recuse(record: &Record, target: &str, inspector: &str) -> Result<Record, DrawError> {
    let value = serde_json::to_value(record).map_err(|e| {
        DrawError::NotVerified(Box::new(VerifyError::Malformed { field: "".into(), reason: e.to_string() }))
    })?;
    verify(&value).map_err(|e| DrawError::NotVerified(Box::new(e)))?;
    let drawn = crate::record::draw(&record.inputs, &record.entropy)?;
    let mut state = Recusals::new(&drawn);
    for r in &record.recusals {
        state.apply(&r.target, &r.withdrawn)?;
    }
    let entry = state.apply(target, inspector)?;
    let mut out = record.clone();
    out.teams = drawn.team_entries(&state.teams);
    out.recusals.push(entry);
    Ok(out)
}
