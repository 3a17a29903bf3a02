//! The frozen plan inputs of spec §2, their validation and their digest.
//!
//! Validation works on the raw JSON value rather than through serde derive so that the error
//! names the first offending field by path, and so that the digest covers the inputs exactly as
//! published, unknown extra members included.

use std::collections::HashSet;
use std::fmt::Display;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::DrawError;

/// Largest integer accepted anywhere in the inputs: 2^53 − 1. RFC 8785 writes numbers as IEEE
/// doubles, so larger integers would canonicalise differently across implementations.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The plan inputs 抽查计划输入 frozen before any entropy is known (spec §2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inputs {
    /// Plan identifier, e.g. `2025-H1-JOINT-01`.
    pub plan_id: String,
    /// Strata 分层 with their sampling rate in permille.
    pub strata: Vec<Stratum>,
    /// Candidates 检查对象库: the institutions that may be drawn.
    pub candidates: Vec<Candidate>,
    /// Inspectors 执法检查人员库.
    pub inspectors: Vec<Inspector>,
    /// Team composition rule.
    pub team: Team,
    /// Entropy declarations, in the order their revealed values are given.
    pub entropy_sources: Vec<EntropySource>,
}

/// One stratum: its key and how many per thousand of its candidates are drawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stratum {
    /// Unique key; strata are processed in ascending byte order of it.
    pub key: String,
    /// Sampling rate in permille (‰). Values above 1000 are accepted and capped at n.
    pub permille: u64,
}

/// A candidate institution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// Unique id, e.g. a unified social credit code.
    pub id: String,
    /// Key of its stratum.
    pub stratum: String,
    /// Monitoring categories, matched against inspectors' specialties.
    pub categories: Vec<String>,
}

/// An inspector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspector {
    /// Unique id.
    pub id: String,
    /// Department, e.g. `EEB` (生态环境局) or `MSA` (市场监管局).
    pub department: String,
    /// Specialties; an inspector sharing one with a target's categories is preferred.
    pub specialties: Vec<String>,
    /// Most teams this inspector may join in one draw.
    pub max_tasks: u64,
    /// Candidate ids this inspector must not inspect (回避 relations, rotation).
    pub conflicts: Vec<String>,
}

/// Team composition: size and per-department minimums.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    /// Number of distinct inspectors per team (≥ 1).
    pub size: u64,
    /// Minimum number of members from a department; departments are unique.
    pub per_department: Vec<DepartmentMin>,
}

/// A department minimum inside [`Team`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentMin {
    /// Department name, matched exactly against [`Inspector::department`].
    pub department: String,
    /// Minimum number of its inspectors on each team.
    pub min: u64,
}

/// Kind of an entropy source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntropyKind {
    /// A department's secret, committed at freeze and revealed at the draw meeting.
    DepartmentSecret,
    /// A public value known only after the freeze (lottery result, beacon round).
    Public,
}

/// One declared entropy source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntropySource {
    /// Department secret or public value.
    pub kind: EntropyKind,
    /// Human label, e.g. `EEB` or `福彩3D 2025-03-05`.
    pub label: String,
    /// Lowercase hex SHA-256 of the secret; required for department secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commitment: Option<String>,
}

