//! The fast path against the reference parser: every line it takes, it reads as the reference
//! does (generated corpora, hand-made edge cases, and mutated lines under proptest).

use bumpalo::Bump;
use proptest::prelude::*;

use super::*;
use crate::parse::parse_line;
use lianjian_corpus::{generate, CorpusSpec};

/// The fast path answers only when the reference parser reads the same report.
fn agrees(line: &[u8]) -> bool {
    let arena = Bump::new();
    let Some(fast) = parse_report(line, &mut FastState::default(), &mut BatchMemo::new(&arena)) else {
        return false;
    };
    let reference = parse_line(line).expect("fast path took a line the reference refuses");
    let reference = reference.outcome.expect("fast path took a line with shape problems");
    assert_eq!(format!("{fast:?}"), format!("{reference:?}"), "{}", String::from_utf8_lossy(line));
    true
}

fn corpus_lines(seed: u64, plant: bool) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let spec = CorpusSpec { seed, reports: 300, plant, plant_every: 5, ..CorpusSpec::default() };
    generate(&spec, &mut out).unwrap();
    out.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect()
}

#[test]
fn corpus_lines_take_the_fast_path_when_well_formed() {
    let lines = corpus_lines(5, true);
    let fast = lines.iter().filter(|l| agrees(l)).count();
    // Planted shape problems (5 of 24 kinds, every 5th report) fall back; the rest is fast.
    assert!(fast * 10 >= lines.len() * 9, "{fast} of {}", lines.len());
}

