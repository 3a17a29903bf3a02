//! A 50-entry chain with Chinese text, and each kind of tampering named at the right seq.

use super::{chain, draft, jsonl, values};
use lianjian_audit::{
    entry_hash, seal, verify_entries, verify_jsonl, AuditError, BreakReason, BrokenAt, Verifier, GENESIS_PREV,
};
use serde_json::{json, Value};

fn verify(vs: &[Value]) -> Result<lianjian_audit::VerifySummary, BrokenAt> {
    verify_entries(vs.iter().cloned().map(Ok::<_, String>))
}

#[test]
fn fifty_entries_with_cjk_text_verify_and_return_the_head() {
    let entries = chain(50);
    let summary = verify(&values(&entries)).unwrap();
    assert_eq!(summary.count, 50);
    assert_eq!(summary.head, entries[49].hash);
    // The same as a JSON Lines file.
    assert_eq!(verify_jsonl(jsonl(&values(&entries)).as_bytes()), Ok(summary.clone()));
    // And as canonical export lines.
    let lines: String = entries.iter().map(|e| e.to_json_line().unwrap() + "\n").collect();
    assert_eq!(verify_jsonl(lines.as_bytes()), Ok(summary));
}

#[test]
fn empty_chain_verifies_with_genesis_head() {
    let summary = verify(&[]).unwrap();
    assert_eq!((summary.count, summary.head.as_str()), (0, GENESIS_PREV));
}

#[test]
fn editing_a_field_of_entry_17_is_a_hash_mismatch_at_seq_17() {
    let mut vs = values(&chain(50));
    vs[16]["actor"]["user"] = json!("eeb-李四");
    let err = verify(&vs).unwrap_err();
    assert_eq!((err.position, err.seq), (17, 17));
    assert!(matches!(err.reason, BreakReason::HashMismatch { .. }), "{err}");
    assert_eq!(err.zh(), "第 17 条(seq 17)哈希不符");
    assert_eq!(err.en(), "entry 17 (seq 17): hash mismatch");
    assert_eq!(err.to_string(), "第 17 条(seq 17)哈希不符 / entry 17 (seq 17): hash mismatch");
}

#[test]
fn editing_entry_17_and_resealing_it_breaks_prev_at_seq_18() {
    let entries = chain(50);
    let mut d = draft(17);
    d.note = Some("篡改".to_owned());
    let forged = seal(d, 17, &entries[15].hash).unwrap();
    let mut vs = values(&entries);
    vs[16] = serde_json::to_value(&forged).unwrap();
    let err = verify(&vs).unwrap_err();
    assert_eq!(err.seq, 18);
    assert!(matches!(&err.reason, BreakReason::WrongPrev { expected, found }
        if *expected == forged.hash && *found == entries[16].hash));
    assert_eq!(err.zh(), "第 18 条(seq 18)prev 与上一条的哈希不符");
}

#[test]
fn deleting_entry_17_is_a_gap_at_seq_17_where_18_was_found() {
    let mut vs = values(&chain(50));
    vs.remove(16);
    let err = verify(&vs).unwrap_err();
    assert_eq!(err, BrokenAt { position: 17, seq: 17, reason: BreakReason::Gap { expected: 17, found: 18 } });
    assert_eq!(err.zh(), "第 17 条(seq 17)缺少 seq 17(此处为 seq 18)");
    assert_eq!(err.en(), "entry 17 (seq 17): gap: seq 17 missing (found seq 18)");
}

#[test]
fn deleting_entries_17_to_19_names_the_range() {
    let mut vs = values(&chain(50));
    vs.drain(16..19);
    let err = verify(&vs).unwrap_err();
    assert_eq!(err.reason, BreakReason::Gap { expected: 17, found: 20 });
    assert_eq!(err.zh(), "第 17 条(seq 17)缺少 seq 17 至 19(此处为 seq 20)");
}

#[test]
fn deleting_entry_17_and_renumbering_breaks_prev_at_seq_17() {
    let mut vs = values(&chain(50));
    vs.remove(16);
    for (i, v) in vs.iter_mut().enumerate() {
        v["seq"] = json!(i + 1);
    }
    let err = verify(&vs).unwrap_err();
    assert_eq!(err.seq, 17);
    assert!(matches!(err.reason, BreakReason::WrongPrev { .. }));
}