impl Inputs {
    /// Validates a raw inputs value and returns the typed view.
    ///
    /// Rules (beyond JSON shape): no floats and no integer above 2^53 − 1 anywhere; ids, keys,
    /// departments and labels non-empty; strata keys, candidate ids, inspector ids and
    /// `per_department` departments unique; each candidate's stratum a stratum key;
    /// `team.size` ≥ 1 and ≥ Σmin; at least one entropy source; a department secret has a
    /// 64-digit lowercase hex commitment. Unknown extra members are allowed (the digest covers
    /// them).
    pub fn from_value(v: &Value) -> Result<Inputs, DrawError> {
        check_numbers(v, "inputs")?;
        let root = obj(v, &"inputs")?;
        let plan_id = nonempty_str(field(root, &"inputs", "plan_id")?, &"inputs.plan_id")?;

        let mut strata = Vec::new();
        let mut keys: HashSet<&str> = HashSet::new();
        for (i, s) in arr(field(root, &"inputs", "strata")?, &"inputs.strata")?.iter().enumerate() {
            let p = Item("inputs.strata", i);
            let o = obj(s, &p)?;
            let key = nonempty_str(field(o, &p, "key")?, &format_args!("{p}.key"))?;
            let permille = uint(field(o, &p, "permille")?, &format_args!("{p}.permille"))?;
            if !keys.insert(key) {
                return Err(DrawError::invalid(format!("{p}.key"), format!("{key:?} 重复 duplicate")));
            }
            strata.push(Stratum { key: key.to_owned(), permille });
        }

        let mut candidates = Vec::new();
        let mut ids: HashSet<&str> = HashSet::new();
        for (i, c) in arr(field(root, &"inputs", "candidates")?, &"inputs.candidates")?.iter().enumerate() {
            let p = Item("inputs.candidates", i);
            let o = obj(c, &p)?;
            let id = nonempty_str(field(o, &p, "id")?, &format_args!("{p}.id"))?;
            if !ids.insert(id) {
                return Err(DrawError::invalid(format!("{p}.id"), format!("{id:?} 重复 duplicate")));
            }
            let stratum = string(field(o, &p, "stratum")?, &format_args!("{p}.stratum"))?;
            if !keys.contains(stratum) {
                return Err(DrawError::invalid(
                    format!("{p}.stratum"),
                    format!("{stratum:?} is not a stratum key"),
                ));
            }
            let categories = str_list(field(o, &p, "categories")?, &format_args!("{p}.categories"))?;
            candidates.push(Candidate { id: id.to_owned(), stratum: stratum.to_owned(), categories });
        }

        let mut inspectors = Vec::new();
        let mut iids: HashSet<&str> = HashSet::new();
        for (i, c) in arr(field(root, &"inputs", "inspectors")?, &"inputs.inspectors")?.iter().enumerate() {
            let p = Item("inputs.inspectors", i);
            let o = obj(c, &p)?;
            let id = nonempty_str(field(o, &p, "id")?, &format_args!("{p}.id"))?;
            if !iids.insert(id) {
                return Err(DrawError::invalid(format!("{p}.id"), format!("{id:?} 重复 duplicate")));
            }
            let department = nonempty_str(field(o, &p, "department")?, &format_args!("{p}.department"))?;
            let specialties = str_list(field(o, &p, "specialties")?, &format_args!("{p}.specialties"))?;
            let max_tasks = uint(field(o, &p, "max_tasks")?, &format_args!("{p}.max_tasks"))?;
            let conflicts = str_list(field(o, &p, "conflicts")?, &format_args!("{p}.conflicts"))?;
            inspectors.push(Inspector {
                id: id.to_owned(),
                department: department.to_owned(),
                specialties,
                max_tasks,
                conflicts,
            });
        }

        let t = obj(field(root, &"inputs", "team")?, &"inputs.team")?;
        let size = uint(field(t, &"inputs.team", "size")?, &"inputs.team.size")?;
        if size == 0 {
            return Err(DrawError::invalid("inputs.team.size", "must be at least 1"));
        }
        let mut per_department = Vec::new();
        let mut depts: HashSet<&str> = HashSet::new();
        let mut sum_min: u64 = 0;
        let pd = arr(field(t, &"inputs.team", "per_department")?, &"inputs.team.per_department")?;
        for (i, d) in pd.iter().enumerate() {
            let p = Item("inputs.team.per_department", i);
            let o = obj(d, &p)?;
            let department = nonempty_str(field(o, &p, "department")?, &format_args!("{p}.department"))?;
            if !depts.insert(department) {
                return Err(DrawError::invalid(
                    format!("{p}.department"),
                    format!("{department:?} 重复 duplicate"),
                ));
            }
            let min = uint(field(o, &p, "min")?, &format_args!("{p}.min"))?;
            sum_min += min;
            per_department.push(DepartmentMin { department: department.to_owned(), min });
        }
        if sum_min > size {
            return Err(DrawError::invalid(
                "inputs.team.per_department",
                format!("sum of min ({sum_min}) exceeds team.size ({size})"),
            ));
        }

        let mut entropy_sources = Vec::new();
        let es = arr(field(root, &"inputs", "entropy_sources")?, &"inputs.entropy_sources")?;
        if es.is_empty() {
            return Err(DrawError::invalid("inputs.entropy_sources", "at least one source is required"));
        }
        for (i, e) in es.iter().enumerate() {
            let p = Item("inputs.entropy_sources", i);
            let o = obj(e, &p)?;
            let kind = match string(field(o, &p, "kind")?, &format_args!("{p}.kind"))? {
                "department-secret" => EntropyKind::DepartmentSecret,
                "public" => EntropyKind::Public,
                other => {
                    return Err(DrawError::invalid(
                        format!("{p}.kind"),
                        format!("{other:?} is not \"department-secret\" or \"public\""),
                    ))
                }
            };
            let label = nonempty_str(field(o, &p, "label")?, &format_args!("{p}.label"))?;
            let commitment = match o.get("commitment") {
                None => None,
                Some(c) => {
                    let c = string(c, &format_args!("{p}.commitment"))?;
                    if c.len() != 64 || !c.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
                        return Err(DrawError::invalid(
                            format!("{p}.commitment"),
                            "must be 64 lowercase hex digits (SHA-256)",
                        ));
                    }
                    Some(c.to_owned())
                }
            };
            if kind == EntropyKind::DepartmentSecret && commitment.is_none() {
                return Err(DrawError::invalid(
                    format!("{p}.commitment"),
                    "missing: a department secret must be committed",
                ));
            }
            entropy_sources.push(EntropySource { kind, label: label.to_owned(), commitment });
        }

