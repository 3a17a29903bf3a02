//! The published record (spec §6) and the draw that produces it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::engine::Plan;
use crate::inputs::{inputs_digest, Inputs};
use crate::random::{check_reveal, seed};
use crate::DrawError;

/// Protocol name written into every record.
pub const PROTOCOL: &str = "lianjian-draw-v1";

/// A published draw record 抽查结果记录: everything a third party needs to re-run the draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Always [`PROTOCOL`].
    pub protocol: String,
    /// The inputs exactly as frozen (kept raw so unknown members survive and still hash).
    pub inputs: Value,
    /// Lowercase hex SHA-256 of the canonical inputs.
    pub inputs_digest: String,
    /// Revealed entropy values, in the order of `inputs.entropy_sources`.
    pub entropy: Vec<String>,
    /// Lowercase hex of the 32-byte seed.
    pub seed: String,
    /// Selected targets in overall order.
    pub targets: Vec<TargetEntry>,
    /// Teams, same order as `targets`; after any recusals, the teams as they now stand.
    pub teams: Vec<TeamAssignment>,
    /// Recusals 回避 applied after the draw, in order (see docs/draw-recusal.md). Omitted when
    /// empty, so a record without recusals is exactly spec §6.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recusals: Vec<Recusal>,
}

/// One selected target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetEntry {
    /// Stratum key.
    pub stratum: String,
    /// Candidate id.
    pub id: String,
    /// 0-based overall order.
    pub order: u64,
}

/// The inspection team for one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamAssignment {
    /// Candidate id of the target.
    pub target: String,
    /// Inspector ids in slot order.
    pub members: Vec<String>,
}

/// A recusal 回避: an inspector withdrawn from a team after the draw, and who replaced them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recusal {
    /// Candidate id of the target.
    pub target: String,
    /// Inspector who declared the conflict.
    pub withdrawn: String,
    /// Inspector drawn into the same slot.
    pub replacement: String,
    /// 0-based slot index within the team.
    pub slot: u64,
    /// `recusal/<target>/<n>`, n = 1-based count of recusals for that target.
    pub label: String,
}

/// The draw's result in index form, before it is written out as a [`Record`].
pub(crate) struct Drawn {
    pub(crate) plan: Plan,
    pub(crate) digest: String,
    pub(crate) seed: [u8; 32],
    pub(crate) targets: Vec<usize>,
    pub(crate) teams: Vec<Vec<u32>>,
}

impl Drawn {
    pub(crate) fn target_entries(&self) -> Vec<TargetEntry> {
        let cands = &self.plan.inputs.candidates;
        self.targets
            .iter()
            .enumerate()
            .map(|(order, &c)| TargetEntry {
                stratum: cands[c].stratum.clone(),
                id: cands[c].id.clone(),
                order: order as u64,
            })
            .collect()
    }

    pub(crate) fn team_entries(&self, teams: &[Vec<u32>]) -> Vec<TeamAssignment> {
        let cands = &self.plan.inputs.candidates;
        self.targets
            .iter()
            .zip(teams)
            .map(|(&c, t)| TeamAssignment {
                target: cands[c].id.clone(),
                members: t.iter().map(|&r| self.plan.inspector_id(r).to_owned()).collect(),
            })
            .collect()
    }
}

/// Validates, checks entropy, and runs spec §§3–5.
pub(crate) fn draw(inputs: &Value, entropy: &[String]) -> Result<Drawn, DrawError> {
    let typed = Inputs::from_value(inputs)?;
    let digest = inputs_digest(inputs)?;
    let sources = &typed.entropy_sources;
    if entropy.len() != sources.len() {
        return Err(DrawError::entropy(
            "entropy",
            format!("{} values given for {} declared entropy_sources", entropy.len(), sources.len()),
        ));
    }
    for (i, (value, src)) in entropy.iter().zip(sources).enumerate() {
        if value.is_empty() {
            return Err(DrawError::entropy(format!("entropy[{i}]"), "must not be empty"));
        }
        if let Some(c) = &src.commitment {
            if !check_reveal(c, value) {
                return Err(DrawError::entropy(
                    format!("entropy[{i}]"),
                    format!("does not match the commitment of entropy_sources[{i}] ({:?})", src.label),
                ));
            }
        }
    }
    let seed = seed(&digest, entropy);
    let plan = Plan::new(typed);
    let targets = plan.targets(&seed);
    let teams = plan.teams(&seed, &targets)?;
    Ok(Drawn { plan, digest, seed, targets, teams })
}

/// Runs a 双随机 draw: validates `inputs` (naming the first offending field), checks the entropy
/// against the declared sources and commitments, then computes seed, targets and teams.
/// Never returns a partial result.
pub fn run(inputs: &Value, entropy: &[String]) -> Result<Record, DrawError> {
    let d = draw(inputs, entropy)?;
    Ok(Record {
        protocol: PROTOCOL.to_owned(),
        inputs: inputs.clone(),
        inputs_digest: d.digest.clone(),
        entropy: entropy.to_vec(),
        seed: hex::encode(d.seed),
        targets: d.target_entries(),
        teams: d.team_entries(&d.teams),
        recusals: Vec::new(),
    })
}

/// [`run`] for callers holding typed [`Inputs`].
pub fn run_inputs(inputs: &Inputs, entropy: &[String]) -> Result<Record, DrawError> {
    let v = serde_json::to_value(inputs).map_err(|e| DrawError::invalid("inputs", e.to_string()))?;
    run(&v, entropy)
}