#[test]
fn swapping_entries_17_and_18_is_reported_at_seq_17() {
    let mut vs = values(&chain(50));
    vs.swap(16, 17);
    let err = verify(&vs).unwrap_err();
    assert_eq!(err, BrokenAt { position: 17, seq: 17, reason: BreakReason::Gap { expected: 17, found: 18 } });
    // Swapping the seq numbers back does not help: the prev links are wrong.
    vs[16]["seq"] = json!(17);
    vs[17]["seq"] = json!(18);
    let err = verify(&vs).unwrap_err();
    assert_eq!(err.seq, 17);
    assert!(matches!(err.reason, BreakReason::WrongPrev { .. }));
}

#[test]
fn repeating_an_entry_is_a_gap_with_a_smaller_seq() {
    let mut vs = values(&chain(20));
    let dup = vs[9].clone();
    vs.insert(10, dup);
    let err = verify(&vs).unwrap_err();
    assert_eq!(err, BrokenAt { position: 11, seq: 11, reason: BreakReason::Gap { expected: 11, found: 10 } });
    assert_eq!(err.zh(), "第 11 条(seq 11)seq 10 重复或顺序错误,应为 seq 11");
}

#[test]
fn chain_not_starting_at_1_is_a_gap_at_seq_1() {
    let vs = values(&chain(5));
    let err = verify(&vs[1..]).unwrap_err();
    assert_eq!(err, BrokenAt { position: 1, seq: 1, reason: BreakReason::Gap { expected: 1, found: 2 } });
}

#[test]
fn first_entry_must_have_genesis_prev() {
    let e = seal(draft(1), 1, &"a".repeat(64)).unwrap();
    let err = verify(&[serde_json::to_value(e).unwrap()]).unwrap_err();
    assert!(matches!(&err.reason, BreakReason::WrongPrev { expected, .. } if expected == GENESIS_PREV));
}

#[test]
fn truncation_verifies_but_the_head_differs() {
    // Documented limitation: removing the newest entries leaves a valid, shorter chain. Only a
    // published head shows it.
    let entries = chain(50);
    let full = verify(&values(&entries)).unwrap();
    let cut = verify(&values(&entries[..45])).unwrap();
    assert_eq!(cut.count, 45);
    assert_ne!(cut.head, full.head);
    assert_eq!(cut.head, entries[44].hash);
}

#[test]
fn an_added_member_is_checked_as_given() {
    let mut vs = values(&chain(10));
    vs[4]["extra"] = json!("inserted by someone");
    let err = verify(&vs).unwrap_err();
    assert_eq!(err.seq, 5);
    assert!(matches!(err.reason, BreakReason::HashMismatch { .. }));
}

#[test]
fn an_entry_sealed_with_extra_members_verifies_as_given() {
    // A future writer (or another tool) adds a member; the verifier hashes what it reads.
    let mut v = serde_json::to_value(seal(draft(1), 1, GENESIS_PREV).unwrap()).unwrap();
    v["schema"] = json!("lianjian-audit-v1");
    v["hash"] = json!(entry_hash(&v));
    assert_eq!(verify(&[v]).unwrap().count, 1);
}

#[test]
fn member_order_and_whitespace_do_not_matter() {
    let vs = values(&chain(3));
    let pretty: String =
        vs.iter().map(|v| serde_json::to_string(v).unwrap().replace(",\"", " ,  \"") + "\n").collect();
    assert_eq!(verify_jsonl(pretty.as_bytes()).unwrap().count, 3);
}

#[test]
fn a_number_written_differently_but_equal_verifies() {
    // RFC 8785 normalises 21 and 2.1e1 alike; the hash is over the canonical form.
    let vs = values(&chain(2));
    let line = serde_json::to_string(&vs[0]).unwrap().replace("\"staff\":2,", "\"staff\":2.0e0,");
    assert!(line.contains("2.0e0"));
    let text = format!("{line}\n{}\n", vs[1]);
    assert_eq!(verify_jsonl(text.as_bytes()).unwrap().count, 2);
}

#[test]
fn malformed_lines_are_named_with_their_line_number() {
    let vs = values(&chain(5));
    let mut lines: Vec<String> = vs.iter().map(|v| v.to_string()).collect();
    lines[2] = "{not json".to_owned();
    let err = verify_jsonl(lines.join("\n").as_bytes()).unwrap_err();
    assert_eq!((err.position, err.seq), (3, 3));
    assert!(matches!(err.reason, BreakReason::Malformed { .. }));
    assert!(err.zh().starts_with("第 3 条(seq 3)格式错误"), "{}", err.zh());

    for (bad, what) in [
        (json!([1, 2]), "not a JSON object"),
        (json!({"seq": "3", "prev": "x", "hash": "y"}), "seq"),
        (json!({"seq": 3, "prev": "x"}), "hash"),
        (json!({"seq": 3, "hash": "y"}), "prev"),
    ] {
        let mut vs2 = vs.clone();
        vs2[2] = bad;
        let err = verify(&vs2).unwrap_err();
        assert_eq!((err.position, err.seq), (3, 3));
        assert!(matches!(&err.reason, BreakReason::Malformed { detail } if detail.contains(what)), "{err}");
    }
}