        Ok(Inputs {
            plan_id: plan_id.to_owned(),
            strata,
            candidates,
            inspectors,
            team: Team { size, per_department },
            entropy_sources,
        })
    }
}

/// Lowercase hex SHA-256 over the RFC 8785 canonical JSON of `inputs` as given (spec §1).
///
/// Works on the raw value so that members this crate does not know still count. Refuses floats
/// and integers beyond 2^53 − 1, whose canonical form is not portable.
pub fn inputs_digest(inputs: &Value) -> Result<String, DrawError> {
    check_numbers(inputs, "inputs")?;
    Ok(hex::encode(Sha256::digest(canonical(inputs).as_bytes())))
}

/// RFC 8785 canonical JSON of a value already checked by [`check_numbers`].
pub(crate) fn canonical(v: &Value) -> String {
    // Only integers within 2^53, strings, bools, null, arrays and objects reach here, all of
    // which the canonicaliser serialises infallibly.
    serde_json_canonicalizer::to_string(v).unwrap_or_default()
}

/// Refuses floats and unsafe integers anywhere below `v`, naming the first by path. The path is
/// only built on failure: this walks every value of a 50,000-candidate plan.
fn check_numbers(v: &Value, root: &str) -> Result<(), DrawError> {
    let Some((mut rev_path, n)) = first_bad_number(v) else { return Ok(()) };
    rev_path.reverse();
    let path = root.to_owned() + &rev_path.concat();
    let reason = if n.is_f64() {
        format!("{n} is not an integer (no floats in inputs)")
    } else {
        format!("{n} is outside ±(2^53−1)")
    };
    Err(DrawError::invalid(path, reason))
}

/// The first offending number below `v` and its path segments, innermost first.
fn first_bad_number(v: &Value) -> Option<(Vec<String>, &serde_json::Number)> {
    match v {
        Value::Number(n) => {
            let ok = n.as_i64().is_some_and(|i| i.unsigned_abs() <= MAX_SAFE_INTEGER);
            (!ok).then(|| (Vec::new(), n))
        }
        Value::Array(a) => a.iter().enumerate().find_map(|(i, x)| {
            first_bad_number(x).map(|(mut p, n)| {
                p.push(format!("[{i}]"));
                (p, n)
            })
        }),
        Value::Object(o) => o.iter().find_map(|(k, x)| {
            first_bad_number(x).map(|(mut p, n)| {
                p.push(format!(".{k}"));
                (p, n)
            })
        }),
        _ => None,
    }
}

type Obj = serde_json::Map<String, Value>;

/// A JSON path, formatted only when an error needs it (validation visits every member of
/// large plans, and eager `format!` per member dominated the run time).
type Path<'a> = &'a dyn Display;

/// `<list>[<i>]`, e.g. `inputs.candidates[3]`.
#[derive(Clone, Copy)]
struct Item(&'static str, usize);

impl Display for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}[{}]", self.0, self.1)
    }
}

fn obj<'a>(v: &'a Value, path: Path) -> Result<&'a Obj, DrawError> {
    v.as_object().ok_or_else(|| DrawError::invalid(path.to_string(), "must be an object"))
}

fn arr<'a>(v: &'a Value, path: Path) -> Result<&'a Vec<Value>, DrawError> {
    v.as_array().ok_or_else(|| DrawError::invalid(path.to_string(), "must be an array"))
}

fn field<'a>(o: &'a Obj, path: Path, name: &str) -> Result<&'a Value, DrawError> {
    o.get(name).ok_or_else(|| DrawError::invalid(format!("{path}.{name}"), "missing"))
}