#[test]
fn hand_written_edge_cases() {
    let ok = r#"{"report_no":"R\u00e91","institution_uscc":"U","cma_mark":true,"purpose":"commissioned","issued_on":"2025-03-04","signatory":{"id":"S"},"x":[1,-0.5,{"a":[true,false,null]}],"samples":[{"sample_id":"S1","category":"water","site":"a\"b","sampled_from":"2025-03-01T09:00:00+08:00","sampled_to":"2025-03-01T10:00:00Z","received_at":"2025-03-01T14:00:00+08:00","samplers":[],"results":[{"parameter":"p","method":"m","value":null,"below_detection":true,"unit":"u","analyzed_at":"2025-03-02T10:00:00+08:00","analyst":{"id":"A","id2":1}}]}]}"#;
    assert!(agrees(ok.as_bytes()));
    assert!(agrees(format!(" \t{ok} \r").as_bytes()));
    for bad in [
        ok.replace(r#""x":"#, r#""report_no":"R2","x":"#), // duplicate key
        ok.replace(r#""x":[1,"#, r#""x":[1e5,"#),          // exponent: fall back
        ok.replace(r#""x":[1,"#, r#""x":[01,"#),           // not JSON
        ok.replace(r#""x":[1,"#, r#""x":[1,,"#),           // not JSON
        ok.replace(r#""a\"b""#, r#""a\ud800b""#),          // surrogate: fall back
        ok.replace(r#""a\"b""#, r#""a\qb""#),              // bad escape
        ok.replace(r#""a\"b""#, "\"a\u{1}b\""),            // control character
        ok.replace(r#""value":null"#, r#""value":"1e3""#), // not a decimal
        ok.replace(r#""below_detection":true"#, r#""below_detection":false"#), // missing value
        ok.replace(r#""samplers":[]"#, r#""samplers":[null]"#),
        ok.replace(r#""sa"#, r#""s\u0061"#), // escaped key
        format!("{ok}x"),
        format!("{ok}{{}}"),
        ok[..ok.len() - 1].to_owned(),
    ] {
        assert!(
            parse_report(bad.as_bytes(), &mut FastState::default(), &mut BatchMemo::new(&Bump::new()))
                .is_none(),
            "{bad}"
        );
    }
}

/// Every non-ASCII character as a `\u` escape (upper-case hex on odd lines), the way Python's
/// `json.dumps` writes JSON by default.
fn ascii_escaped(line: &[u8], upper: bool) -> Vec<u8> {
    let mut out = String::new();
    for c in String::from_utf8_lossy(line).chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&if upper { format!("\\u{u:04X}") } else { format!("\\u{u:04x}") });
            }
        }
    }
    out.into_bytes()
}

/// `", "` and `": "` between tokens, as Python's `json.dumps` separates them by default.
fn python_separators(line: &[u8]) -> Vec<u8> {
    let (mut out, mut in_str, mut esc) = (Vec::new(), false, false);
    for &c in line {
        out.push(c);
        match c {
            _ if esc => esc = false,
            b'\\' if in_str => esc = true,
            b'"' => in_str = !in_str,
            b',' | b':' if !in_str => out.push(b' '),
            _ => {}
        }
    }
    out
}

#[test]
fn lines_with_escaped_text_or_spaced_separators_take_the_fast_path_and_agree() {
    let lines = corpus_lines(5, true);
    for (n, line) in lines.iter().enumerate() {
        let escaped = ascii_escaped(line, n % 2 == 1);
        let spaced = python_separators(line);
        assert_eq!(agrees(line), agrees(&escaped), "{}", String::from_utf8_lossy(&escaped));
        assert_eq!(agrees(line), agrees(&spaced), "{}", String::from_utf8_lossy(&spaced));
        assert_eq!(agrees(line), agrees(&python_separators(&escaped)));
    }
    // Spaced person objects are read by the person shortcut, not only by the general path.
    let person = python_separators(br#"{"id":"P-1","name":"N"}"#);
    let mut st = FastState::default();
    let text = std::str::from_utf8(&person).unwrap();
    let arena = Bump::new();
    let mut memo = BatchMemo::new(&arena);
    let mut sc = Sc { s: text, b: text.as_bytes(), i: 0, st: &mut st, memo: &mut memo };
    assert_eq!(sc.person_compact().as_deref(), Some("P-1"));
    let taken = lines.iter().filter(|l| agrees(&ascii_escaped(l, false))).count();
    assert!(taken * 10 >= lines.len() * 9, "{taken} of {}", lines.len());
    // A bad hex digit in the middle of a run of escapes is refused, not misread.
    let good = String::from_utf8(ascii_escaped(&lines[0], false)).unwrap();
    let at = good.find("\\u").expect("an escape");
    let bad = format!("{}\\u4e2G{}", &good[..at], &good[at + 6..]);
    assert!(
        parse_report(bad.as_bytes(), &mut FastState::default(), &mut BatchMemo::new(&Bump::new())).is_none()
    );
}

/// The analyst memo carries over from line to line within a batch, and only the same bytes
/// hit it: analysts that share the last one's first bytes (a longer id, another name, an
/// extra field, other spacing) are read, each line giving what the reference gives.
#[test]
fn analysts_are_remembered_across_lines_only_for_the_same_bytes() {
    let line = String::from_utf8(corpus_lines(3, false).swap_remove(0)).unwrap();
    // The line with every result's analyst object written as `object`.
    let with = |object: &str| {
        let mut out = String::new();
        let mut rest = line.as_str();
        while let Some(k) = rest.find(r#""analyst":{"#) {
            let at = k + r#""analyst":"#.len();
            let end = at + rest[at..].find('}').unwrap() + 1;
            out.push_str(&rest[..at]);
            out.push_str(object);
            rest = &rest[end..];
        }
        out + rest
    };
    let plain = r#"{"id":"P-7","name":"分析员"}"#;
    let base = with(plain);
    // Each variant right after a line with the plain analyst, then the plain one again.
    let others = [
        with(r#"{"id":"P-79","name":"分析员"}"#),
        with(r#"{"id":"P-7","name":"分析员","x":1}"#),
        with(r#"{"id": "P-7", "name": "分析员"}"#),
        with(r#"{"id":"P-7","name":"分析员X"}"#),
    ];
    let mut variants = vec![base.clone(), base.clone()];
    for other in others {
        variants.extend([other, base.clone()]);
    }
    let text = variants.join("\n");
    let arena = Bump::new();
    let (mut memo, mut st) = (BatchMemo::new(&arena), FastState::default());
    let mut start = 0;
    for line in &variants {
        let (fast, end) = parse_report_at(&text, start, &mut st, &mut memo).expect("read by the fast path");
        let reference = parse_line(line.as_bytes()).unwrap().outcome.unwrap();
        assert_eq!(format!("{fast:?}"), format!("{reference:?}"), "{line}");
        start = end + 1;
    }
    assert!(!memo.analyst.0.is_empty(), "an analyst is remembered");
}

/// Writes `v` as compact JSON with every object's keys in an order drawn from `seed`.
fn shuffled_json(v: &serde_json::Value, seed: &mut u64, out: &mut String) {
    match v {
        serde_json::Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            for i in (1..keys.len()).rev() {
                *seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                keys.swap(i, (*seed >> 33) as usize % (i + 1));
            }
            out.push('{');
            for (n, k) in keys.into_iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(k).unwrap());
                out.push(':');
                shuffled_json(&m[k.as_str()], seed, out);
            }
            out.push('}');
        }
        serde_json::Value::Array(a) => {
            out.push('[');
            for (n, x) in a.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                shuffled_json(x, seed, out);
            }
            out.push(']');
        }
        other => out.push_str(&serde_json::to_string(other).unwrap()),
    }
}

/// The fast path predicts each result key from the key order of the last result read; a
/// writer that changes the order from object to object (or line to line) is read the same,
/// through one state shared by all lines as a worker shares it.
#[test]
fn key_orders_that_change_between_objects_agree_with_the_reference() {
    let mut st = FastState::default();
    let (mut seed, mut taken, mut total) = (7u64, 0, 0);
    for line in corpus_lines(11, true) {
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(&line) else { continue };
        for keep_order in [true, false] {
            let mut text = String::new();
            if keep_order {
                text = serde_json::to_string(&v).unwrap();
            } else {
                shuffled_json(&v, &mut seed, &mut text);
            }
            let arena = Bump::new();
            total += 1;
            if let Some(fast) = parse_report(text.as_bytes(), &mut st, &mut BatchMemo::new(&arena)) {
                let reference =
                    parse_line(text.as_bytes()).expect("reference refuses").outcome.expect("shape problems");
                assert_eq!(format!("{fast:?}"), format!("{reference:?}"), "{text}");
                taken += 1;
                st.reclaim(fast);
            } else {
                assert!(parse_line(text.as_bytes()).map_or(true, |p| p.outcome.is_err()), "{text}");
            }
        }
    }
    assert!(taken * 10 >= total * 9, "{taken} of {total}");
}

const TOKENS: &[&str] = &[
    "\"",
    "\\",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    " ",
    "\u{0}",
    "n",
    "0",
    "1e5",
    "-",
    ".",
    "null",
    "true",
    "\"id\":\"X\",",
    "\"value\":\"1\",",
    "\\u00e9",
    "\\ud83d",
    "\\n",
    "\u{3000}",
    "é",
    "\"report_no\":1,",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn mutated_corpus_lines_agree_with_the_reference(
        which in 0usize..300, edits in proptest::collection::vec((0usize..4000, 0usize..TOKENS.len(), any::<u8>(), 0u8..4), 1..4),
    ) {
        static LINES: std::sync::LazyLock<Vec<Vec<u8>>> = std::sync::LazyLock::new(|| corpus_lines(9, true));
        let mut line = LINES[which % LINES.len()].clone();
        for (pos, tok, byte, op) in edits {
            let p = pos % (line.len() + 1);
            match op {
                0 => { line.splice(p..p, TOKENS[tok].bytes()); }
                1 => { if p < line.len() { line[p] = byte; } }
                2 => { let e = (p + 1 + byte as usize % 8).min(line.len()); line.drain(p..e); }
                _ => { line.insert(p, byte); }
            }
        }
        agrees(&line);
    }

    #[test]
    fn arbitrary_bytes_agree_with_the_reference(data in proptest::collection::vec(any::<u8>(), 0..400)) {
        agrees(&data);
    }
}
