//! Feeds arbitrary text to the upload split as an institution's upload (issue 15): for the
//! uploader, take the institution the engine reads in the first line that names one (so mutations
//! of the uploader's own reports are explored), and a registry institution besides. Invariants:
//! every non-blank line is refused exactly when the engine's reading and serde_json's disagree
//! about its institution or either names another one (and then the whole batch is refused); an
//! accepted batch, stored and checked as the worker checks it, yields no finding on any other
//! institution; the supervising departments' split (`own = None`) refuses nothing.
//! `cargo fuzz run upload fuzz/corpus/upload` (or `FUZZ_TARGET=upload fuzz/run.sh`).
#![no_main]

use std::sync::LazyLock;

use lianjian_offsite::upload::{check_text, json_institution, split_upload};
use lianjian_offsite::{read_header, read_headers, Engine, Thresholds};
use lianjian_registry::{MethodTable, Snapshot};
use libfuzzer_sys::fuzz_target;

static SNAPSHOT: LazyLock<Snapshot> =
    LazyLock::new(|| Snapshot::from_json(include_str!("../corpus/registry.json")).expect("fuzz registry"));

/// The engine as the platform's worker runs it on a stored batch.
static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    let methods = MethodTable::from_csv(&include_bytes!("../corpus/methods.csv")[..]).expect("fuzz methods");
    Engine::new(&SNAPSHOT, &methods, Thresholds::default()).with_threads(1).with_blank_line_findings(false)
});

/// The lines that must be refused for `own`, by the two readers (the split's own rule, restated).
fn must_refuse(text: &str, own: &str) -> Vec<i64> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = text.strip_suffix('\n').unwrap_or(text);
    let mut out = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let body = raw.strip_suffix('\r').unwrap_or(raw);
        if body.trim().is_empty() {
            continue;
        }
        // The stored text opens with line 1, and the engine ignores a mark opening its input.
        let seen = if i == 0 { body.strip_prefix('\u{feff}').unwrap_or(body) } else { body };
        let engine = read_header(seen.as_bytes()).institution_uscc;
        let json = json_institution(body);
        let other = |u: &Option<String>| u.as_deref().is_some_and(|u| u != own);
        if engine != json || other(&engine) || other(&json) {
            out.push(i as i64 + 1);
        }
    }
    out
}

fn holds(text: &str, own: &str) {
    let refuse = must_refuse(text, own);
    match split_upload(text, Some(own)) {
        Err(e) => assert_eq!(e.lines.iter().map(|r| r.line).collect::<Vec<_>>(), refuse),
        Ok((lines, _)) => {
            assert!(refuse.is_empty(), "lines {refuse:?} kept");
            let stored = check_text(lines.iter().map(|l| (l.line_no, l.body.as_str())));
            for f in ENGINE.check_str(&stored).0 {
                assert!(
                    f.institution_uscc.as_deref().is_none_or(|u| u == own),
                    "{} on {:?} from an upload by {own}",
                    f.rule.id(),
                    f.institution_uscc
                );
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    // The platform refuses a body that is not UTF-8 before splitting it.
    let Ok(text) = std::str::from_utf8(data) else { return };
    assert!(split_upload(text, None).is_ok());
    let first = read_headers(text.lines().map(str::as_bytes)).into_iter().find_map(|h| h.institution_uscc);
    let registry = SNAPSHOT.institutions[0].uscc.as_str();
    if let Some(first) = first.as_deref().filter(|u| *u != registry) {
        holds(text, first);
    }
    holds(text, registry);
});
