//! The upload's ownership check against the engine (issue 15, item 2). Two readers look at an
//! uploaded line — the engine (`read_headers`, its own per-line reading) and serde_json (how the
//! platform shows and exports a stored body) — and wherever they disagree about the institution,
//! an institution's upload containing the line must be refused. And whatever the upload path
//! accepts from an institution, the engine checking the stored lines names no other institution
//! in any finding. Lines come from the engine's corpus generator, mutated where readers differ:
//! escapes and surrogates, duplicate and escaped keys, whitespace, numbers, nesting, trailing
//! bytes, truncation.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use lianjian_corpus::{generate, CorpusSpec};
use lianjian_offsite::upload::{check_text, json_institution, split_upload};
use lianjian_offsite::{read_header, Engine, Thresholds};
use lianjian_registry::{MethodTable, Snapshot};
use proptest::prelude::*;

struct World {
    engine: Engine,
    snapshot: Snapshot,
    /// Corpus lines (some with planted problems), each naming a registry institution.
    lines: Vec<String>,
}

static WORLD: LazyLock<World> = LazyLock::new(|| {
    let spec = CorpusSpec { seed: 21, reports: 120, plant: true, plant_every: 7, ..CorpusSpec::default() };
    let mut out = Vec::new();
    let corpus = generate(&spec, &mut out).unwrap();
    let methods = MethodTable::from_csv(corpus.methods_csv.as_bytes()).unwrap();
    let engine = Engine::new(&corpus.snapshot, &methods, Thresholds::default())
        .with_threads(1)
        .with_blank_line_findings(false);
    // Planted violations include lines that name no institution; the mutations start from a line
    // that names one (with or without other problems).
    let lines = String::from_utf8(out)
        .unwrap()
        .lines()
        .filter(|l| read_header(l.as_bytes()).institution_uscc.is_some_and(|u| uscc_member(l, &u).is_some()))
        .map(str::to_owned)
        .collect();
    World { engine, snapshot: corpus.snapshot, lines }
});

/// The institution the engine reads in `line`, and the one serde_json reads.
fn readers(line: &str) -> (Option<String>, Option<String>) {
    (read_header(line.as_bytes()).institution_uscc, json_institution(line))
}

/// The institution the engine reads in an unmutated corpus line.
fn owner(line: &str) -> String {
    read_header(line.as_bytes()).institution_uscc.expect("corpus lines name their institution")
}

/// Another registry institution than `own`.
fn other_than(own: &str) -> String {
    WORLD.snapshot.institutions.iter().map(|i| i.uscc.clone()).find(|u| u != own).unwrap()
}

/// The upload path for an institution account: split `text`; if it is accepted, check the stored
/// lines as the worker does and require that no finding names another institution. Returns
/// whether the batch was accepted and the refused line numbers.
fn upload(text: &str, own: &str) -> Result<(), Vec<i64>> {
    match split_upload(text, Some(own)) {
        Err(e) => {
            assert_eq!(e.own, own);
            assert!(!e.lines.is_empty());
            Err(e.lines.iter().map(|r| r.line).collect())
        }
        Ok((lines, _)) => {
            for l in &lines {
                let (engine, json) = readers(&l.body);
                assert!(engine.as_deref().is_none_or(|u| u == own), "kept line names {engine:?}: {}", l.body);
                assert_eq!(engine, json, "kept line the readers disagree on: {}", l.body);
            }
            let stored = check_text(lines.iter().map(|l| (l.line_no, l.body.as_str())));
            let (findings, _) = WORLD.engine.check_str(&stored);
            for f in findings {
                assert!(
                    f.institution_uscc.as_deref().is_none_or(|u| u == own),
                    "{} on {:?} from an upload by {own}: {}\n{text}",
                    f.rule.id(),
                    f.institution_uscc,
                    f.message
                );
            }
            Ok(())
        }
    }
}