#[test]
fn blank_lines_are_skipped_and_positions_are_line_numbers() {
    let mut vs = values(&chain(5));
    vs[3]["note"] = json!("changed");
    let text = format!("{}\n\n{}\n{}\n{}\n   \n{}\n", vs[0], vs[1], vs[2], vs[3], vs[4]);
    let err = verify_jsonl(text.as_bytes()).unwrap_err();
    assert_eq!((err.position, err.seq), (5, 4));
}

#[test]
fn iterator_errors_are_malformed_entries() {
    let vs = values(&chain(3));
    let items = vec![Ok(vs[0].clone()), Err("disk on fire"), Ok(vs[2].clone())];
    let err = verify_entries(items.into_iter()).unwrap_err();
    assert_eq!(
        err,
        BrokenAt { position: 2, seq: 2, reason: BreakReason::Malformed { detail: "disk on fire".into() } }
    );
}

#[test]
fn verifier_resumes_from_a_published_head() {
    let entries = chain(30);
    let vs = values(&entries);
    let mut v = Verifier::resume(20, &entries[19].hash);
    for (i, e) in vs[20..].iter().enumerate() {
        v.push(e.clone(), i as u64 + 21).unwrap();
    }
    assert_eq!(v.summary().head, entries[29].hash);
    // Resuming from a head that is not in the chain fails at the first new entry.
    let mut v = Verifier::resume(20, &entries[18].hash);
    assert_eq!(v.push(vs[20].clone(), 21).unwrap_err().seq, 21);
}

#[test]
fn seal_refuses_floats_with_their_path() {
    let mut d = draft(1);
    d.after = Some(json!({"measurements": [{"value": 0.25}]}));
    match seal(d, 1, GENESIS_PREV) {
        Err(AuditError::Float(path)) => assert_eq!(path, "/after/measurements/0/value"),
        other => panic!("{other:?}"),
    }
    let mut d = draft(1);
    d.before = Some(json!(1.0));
    assert!(matches!(seal(d, 1, GENESIS_PREV), Err(AuditError::Float(p)) if p == "/before"));
}

#[test]
fn seal_refuses_integers_canonical_json_would_round() {
    let mut d = draft(1);
    d.after = Some(json!({"big": 9_007_199_254_740_993_u64}));
    assert!(matches!(seal(d, 1, GENESIS_PREV), Err(AuditError::IntegerOutOfRange(_))));
    let mut d = draft(1);
    d.after = Some(json!({"ok": 9_007_199_254_740_991_i64, "neg": -9_007_199_254_740_991_i64}));
    assert!(seal(d, 1, GENESIS_PREV).is_ok());
}

#[test]
fn seal_refuses_bad_time_prev_and_seq() {
    let mut d = draft(1);
    d.at = "2025-03-01T01:30:00Z".to_owned();
    assert!(matches!(seal(d, 1, GENESIS_PREV), Err(AuditError::BadTime(_))));
    assert!(matches!(seal(draft(1), 1, "ABC"), Err(AuditError::BadPrev(_))));
    assert!(matches!(seal(draft(1), 1, &"A".repeat(64)), Err(AuditError::BadPrev(_))));
    assert!(matches!(seal(draft(1), 0, GENESIS_PREV), Err(AuditError::BadSeq(0))));
}

#[test]
fn entry_serialises_with_spec_member_names() {
    let e = seal(draft(3), 1, GENESIS_PREV).unwrap();
    let v = serde_json::to_value(&e).unwrap();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["action", "actor", "after", "at", "before", "hash", "note", "object", "prev", "seq"]);
    assert_eq!(v["object"]["type"], "institution");
    assert_eq!(v["actor"]["ip"], Value::Null);
    assert_eq!(e.hash, entry_hash(&v));
    assert_eq!(e.compute_hash().unwrap(), e.hash);
    let back: lianjian_audit::Entry = serde_json::from_value(v).unwrap();
    assert_eq!(back, e);
}
