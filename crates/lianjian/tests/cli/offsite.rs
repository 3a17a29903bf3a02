//! `lianjian offsite check`: planted violations of a generated corpus are found, findings are not
//! failures (exit 0), unreadable inputs are (non-zero, one line naming the file), and a bad report
//! line is an OFF-C01 finding with its line number while the rest of the file is still read.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use lianjian_corpus::{generate, CorpusSpec};
use lianjian_offsite::{Finding, RuleId, Severity};

use crate::{err, lianjian, out};

struct Files {
    _dir: tempfile::TempDir,
    registry: PathBuf,
    methods: PathBuf,
    reports: PathBuf,
    corpus: lianjian_corpus::Corpus,
}

fn corpus_files(reports: u64) -> Files {
    let dir = tempfile::tempdir().unwrap();
    let spec = CorpusSpec { seed: 11, reports, institutions: 6, plant_every: 10, ..CorpusSpec::default() };
    let mut lines = Vec::new();
    let corpus = generate(&spec, &mut lines).unwrap();
    let registry = dir.path().join("registry.json");
    let methods = dir.path().join("methods.csv");
    let reports = dir.path().join("reports.jsonl");
    std::fs::write(&registry, corpus.snapshot.to_canonical_json()).unwrap();
    std::fs::write(&methods, &corpus.methods_csv).unwrap();
    std::fs::write(&reports, &lines).unwrap();
    Files { _dir: dir, registry, methods, reports, corpus }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn parse(text: &str) -> Vec<Finding> {
    text.lines().filter(|l| !l.is_empty()).map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// (rule, report_no or "line:N") of every error finding.
fn error_keys(findings: &[Finding]) -> BTreeSet<(RuleId, String)> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| (f.rule, f.report_no.clone().unwrap_or_else(|| format!("line:{}", f.evidence["line"]))))
        .collect()
}

#[test]
fn planted_violations_are_found_and_findings_still_exit_zero() {
    let f = corpus_files(400);
    let o = lianjian(
        &["offsite", "check", "--registry", s(&f.registry), "--methods", s(&f.methods), s(&f.reports)],
        None,
    );
    assert!(o.status.success(), "stderr: {}", err(&o));
    let found = error_keys(&parse(&out(&o)));
    let planted: BTreeSet<(RuleId, String)> = f
        .corpus
        .truth
        .iter()
        .filter(|p| p.rule.severity() == Severity::Error)
        .map(|p| (p.rule, p.report_no.clone().unwrap_or_else(|| format!("line:{}", p.line.unwrap_or(0)))))
        .collect();
    assert!(planted.len() > 10, "the corpus plants errors");
    let missed: Vec<_> = planted.difference(&found).collect();
    assert!(missed.is_empty(), "missed: {missed:?}");
    // One summary line per rule on stderr, then the totals.
    let e = err(&o);
    for rule in RuleId::ALL {
        assert!(
            e.lines().any(|l| l.starts_with(&format!("{}\t", rule.id()))),
            "no summary line for {rule:?}"
        );
    }
    assert!(e.contains("合计 / total"));
}

#[test]
fn out_file_and_stdin_give_the_same_findings_and_embedded_methods_are_the_default() {
    let f = corpus_files(120);
    let out_path = f._dir.path().join("findings.jsonl");
    let reports = std::fs::read_to_string(&f.reports).unwrap();
    let a = lianjian(
        &[
            "offsite",
            "check",
            "--registry",
            s(&f.registry),
            "--methods",
            s(&f.methods),
            "--out",
            s(&out_path),
            "-",
        ],
        Some(&reports),
    );
    assert!(a.status.success(), "{}", err(&a));
    assert!(out(&a).is_empty(), "findings go to --out, not stdout");
    let to_file = std::fs::read_to_string(&out_path).unwrap();
    let b = lianjian(
        &["offsite", "check", "--registry", s(&f.registry), "--methods", s(&f.methods), s(&f.reports)],
        None,
    );
    assert_eq!(to_file, out(&b));
    // Without --methods the shipped table is used: the run works and reads every report.
    let c = lianjian(&["offsite", "check", "--registry", s(&f.registry), s(&f.reports)], None);
    assert!(c.status.success(), "{}", err(&c));
    assert!(err(&c).contains("total: 120 行"), "{}", err(&c));
}