fn string<'a>(v: &'a Value, path: Path) -> Result<&'a str, DrawError> {
    v.as_str().ok_or_else(|| DrawError::invalid(path.to_string(), "must be a string"))
}

fn nonempty_str<'a>(v: &'a Value, path: Path) -> Result<&'a str, DrawError> {
    let s = string(v, path)?;
    if s.is_empty() {
        return Err(DrawError::invalid(path.to_string(), "must not be empty"));
    }
    Ok(s)
}

fn uint(v: &Value, path: Path) -> Result<u64, DrawError> {
    v.as_u64().ok_or_else(|| DrawError::invalid(path.to_string(), "must be a non-negative integer"))
}

fn str_list(v: &Value, path: Path) -> Result<Vec<String>, DrawError> {
    arr(v, path)?
        .iter()
        .enumerate()
        .map(|(i, x)| string(x, &format_args!("{path}[{i}]")).map(str::to_owned))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Value {
        json!({
            "plan_id": "P", "strata": [{"key": "A", "permille": 500}],
            "candidates": [{"id": "c1", "stratum": "A", "categories": ["water"]}],
            "inspectors": [{"id": "i1", "department": "EEB", "specialties": [], "max_tasks": 1, "conflicts": []}],
            "team": {"size": 1, "per_department": []},
            "entropy_sources": [{"kind": "public", "label": "x"}]
        })
    }

    #[test]
    fn unknown_stratum_is_named_by_path() {
        let mut v = sample();
        v["candidates"][0]["stratum"] = json!("X");
        let e = Inputs::from_value(&v).unwrap_err();
        assert_eq!(e.to_string(), "输入无效: inputs.candidates[0].stratum: \"X\" is not a stratum key");
    }

    #[test]
    fn float_anywhere_is_refused_even_in_unknown_members() {
        let mut v = sample();
        v["note"] = json!({"weight": 1.5});
        assert!(
            matches!(inputs_digest(&v), Err(DrawError::Invalid { field, .. }) if field == "inputs.note.weight")
        );
        assert!(Inputs::from_value(&v).is_err());
    }

    #[test]
    fn unknown_members_change_the_digest() {
        let a = inputs_digest(&sample()).unwrap();
        let mut v = sample();
        v["note"] = json!("x");
        assert_ne!(a, inputs_digest(&v).unwrap());
        assert!(Inputs::from_value(&v).is_ok());
    }

    #[test]
    fn digest_ignores_member_order_and_whitespace() {
        let a: Value = serde_json::from_str(r#"{"b":1,"a":[true,null,"é"]}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{ "a" : [ true , null , "é" ] , "b" : 1 }"#).unwrap();
        assert_eq!(inputs_digest(&a).unwrap(), inputs_digest(&b).unwrap());
        // Known value: sha256 of {"a":[true,null,"é"],"b":1}
        assert_eq!(
            inputs_digest(&a).unwrap(),
            hex::encode(Sha256::digest("{\"a\":[true,null,\"é\"],\"b\":1}".as_bytes()))
        );
    }

    #[test]
    fn duplicate_stratum_key_is_refused() {
        let mut v = sample();
        v["strata"] = json!([{"key": "A", "permille": 1}, {"key": "A", "permille": 2}]);
        assert_eq!(
            Inputs::from_value(&v).unwrap_err().to_string(),
            "输入无效: inputs.strata[1].key: \"A\" 重复 duplicate"
        );
    }

    #[test]
    fn sum_of_minimums_above_size_is_refused() {
        let mut v = sample();
        v["team"] = json!({"size": 1, "per_department": [{"department": "EEB", "min": 1}, {"department": "MSA", "min": 1}]});
        assert!(
            matches!(Inputs::from_value(&v), Err(DrawError::Invalid { field, .. }) if field == "inputs.team.per_department")
        );
    }

    #[test]
    fn department_secret_needs_commitment() {
        let mut v = sample();
        v["entropy_sources"] = json!([{"kind": "department-secret", "label": "EEB"}]);
        assert!(
            matches!(Inputs::from_value(&v), Err(DrawError::Invalid { field, .. }) if field == "inputs.entropy_sources[0].commitment")
        );
    }

    #[test]
    fn huge_integer_is_refused() {
        let mut v = sample();
        v["inspectors"][0]["max_tasks"] = json!(1u64 << 60);
        assert!(inputs_digest(&v).is_err());
    }
}
