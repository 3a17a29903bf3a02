//! Known answers computed independently (OpenSSL's SM3 and Python's JSON with sorted keys, which
//! equals RFC 8785 for these ASCII-keyed, float-free objects).

use lianjian_audit::{canonical_json, entry_hash, sm3_hex, verify_jsonl, GENESIS_PREV};
use serde_json::json;

#[test]
fn sm3_of_abc_is_the_gb_t_32905_example() {
    assert_eq!(sm3_hex(b"abc"), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
}

#[test]
fn sm3_of_the_64_byte_example() {
    // GB/T 32905-2016 example 2: "abcd" repeated 16 times.
    assert_eq!(
        sm3_hex("abcd".repeat(16).as_bytes()),
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    );
}

#[test]
fn genesis_prev_is_64_zeros() {
    assert_eq!(GENESIS_PREV.len(), 64);
    assert!(GENESIS_PREV.bytes().all(|b| b == b'0'));
}

#[test]
fn canonical_json_sorts_members_and_drops_whitespace() {
    let v = json!({"b": 1, "a": {"d": "中文", "c": [true, null]}, "A": "x\"y"});
    assert_eq!(canonical_json(&v).unwrap(), r#"{"A":"x\"y","a":{"c":[true,null],"d":"中文"},"b":1}"#);
}

#[test]
fn golden_export_verifies_to_the_independently_computed_head() {
    let text = include_str!("golden.jsonl");
    let summary = verify_jsonl(text.as_bytes()).unwrap();
    assert_eq!(summary.count, 2);
    assert_eq!(summary.head, "8a7a5fa40193260bae26bfcd9d618ca5fe3f6d8a22431ede73d79000762616f1");
}

#[test]
fn entry_hash_of_the_first_golden_entry() {
    let first: serde_json::Value =
        serde_json::from_str(include_str!("golden.jsonl").lines().next().unwrap()).unwrap();
    // `hash` present in the input is ignored.
    assert_eq!(entry_hash(&first), "77ddc809a17df186dd607eb6b26e1a129e6f9e84078fd2fe8d95bcfc070a4df8");
}
