//! RFC 3797 golden vectors from shared/data/rfc3797-example.json, read at test time.

use lianjian_draw::rfc3797::{digest, key_string, key_string_from_values, select, select_with_key};
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/rfc3797-example.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn nums(v: &Value) -> Vec<u64> {
    v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap()).collect()
}

/// Source texts as they would be typed on the command line: values separated by spaces.
fn texts(sources: &[Vec<u64>]) -> Vec<String> {
    sources.iter().map(|s| s.iter().map(u64::to_string).collect::<Vec<_>>().join(" ")).collect()
}

fn check(ex: &Value, sources: Vec<Vec<u64>>) {
    let key = ex["key_string"].as_str().unwrap();
    assert_eq!(key_string_from_values(&sources), key);
    let texts = texts(&sources);
    assert_eq!(key_string(&texts).unwrap(), key);
    for it in ex["iterations"].as_array().unwrap() {
        let i = it["iteration"].as_u64().unwrap() as u16 - 1;
        assert_eq!(hex::encode_upper(digest(key, i)), it["md5_hex"].as_str().unwrap(), "iteration {}", i + 1);
    }
    let pool = ex["pool_size"].as_u64().unwrap();
    let k = ex["select"].as_u64().unwrap() as usize;
    assert_eq!(select(pool, k, &texts).unwrap(), nums(&ex["selected_in_order"]));
    let iterations = ex["iterations"].as_array().unwrap();
    let all: Vec<u64> = iterations.iter().map(|it| it["selected"].as_u64().unwrap()).collect();
    assert_eq!(select_with_key(pool, iterations.len(), key).unwrap(), all);
}

#[test]
fn rfc3797_worked_example_is_reproduced_with_alternates() {
    let v = vectors();
    let ex = &v["example"];
    let sources: Vec<Vec<u64>> =
        ex["sources"].as_array().unwrap().iter().map(|s| nums(&s["values"])).collect();
    let first = hex::encode([&[0u8, 0][..], ex["key_string"].as_str().unwrap().as_bytes(), &[0, 0]].concat());
    assert_eq!(first, ex["first_md5_input_hex"].as_str().unwrap());
    check(ex, sources.clone());
    let names: Vec<&str> = ex["pool"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
    let picked: Vec<&str> =
        select(25, 10, &texts(&sources)).unwrap().iter().map(|&i| names[i as usize - 1]).collect();
    let expected: Vec<&str> =
        ex["selected_names_in_order"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
    assert_eq!(picked, expected);
    let with_alternates = select(25, 16, &texts(&sources)).unwrap();
    assert_eq!(with_alternates[10..], nums(&ex["alternates_in_order"])[..]);
}

#[test]
fn rfc3797_nomcom_2022_vector_is_reproduced() {
    let v = vectors();
    let ex = &v["example_ietf_nomcom_2022"];
    let sources: Vec<Vec<u64>> = ex["sources"].as_array().unwrap().iter().map(nums).collect();
    check(ex, sources);
}

#[test]
fn rfc3797_sources_may_be_written_with_other_separators() {
    let a = select(267, 10, &["7, 18, 28, 40, 48 + 8, 11".to_owned()]).unwrap();
    let b = select(267, 10, &["7 8 11 18 28 40 48".to_owned()]).unwrap();
    assert_eq!(a, b);
}
