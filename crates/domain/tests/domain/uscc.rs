//! Every vector in `shared/data/uscc-vectors.json`, plus properties of the checksum.

use lianjian_domain::uscc::{check_char, Uscc, UsccError, CHARSET};
use proptest::prelude::*;
use serde_json::Value;

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/uscc-vectors.json");

fn vectors() -> Value {
    let text = std::fs::read_to_string(VECTORS).expect("read shared uscc-vectors.json");
    serde_json::from_str(&text).expect("uscc-vectors.json is JSON")
}

fn list<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    v[key].as_array().unwrap_or_else(|| panic!("{key} is an array"))
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("{key} is a string in {v}"))
}

#[test]
fn every_valid_vector_parses_and_round_trips() {
    let v = vectors();
    let valid = list(&v, "valid");
    assert_eq!(valid.len(), 203);
    for item in valid {
        let code = s(item, "code");
        let u = Uscc::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"));
        assert_eq!(u.as_str(), code);
        assert_eq!(u.to_string(), code);
        assert_eq!(check_char(&code[..17]).unwrap(), code.chars().last().unwrap());
    }
}

#[test]
fn every_real_valid_vector_passes_the_organisation_code_check() {
    let v = vectors();
    for item in list(&v, "valid") {
        let u = Uscc::parse(s(item, "code")).unwrap();
        assert!(u.organisation_code_consistent(), "{u}");
    }
}

#[test]
fn every_invalid_vector_is_rejected_for_its_stated_reason() {
    let v = vectors();
    let invalid = list(&v, "invalid");
    assert_eq!(invalid.len(), 36);
    for item in invalid {
        let code = s(item, "code");
        let reason = s(item, "reason");
        assert_eq!(s(item, "expect"), "invalid");
        let err = Uscc::parse(code).expect_err(code);
        match err {
            UsccError::WrongCheck { expected, found } => {
                assert!(reason.starts_with("checksum"), "{code}: {reason} but got {err}");
                assert_eq!(found, code.chars().last().unwrap());
                if let Some(rest) =
                    reason.split("correct is ").nth(1).or(reason.split("correct check char is ").nth(1))
                {
                    let want = rest.chars().next().unwrap();
                    assert_eq!(expected, want, "{code}: {reason}");
                }
            }
            UsccError::WrongLength { expected: 18, found } => {
                assert!(reason.starts_with("length"), "{code}: {reason}");
                assert_eq!(found, code.len());
            }
            UsccError::BadChar { position, found } => {
                assert!(reason.starts_with("format"), "{code}: {reason}");
                assert_eq!(code.chars().nth(position - 1), Some(found));
                assert!(!CHARSET.contains(found));
            }
            other => panic!("{code}: unexpected {other:?}"),
        }
    }
}

#[test]
fn every_normalisation_vector_normalises() {
    let v = vectors();
    let norm = list(&v, "normalisation");
    assert!(!norm.is_empty());
    for item in norm {
        let u = Uscc::parse(s(item, "input")).unwrap();
        assert_eq!(u.as_str(), s(item, "normalised"));
    }
}

#[test]
fn synthetic_vectors_pass_the_checksum_and_flag_the_organisation_code_warning() {
    let v = vectors();
    let synthetic = list(&v, "synthetic");
    assert_eq!(synthetic.len(), 4);
    for item in synthetic {
        let code = s(item, "code");
        let u = Uscc::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"));
        let expect = s(item, "expect");
        if expect.contains("GB 11714 check char at position 17 is wrong") {
            assert!(!u.organisation_code_consistent(), "{code}");
        } else {
            assert_eq!(expect, "valid-checksum");
        }
    }
}

#[test]
fn full_width_space_and_tabs_are_removed_too() {
    let u = Uscc::parse("\t91110000\u{3000}600037341l ").unwrap();
    assert_eq!(u.as_str(), "91110000600037341L");
}

#[test]
fn hyphen_is_not_silently_removed() {
    assert_eq!(Uscc::parse("91110000-600037341L"), Err(UsccError::WrongLength { expected: 18, found: 19 }));
    assert!(matches!(Uscc::parse("9111000-600037341L"), Err(UsccError::BadChar { position: 8, found: '-' })));
}

#[test]
fn full_width_digit_is_a_bad_char_not_a_panic() {
    assert!(matches!(
        Uscc::parse("９1110000600037341L"),
        Err(UsccError::BadChar { position: 1, found: '９' })
    ));
}

#[test]
fn length_message_is_chinese() {
    assert_eq!(Uscc::parse("12345").unwrap_err().to_string(), "统一社会信用代码应为 18 位,实为 5 位");
}

#[test]
fn serde_is_a_string_and_deserialize_validates_and_normalises() {
    let u = Uscc::parse("91110000600037341L").unwrap();
    assert_eq!(serde_json::to_string(&u).unwrap(), "\"91110000600037341L\"");
    let back: Uscc = serde_json::from_str("\"91 110000 600037341l\"").unwrap();
    assert_eq!(back, u);
    let err = serde_json::from_str::<Uscc>("\"91110000600037341N\"").unwrap_err();
    assert!(err.to_string().contains("校验位错误"), "{err}");
}

fn seventeen() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(CHARSET.chars().collect::<Vec<_>>()), 17)
        .prop_map(|v| v.into_iter().collect())
}

proptest! {
    #[test]
    fn appending_check_char_gives_a_valid_code(first in seventeen()) {
        let code = format!("{first}{}", check_char(&first).unwrap());
        let parsed = Uscc::parse(&code).unwrap();
        prop_assert_eq!(parsed.as_str(), code.as_str());
    }

    #[test]
    fn changing_any_one_char_breaks_the_code(
        first in seventeen(),
        pos in 0usize..18,
        delta in 1usize..31,
    ) {
        let code: Vec<char> = format!("{first}{}", check_char(&first).unwrap()).chars().collect();
        let charset: Vec<char> = CHARSET.chars().collect();
        let old = charset.iter().position(|&c| c == code[pos]).unwrap();
        let mut changed = code.clone();
        changed[pos] = charset[(old + delta) % 31];
        let changed: String = changed.into_iter().collect();
        prop_assert!(matches!(Uscc::parse(&changed), Err(UsccError::WrongCheck { .. })), "{}", changed);
    }
}
