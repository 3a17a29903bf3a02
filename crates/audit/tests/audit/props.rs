//! Properties: random chains verify; any single-character or single-number change is found at the
//! seq of the changed entry.

use lianjian_audit::{seal, verify_entries, Actor, BreakReason, Draft, Entry, Object, GENESIS_PREV};
use proptest::prelude::*;
use serde_json::{json, Value};

fn text() -> impl Strategy<Value = String> {
    // ASCII, CJK (BMP and beyond), quotes, backslashes, controls.
    proptest::string::string_regex("[a-z0-9 \"\\\\\n\u{4e00}-\u{4e2f}\u{20000}-\u{20003}]{0,12}").unwrap()
}

prop_compose! {
    fn arb_draft()(
        user in text(), action in text(), id in text(), note in proptest::option::of(text()),
        ip in proptest::option::of("[0-9.]{7,15}"),
        n in -1_000_000i64..1_000_000, s in text(), has_before in any::<bool>(),
        ms in 0i64..10_000_000_000,
    ) -> Draft {
        Draft {
            at: lianjian_audit::format_at(time::OffsetDateTime::UNIX_EPOCH + time::Duration::milliseconds(ms)),
            actor: Actor { user, department: "EEB".into(), role: "officer".into(), ip },
            action,
            object: Object { kind: "institution".into(), id },
            before: has_before.then(|| json!({"n": n - 1, "s": s.clone()})),
            after: Some(json!({"n": n, "s": s, "list": [n, true, null]})),
            note,
        }
    }
}

fn build(drafts: Vec<Draft>) -> Vec<Entry> {
    let mut prev = GENESIS_PREV.to_owned();
    let mut out = Vec::new();
    for (i, d) in drafts.into_iter().enumerate() {
        let e = seal(d, i as u64 + 1, &prev).unwrap();
        prev = e.hash.clone();
        out.push(e);
    }
    out
}

fn verify(vs: &[Value]) -> Result<lianjian_audit::VerifySummary, lianjian_audit::BrokenAt> {
    verify_entries(vs.iter().cloned().map(Ok::<_, String>))
}

/// Replace the character at `at` (mod length) of `s` with a different one; an empty string gets one.
fn mutate_string(s: &str, at: usize, with: char) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    if chars.is_empty() {
        return with.to_string();
    }
    let i = at % chars.len();
    chars[i] = if chars[i] == with {
        if with == 'x' {
            'y'
        } else {
            'x'
        }
    } else {
        with
    };
    chars.into_iter().collect()
}

/// JSON Pointers of every string and number leaf of an entry.
fn leaves(v: &Value, path: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, v)| leaves(v, format!("{path}/{k}"), out)),
        Value::Array(a) => a.iter().enumerate().for_each(|(i, v)| leaves(v, format!("{path}/{i}"), out)),
        Value::String(_) | Value::Number(_) => out.push(path),
        Value::Null | Value::Bool(_) => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_chains_verify(drafts in proptest::collection::vec(arb_draft(), 0..12)) {
        let entries = build(drafts);
        let vs: Vec<Value> = entries.iter().map(|e| serde_json::to_value(e).unwrap()).collect();
        let summary = verify(&vs).unwrap();
        prop_assert_eq!(summary.count, entries.len() as u64);
        prop_assert_eq!(summary.head, entries.last().map_or(GENESIS_PREV.to_owned(), |e| e.hash.clone()));
    }

    #[test]
    fn any_single_field_change_is_found_at_its_seq(
        drafts in proptest::collection::vec(arb_draft(), 1..10),
        which in any::<prop::sample::Index>(),
        leaf in any::<prop::sample::Index>(),
        at in any::<usize>(),
        with in prop::sample::select(vec!['0', 'a', 'Z', '中', '"', '\\', '\n']),
    ) {
        let entries = build(drafts);
        let mut vs: Vec<Value> = entries.iter().map(|e| serde_json::to_value(e).unwrap()).collect();
        let k = which.index(vs.len());
        let mut paths = Vec::new();
        leaves(&vs[k], String::new(), &mut paths);
        let path = leaf.get(&paths).clone();
        let target = vs[k].pointer_mut(&path).unwrap();
        *target = match &*target {
            Value::String(s) => Value::String(mutate_string(s, at, with)),
            Value::Number(n) => json!(n.as_i64().unwrap() + 1),
            _ => unreachable!(),
        };
        let err = verify(&vs).unwrap_err();
        prop_assert_eq!(err.seq, k as u64 + 1, "{} changed: {}", path, err);
        let expected_kind = match path.as_str() {
            "/seq" => matches!(err.reason, BreakReason::Gap { .. }),
            "/prev" => matches!(err.reason, BreakReason::WrongPrev { .. }),
            _ => matches!(err.reason, BreakReason::HashMismatch { .. }),
        };
        prop_assert!(expected_kind, "{} changed: {}", path, err);
    }
}
