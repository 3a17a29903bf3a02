//! `docs/errors.md` lists every stable code the platform answers: a code written in the source of
//! the use cases, the domain rules or the web edge and missing from the document fails this test.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use regex::Regex;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The codes the source answers with: the second argument of the refusal builders
/// (`invalid(field, code, …)`, `Invalid::field`), the first of `state`/`refused`/`Invalid::whole`,
/// `code: "…"` in a refusal's fields, and the edge's `code()` arms.
fn codes_in_source(root: &Path) -> BTreeSet<String> {
    let builders = Regex::new(
        r#"(?s)(?:\binvalid|Invalid::field)\(\s*"[^"]*",\s*"([a-z][a-z0-9_]*)"|\b(?:state|refused|Invalid::whole)\(\s*"([a-z][a-z0-9_]*)""#,
    )
    .unwrap();
    let fields = Regex::new(
        r#"(?s)\b(?:Refused|State|Unprocessable|Conflict|BadRequest|Refusal::State|Refusal::Refused)\s*\{[^}]*?\bcode:\s*"([a-z][a-z0-9_]*)""#,
    )
    .unwrap();
    let arms = Regex::new(r#"AppError::\w+(?:\([^)]*\)|\s*\{[^}]*\})?\s*=>\s*"([a-z][a-z0-9_]*)""#).unwrap();
    let mut files = Vec::new();
    for krate in ["app", "domain", "web"] {
        rust_files(&root.join("crates").join(krate).join("src"), &mut files);
    }
    let mut codes = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        // Unit tests at the end of a file quote codes in assertions; they are not answers.
        let text = text.split("#[cfg(test)]").next().unwrap_or("");
        for re in [&builders, &fields, &arms] {
            for c in re.captures_iter(text) {
                if let Some(m) = c.iter().skip(1).flatten().next() {
                    codes.insert(m.as_str().to_owned());
                }
            }
        }
    }
    codes
}

#[test]
fn every_code_the_platform_answers_is_in_docs_errors_md() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let doc = std::fs::read_to_string(root.join("docs/errors.md")).unwrap();
    let listed: BTreeSet<String> = Regex::new(r"(?m)^\| `([a-z][a-z0-9_]*)` \|")
        .unwrap()
        .captures_iter(&doc)
        .map(|c| c[1].to_owned())
        .collect();
    let used = codes_in_source(&root);
    assert!(
        used.len() > 80,
        "the scan found only {} codes: the patterns no longer match the source",
        used.len()
    );
    let missing: Vec<&String> = used.difference(&listed).collect();
    assert!(missing.is_empty(), "codes answered but not listed in docs/errors.md: {missing:?}");
}