#[test]
fn missing_registry_file_exits_non_zero_naming_the_file() {
    let f = corpus_files(5);
    let missing = f._dir.path().join("no-such-registry.json");
    let o = lianjian(&["offsite", "check", "--registry", s(&missing), s(&f.reports)], None);
    assert!(!o.status.success());
    let e = err(&o);
    assert!(e.contains("no-such-registry.json"), "{e}");
    assert_eq!(e.trim_end().lines().count(), 1, "one line: {e}");
    assert!(out(&o).is_empty());
}

#[test]
fn malformed_registry_json_names_line_and_column() {
    let f = corpus_files(5);
    let bad = f._dir.path().join("bad.json");
    std::fs::write(&bad, "{\n  \"institutions\": [\n    {\"uscc\": }\n  ]\n}\n").unwrap();
    let o = lianjian(&["offsite", "check", "--registry", s(&bad), s(&f.reports)], None);
    assert!(!o.status.success());
    let e = err(&o);
    assert!(e.contains("bad.json") && e.contains("第 3 行"), "{e}");
    assert_eq!(e.trim_end().lines().count(), 1, "one line: {e}");
}

#[test]
fn unreadable_method_table_exits_non_zero_naming_the_file() {
    let f = corpus_files(5);
    let bad = f._dir.path().join("methods-bad.csv");
    std::fs::write(
        &bad,
        "code,title_zh,category,effective,abolished,replaced_by,source\nHJ 1-2000,x,water,notadate,,,\n",
    )
    .unwrap();
    let o = lianjian(
        &["offsite", "check", "--registry", s(&f.registry), "--methods", s(&bad), s(&f.reports)],
        None,
    );
    assert!(!o.status.success());
    assert!(err(&o).contains("methods-bad.csv"), "{}", err(&o));
}

#[test]
fn a_method_code_listed_twice_is_merged_with_a_note_on_stderr() {
    let f = corpus_files(5);
    let mut csv = std::fs::read_to_string(&f.methods).unwrap();
    let first = csv.lines().nth(1).unwrap().to_owned();
    csv.push_str(&first);
    csv.push('\n');
    let dup = f._dir.path().join("methods-dup.csv");
    std::fs::write(&dup, &csv).unwrap();
    let o = lianjian(
        &["offsite", "check", "--registry", s(&f.registry), "--methods", s(&dup), s(&f.reports)],
        None,
    );
    assert!(o.status.success(), "{}", err(&o));
    let rows = csv.lines().count();
    let note = format!("methods-dup.csv:第 {rows} 行方法标准");
    assert!(err(&o).contains(&note) && err(&o).contains("与第 2 行编号相同"), "{}", err(&o));
}

#[test]
fn malformed_report_line_is_c01_with_its_line_number_and_the_rest_is_read() {
    let f = corpus_files(30);
    let text = std::fs::read_to_string(&f.reports).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let total_reports = lines.len();
    lines.insert(2, "{\"report_no\": \"BROKEN\", ");
    let broken = f._dir.path().join("broken.jsonl");
    std::fs::write(&broken, lines.join("\n") + "\n").unwrap();

    let clean = lianjian(
        &["offsite", "check", "--registry", s(&f.registry), "--methods", s(&f.methods), s(&f.reports)],
        None,
    );
    let o = lianjian(
        &["offsite", "check", "--registry", s(&f.registry), "--methods", s(&f.methods), s(&broken)],
        None,
    );
    assert!(o.status.success(), "{}", err(&o));
    let found = parse(&out(&o));
    let c01: Vec<&Finding> =
        found.iter().filter(|x| x.rule == RuleId::C01 && x.evidence.get("line").is_some()).collect();
    assert!(c01.iter().any(|x| x.evidence["line"] == 3), "OFF-C01 on line 3: {c01:?}");
    // Every report after the broken line was still read and checked.
    assert!(err(&o).contains(&format!("{} 行", total_reports + 1)), "{}", err(&o));
    let before = error_keys(&parse(&out(&clean))).into_iter().filter(|k| !k.1.starts_with("line:")).count();
    let after = error_keys(&found).into_iter().filter(|k| !k.1.starts_with("line:")).count();
    assert_eq!(before, after, "the same report findings with and without the broken line");
}
