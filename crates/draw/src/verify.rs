//! Verification of a published record (spec §6): re-run the draw from the record's own inputs
//! and entropy, re-apply its recusals, and name the first published value that differs.

use serde::Serialize;
use serde_json::Value;

use crate::inputs::{canonical, inputs_digest};
use crate::record::{draw, Record, PROTOCOL};
use crate::recusal::Recusals;
pub use crate::VerifyError;

fn mismatch(field: impl Into<String>, expected: &Value, found: Option<&Value>) -> VerifyError {
    VerifyError::Mismatch {
        field: field.into(),
        expected: canonical(expected),
        found: found.map_or_else(|| "(missing)".to_owned(), canonical),
    }
}

fn malformed(field: impl Into<String>, reason: impl Into<String>) -> VerifyError {
    VerifyError::Malformed { field: field.into(), reason: reason.into() }
}

fn to_value(x: &impl Serialize) -> Value {
    serde_json::to_value(x).unwrap_or(Value::Null)
}

/// Verifies a record given as JSON. Checks, in this order, and reports the first difference:
/// `protocol`, `inputs` (valid), `inputs_digest`, `entropy` (count and commitments), `seed`,
/// `targets[i]`, `recusals[i]` (re-applied in order), `teams[i].target` / `teams[i].members[s]`.
/// Values are compared as canonical JSON. Unknown top-level members are ignored.
pub fn verify(record: &Value) -> Result<(), VerifyError> {
    let rec = record.as_object().ok_or_else(|| malformed("", "record must be a JSON object"))?;
    let expected_protocol = Value::String(PROTOCOL.to_owned());
    if rec.get("protocol") != Some(&expected_protocol) {
        return Err(mismatch("protocol", &expected_protocol, rec.get("protocol")));
    }
    let inputs = rec.get("inputs").ok_or_else(|| malformed("inputs", "missing"))?;
    let digest = Value::String(inputs_digest(inputs).map_err(VerifyError::Draw)?);
    if rec.get("inputs_digest") != Some(&digest) {
        return Err(mismatch("inputs_digest", &digest, rec.get("inputs_digest")));
    }
    let entropy: Vec<String> = match rec.get("entropy") {
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| malformed(format!("entropy[{i}]"), "must be a string"))
            })
            .collect::<Result<_, _>>()?,
        _ => return Err(malformed("entropy", "must be an array of strings")),
    };
    let drawn = draw(inputs, &entropy).map_err(VerifyError::Draw)?;

    let seed = Value::String(hex::encode(drawn.seed));
    if rec.get("seed") != Some(&seed) {
        return Err(mismatch("seed", &seed, rec.get("seed")));
    }

    let targets = array(rec, "targets")?;
    for (i, t) in drawn.target_entries().iter().enumerate() {
        let want = to_value(t);
        if targets.get(i) != Some(&want) {
            return Err(mismatch(format!("targets[{i}]"), &want, targets.get(i)));
        }
    }
    if let Some(extra) = targets.get(drawn.targets.len()) {
        return Err(
            mismatch(format!("targets[{}]", drawn.targets.len()), &Value::Null, Some(extra)).unexpected()
        );
    }

    let mut state = Recusals::new(&drawn);
    let recusals = match rec.get("recusals") {
        None => &[][..],
        Some(Value::Array(a)) => a.as_slice(),
        Some(_) => return Err(malformed("recusals", "must be an array")),
    };
    for (i, r) in recusals.iter().enumerate() {
        let field = format!("recusals[{i}]");
        let (Some(target), Some(withdrawn)) =
            (r.get("target").and_then(Value::as_str), r.get("withdrawn").and_then(Value::as_str))
        else {
            return Err(malformed(field, "needs string members \"target\" and \"withdrawn\""));
        };
        let entry = state.apply(target, withdrawn).map_err(|e| malformed(field.clone(), e.to_string()))?;
        let want = to_value(&entry);
        if r != &want {
            return Err(mismatch(field, &want, Some(r)));
        }
    }

    let teams = array(rec, "teams")?;
    for (i, t) in drawn.team_entries(&state.teams).iter().enumerate() {
        let want = to_value(t);
        let found = teams.get(i);
        if found == Some(&want) {
            continue;
        }
        let Some(found) = found else { return Err(mismatch(format!("teams[{i}]"), &want, None)) };
        if found.get("target") != want.get("target") {
            return Err(mismatch(format!("teams[{i}].target"), &want["target"], found.get("target")));
        }
        let members = found.get("members").and_then(Value::as_array);
        let Some(members) = members else {
            return Err(mismatch(format!("teams[{i}].members"), &want["members"], found.get("members")));
        };
        for (s, m) in t.members.iter().enumerate() {
            let w = Value::String(m.clone());
            if members.get(s) != Some(&w) {
                return Err(mismatch(format!("teams[{i}].members[{s}]"), &w, members.get(s)));
            }
        }
        if members.len() > t.members.len() {
            let s = t.members.len();
            return Err(
                mismatch(format!("teams[{i}].members[{s}]"), &Value::Null, members.get(s)).unexpected()
            );
        }
        return Err(mismatch(format!("teams[{i}]"), &want, Some(found)));
    }
    if let Some(extra) = teams.get(drawn.targets.len()) {
        return Err(
            mismatch(format!("teams[{}]", drawn.targets.len()), &Value::Null, Some(extra)).unexpected()
        );
    }
    Ok(())
}

/// [`verify`] for a typed record.
pub fn verify_record(record: &Record) -> Result<(), VerifyError> {
    verify(&to_value(record))
}

fn array<'a>(rec: &'a serde_json::Map<String, Value>, name: &str) -> Result<&'a Vec<Value>, VerifyError> {
    rec.get(name).and_then(Value::as_array).ok_or_else(|| malformed(name, "must be an array"))
}

impl VerifyError {
    /// Marks a mismatch where the record has an entry the re-run does not.
    fn unexpected(self) -> Self {
        match self {
            VerifyError::Mismatch { field, found, .. } => {
                VerifyError::Mismatch { field, expected: "(no entry)".to_owned(), found }
            }
            other => other,
        }
    }
}