/// One mutation of a report line, by kind.
#[derive(Debug, Clone)]
enum Mutation {
    /// A field no rule reads, holding this raw JSON string body (escapes as written).
    UnreadString(&'static str),
    /// `institution_uscc` written again with another institution's USCC, before or after.
    DuplicateUscc { after: bool },
    /// `institution_uscc` written again with the same value.
    DuplicateSameUscc,
    /// Another known field written twice.
    DuplicateOther(&'static str),
    /// The `institution_uscc` key spelled otherwise (escaped, case, look-alikes).
    Key(&'static str),
    /// The USCC value written otherwise (`{own}` / `{other}` substituted).
    Value(&'static str),
    /// Whitespace (JSON's or not) at the start, the end, or before a member.
    Space(&'static str, u8),
    /// A field no rule reads, holding this number token.
    Number(&'static str),
    /// Bytes after the object.
    Trailing(&'static str),
    /// A field no rule reads nested this deep.
    Nested(usize),
    /// The line cut at this fraction (per mille).
    Truncate(u16),
    /// A byte order mark before the line.
    Bom,
}

const UNREAD: &[&str] = &[
    r"\ud800",
    r"\udc00",
    r"\uDBFF",
    r"\ud800\u0041",
    r"\ud800\ud800",
    r"\udc00\ud800",
    r"\ud83d\ude00",
    r"\ud83d",
    r"\x41",
    r"\u12",
    r"\u12G4",
    r"\U0041",
    r"\'",
    r"\0",
    r"\a",
    "\u{1}",
    "\u{0}",
    "\t",
    "\u{7f}",
    "\u{2028}",
    r"\u0000",
    r"\/",
];
const DUP_OTHER: &[&str] = &["report_no", "issued_on", "cma_mark", "purpose", "samples", "signatory"];
const KEYS: &[&str] = &[
    r"institution\u005fuscc",
    r"\u0069nstitution_uscc",
    r"institution_uscc\u0000",
    "institution_uscc\u{200b}",
    "INSTITUTION_USCC",
    "institution_uscc ",
    "\u{ff49}nstitution_uscc",
    r"institution_uscc\ud800",
];
const VALUES: &[&str] = &[
    "\"{other}\"",
    "\"{own_lower}\"",
    "\" {own}\"",
    "\"{own}\\u0000\"",
    "\"{own}\\ud800\"",
    "\"\\u{own_first_hex}{own_rest}\"",
    "\"\"",
    "\"   \"",
    "null",
    "12",
    "[\"{other}\"]",
    "{\"uscc\":\"{other}\"}",
    "\"{own}\"",
];
const SPACES: &[&str] =
    &[" ", "\t", "\r", "\u{c}", "\u{b}", "\u{a0}", "\u{3000}", "\u{feff}", "\u{2028}", "\u{0}"];
const NUMBERS: &[&str] = &[
    "1e400",
    "-1e400",
    "1E5",
    "1.0e+999",
    "0.1e-400",
    "123456789012345678901234567890",
    "-0",
    "01",
    ".5",
    "1.",
    "+1",
    "NaN",
    "Infinity",
    "0x10",
    "1_000",
];
const TRAILING: &[&str] = &["x", "{}", " //c", ",", "\u{0}", "]", "\u{feff}", " \t", "\r"];

fn all_mutations() -> Vec<Mutation> {
    let mut m: Vec<Mutation> = UNREAD.iter().map(|s| Mutation::UnreadString(s)).collect();
    m.extend([Mutation::DuplicateUscc { after: false }, Mutation::DuplicateUscc { after: true }]);
    m.push(Mutation::DuplicateSameUscc);
    m.extend(DUP_OTHER.iter().map(|k| Mutation::DuplicateOther(k)));
    m.extend(KEYS.iter().map(|k| Mutation::Key(k)));
    m.extend(VALUES.iter().map(|v| Mutation::Value(v)));
    for (i, s) in SPACES.iter().enumerate() {
        m.push(Mutation::Space(s, (i % 3) as u8));
    }
    m.extend(NUMBERS.iter().map(|n| Mutation::Number(n)));
    m.extend(TRAILING.iter().map(|t| Mutation::Trailing(t)));
    m.extend([15, 16, 17, 40].map(Mutation::Nested));
    m.extend([0, 500, 999].map(Mutation::Truncate));
    m.push(Mutation::Bom);
    m
}

/// `line` with a member inserted right after the report object's opening brace.
fn with_member(line: &str, member: &str) -> String {
    format!("{{{member},{}", &line[1..])
}

/// Where `line`'s `"institution_uscc":"{own}"` member starts and ends (the corpus writes it
/// compact and unescaped; an earlier mutation may have changed it, then `None`).
fn uscc_member(line: &str, own: &str) -> Option<(usize, usize)> {
    let member = format!("\"institution_uscc\":\"{own}\"");
    let at = line.find(&member)?;
    Some((at, at + member.len()))
}

/// `line` mutated by `m`, the line naming `own` before; a mutation of the `institution_uscc`
/// member leaves a line without that member as it is.
fn apply_to(line: &str, own: &str, m: &Mutation) -> String {
    let other = other_than(own);
    let member = uscc_member(line, own);
    let needs_member = matches!(
        m,
        Mutation::DuplicateUscc { .. }
            | Mutation::DuplicateSameUscc
            | Mutation::Key(_)
            | Mutation::Value(_)
            | Mutation::Space(_, 2..)
    );
    if needs_member && member.is_none() || !line.starts_with('{') {
        return line.to_owned();
    }
    let (at, end) = member.unwrap_or((0, 0));
    match m {
        Mutation::UnreadString(body) => with_member(line, &format!("\"project\":\"{body}\"")),
        Mutation::DuplicateUscc { after } => {
            let dup = format!(",\"institution_uscc\":\"{other}\"");
            if *after {
                format!("{}{dup}{}", &line[..end], &line[end..])
            } else {
                format!("{}\"institution_uscc\":\"{other}\",{}", &line[..at], &line[at..])
            }
        }
        Mutation::DuplicateSameUscc => {
            format!("{},\"institution_uscc\":\"{own}\"{}", &line[..end], &line[end..])
        }
        Mutation::DuplicateOther(key) => with_member(line, &format!("\"{key}\":\"X\"")),
        Mutation::Key(key) => {
            format!("{}\"{key}\":\"{own}\"{}", &line[..at], &line[end..])
        }
        Mutation::Value(v) => {
            let hex = format!("{:04x}", own.as_bytes()[0]);
            let v = v
                .replace("{other}", &other)
                .replace("{own_lower}", &own.to_lowercase())
                .replace("{own_first_hex}", &hex)
                .replace("{own_rest}", &own[1..])
                .replace("{own}", own);
            format!("{}\"institution_uscc\":{v}{}", &line[..at], &line[end..])
        }
        Mutation::Space(s, 0) => format!("{s}{line}"),
        Mutation::Space(s, 1) => format!("{line}{s}"),
        Mutation::Space(s, _) => format!("{}{s}{}", &line[..at], &line[at..]),
        Mutation::Number(n) => with_member(line, &format!("\"n\":{n}")),
        Mutation::Trailing(t) => format!("{line}{t}"),
        Mutation::Nested(depth) => {
            // The report object is level 1; the field's arrays are levels 2 ….
            let inner = "[".repeat(depth - 1) + &"]".repeat(depth - 1);
            with_member(line, &format!("\"deep\":{inner}"))
        }
        Mutation::Truncate(per_mille) => {
            let mut cut = line.len() * usize::from(*per_mille) / 1000;
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            line[..cut].to_owned()
        }
        Mutation::Bom => format!("\u{feff}{line}"),
    }
}

fn apply(line: &str, m: &Mutation) -> String {
    apply_to(line, &owner(line), m)
}

/// A short name of a mutation's kind, for the table of disagreements.
fn kind(m: &Mutation) -> String {
    let s = format!("{m:?}");
    s.split(['(', ' ']).next().unwrap_or("").to_owned()
}

/// The batch that carries the mutated line as line 2, after a clean line of the same institution.
fn batch_with(clean: &str, mutated: &str) -> String {
    format!("{clean}\n{mutated}\n")
}

/// The verdict the contract requires for a batch whose line 2 is `mutated` (line 1 clean), by
/// what the two readers take the line to name: refused when they disagree or either names
/// another institution, else accepted.
fn required(mutated: &str, own: &str) -> Result<(), Vec<i64>> {
    // The upload stores a line without the `\r` that ends it.
    let body = mutated.strip_suffix('\r').unwrap_or(mutated);
    let (engine, json) = readers(body);
    let names_other = |u: &Option<String>| u.as_deref().is_some_and(|u| u != own);
    if engine != json || names_other(&engine) || names_other(&json) {
        Err(vec![2])
    } else {
        Ok(())
    }
}

/// Every mutation on a few corpus lines (of different institutions and shapes): wherever the two
/// readers disagree about the institution, the batch is refused and the mutated line is listed;
/// wherever either names another institution, likewise; and what is accepted never puts a
/// finding on another institution. The disagreements found are kept as a table (printed with
/// `--nocapture`) and the kinds issue 15 names must be among them.
#[test]
fn every_line_the_readers_disagree_on_is_refused_and_accepted_uploads_name_only_the_uploader() {
    let w = &*WORLD;
    let mut table: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let picks: Vec<&String> = w.lines.iter().step_by(w.lines.len() / 6).collect();
    for clean in picks {
        let own = owner(clean);
        for m in all_mutations() {
            let mutated = apply(clean, &m);
            let (engine, json) = readers(&mutated);
            let verdict = upload(&batch_with(clean, &mutated), &own);
            let names_other = |u: &Option<String>| u.as_deref().is_some_and(|u| u != own);
            let describe = |u: &Option<String>| match u.as_deref() {
                None => "none",
                Some(u) if u == own => "own",
                Some(_) => "other",
            };
            if engine != json || names_other(&engine) || names_other(&json) {
                assert_eq!(
                    verdict,
                    Err(vec![2]),
                    "{m:?} must be refused (engine {engine:?}, serde_json {json:?}): {mutated}"
                );
            } else {
                assert_eq!(verdict, Ok(()), "{m:?} is the uploader's to both readers: {mutated}");
            }
            if engine != json {
                let case = format!("engine {} / serde_json {}", describe(&engine), describe(&json));
                *table.entry(format!("{m:?}")).or_default().entry(case).or_default() += 1;
            }
        }
    }
    let mut printed = String::new();
    for (m, cases) in &table {
        printed.push_str(&format!("{m}: {cases:?}\n"));
    }
    eprintln!("lines the readers disagree on, by mutation:\n{printed}");
    let kinds: std::collections::BTreeSet<String> =
        all_mutations().iter().filter(|m| table.contains_key(&format!("{m:?}"))).map(kind).collect();
    for expected in ["UnreadString", "DuplicateUscc", "Number", "Nested"] {
        assert!(kinds.contains(expected), "no disagreement of kind {expected} found:\n{printed}");
    }
    // Issue 15 itself: a lone surrogate in a field no rule reads, the line naming another
    // institution: the engine reads it as that institution's report, serde_json cannot read it.
    let clean = &w.lines[0];
    let own = owner(clean);
    let other = other_than(&own);
    let attack = apply(clean, &Mutation::UnreadString(r"\ud800")).replace(&own, &other);
    assert_eq!(readers(&attack), (Some(other.clone()), None));
    assert_eq!(upload(&batch_with(clean, &attack), &own), Err(vec![2]));
}

/// Bytes that change how a line reads when dropped in anywhere.
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
    "\u{1}",
    "n",
    "0",
    "1e999",
    "-",
    ".",
    "null",
    "\\u00e9",
    "\\ud83d",
    "\\udfff",
    "\\uZZZZ",
    "\\n",
    "\u{3000}",
    "\u{feff}",
    "é",
    "\"institution_uscc\":\"X\",",
    "\"report_no\":1,",
    "\"\\ud800\":1,",
    "\"k\\u12G4\":[1e400],",
    "[[[[[[[[[[[[[[[[",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// Corpus lines under several mutations at once and tokens dropped in at random: the upload
    /// path gives the verdict the two readers' reading requires, and what it accepts names only
    /// the uploader in its findings.
    #[test]
    fn mutated_corpus_lines_are_refused_exactly_when_the_readers_disagree_or_name_another(
        which in 0usize..1000,
        kinds in proptest::collection::vec(0usize..1000, 1..4),
        edits in proptest::collection::vec((0usize..8000, 0usize..TOKENS.len()), 0..3),
    ) {
        let w = &*WORLD;
        let clean = &w.lines[which % w.lines.len()];
        let own = owner(clean);
        let mutations = all_mutations();
        let mut line = clean.clone();
        for k in kinds {
            line = apply_to(&line, &own, &mutations[k % mutations.len()]);
        }
        for (pos, tok) in edits {
            let mut p = pos % (line.len() + 1);
            while !line.is_char_boundary(p) {
                p -= 1;
            }
            line.insert_str(p, TOKENS[tok]);
        }
        let line = line.replace('\n', " ");
        prop_assert_eq!(upload(&batch_with(clean, &line), &own), required(&line, &own), "{}", line);
    }
}

/// The inputs cargo-fuzz keeps for the engine (`fuzz/corpus/reports`) and for the upload split
/// (`fuzz/corpus/upload`), through the upload path under the fuzz target's invariants: for each
/// institution an input's lines name (and one they do not), every non-blank line is refused
/// exactly when the two readers disagree about it or either names another institution, and an
/// accepted batch's findings name only the uploader.
#[test]
fn the_fuzz_corpora_replay_through_the_upload_path() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let snap = Snapshot::from_json(&std::fs::read_to_string(dir.join("registry.json")).unwrap()).unwrap();
    let meth = MethodTable::from_csv(std::fs::File::open(dir.join("methods.csv")).unwrap()).unwrap();
    let engine =
        Engine::new(&snap, &meth, Thresholds::default()).with_threads(1).with_blank_line_findings(false);
    let fallback = snap.institutions[0].uscc.clone();
    let (mut inputs, mut refused) = (0, 0);
    for sub in ["reports", "upload"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let data = std::fs::read(entry.unwrap().path()).unwrap();
            let Ok(text) = std::str::from_utf8(&data) else { continue };
            inputs += 1;
            let mut owns: Vec<String> = lianjian_offsite::read_headers(text.lines().map(str::as_bytes))
                .into_iter()
                .filter_map(|h| h.institution_uscc)
                .collect();
            owns.sort();
            owns.dedup();
            owns.truncate(3);
            owns.push(fallback.clone());
            for own in &owns {
                refused += usize::from(split_holds(&engine, text, own).is_err());
            }
        }
    }
    assert!(inputs > 1000, "the corpora are there ({inputs} inputs)");
    assert!(refused > 0);
}

/// The fuzz target's invariants (`fuzz/fuzz_targets/upload.rs`) for one upload by `own`.
fn split_holds(engine: &Engine, text: &str, own: &str) -> Result<(), ()> {
    let body_text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let body_text = body_text.strip_suffix('\n').unwrap_or(body_text);
    let must_refuse: Vec<i64> = body_text
        .split('\n')
        .enumerate()
        .filter_map(|(i, raw)| {
            let body = raw.strip_suffix('\r').unwrap_or(raw);
            if body.trim().is_empty() {
                return None;
            }
            let seen = if i == 0 { body.strip_prefix('\u{feff}').unwrap_or(body) } else { body };
            let engine = read_header(seen.as_bytes()).institution_uscc;
            let json = json_institution(body);
            let other = |u: &Option<String>| u.as_deref().is_some_and(|u| u != own);
            (engine != json || other(&engine) || other(&json)).then_some(i as i64 + 1)
        })
        .collect();
    match split_upload(text, Some(own)) {
        Err(e) => {
            assert_eq!(e.lines.iter().map(|r| r.line).collect::<Vec<_>>(), must_refuse, "{text:?}");
            Err(())
        }
        Ok((lines, _)) => {
            assert!(must_refuse.is_empty(), "{must_refuse:?} kept: {text:?}");
            let stored = check_text(lines.iter().map(|l| (l.line_no, l.body.as_str())));
            for f in engine.check_str(&stored).0 {
                assert!(f.institution_uscc.as_deref().is_none_or(|u| u == own), "{f:?} from {own}: {text:?}");
            }
            Ok(())
        }
    }
}
