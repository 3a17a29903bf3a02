//! A second reading of the contract: `tests/independent/gen.py` was written from the two spec files
//! alone, by an engineer who had not read the engine, with its own planted violations, edge cases
//! (boundary days, non-CST offsets, code variants, JSON variants) and statistical signals, and
//! `score.py` computes the warnings the spec implies by itself. The engine, by either reader, must
//! find every plant, raise nothing on the clean reports and raise exactly the computed warnings.

use std::path::{Path, PathBuf};
use std::process::Command;

use lianjian_offsite::{Engine, Thresholds};
use lianjian_registry::{MethodTable, Snapshot};

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/independent").join(name)
}

fn python(args: &[&Path]) -> std::process::Output {
    Command::new("python3")
        .args(args)
        // Set iteration must not depend on Python's per-process string hashing.
        .env("PYTHONHASHSEED", "0")
        .output()
        .expect("python3 runs the independent generator and scorer (the machine's CPython 3)")
}

fn check(dir: &Path, fast_path: bool) -> PathBuf {
    let text = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    let snapshot = Snapshot::from_json(&text("registry.json")).unwrap();
    let methods = MethodTable::from_csv(text("methods.csv").as_bytes()).unwrap();
    let engine = Engine::new(&snapshot, &methods, Thresholds::default())
        .with_threads(2)
        .with_batch_bytes(256 << 10)
        .with_fast_path(fast_path);
    let out = dir.join(if fast_path { "findings-fast.jsonl" } else { "findings-reference.jsonl" });
    let reports = std::fs::File::open(dir.join("reports.jsonl")).unwrap();
    let writer = std::io::BufWriter::new(std::fs::File::create(&out).unwrap());
    engine.check(reports, writer, None).unwrap();
    out
}

#[test]
fn an_independent_reading_of_the_spec_agrees_with_the_engine() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("offsite-independent");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // Seed 21, 3,000 clean reports besides the plants (≈ 5,700 lines, 12 MB).
    let gen = python(&[&script("gen.py"), &dir, Path::new("21"), Path::new("3000")]);
    assert!(gen.status.success(), "gen.py: {}", String::from_utf8_lossy(&gen.stderr));
    for fast_path in [true, false] {
        let findings = check(&dir, fast_path);
        let score = python(&[&script("score.py"), &dir, &findings]);
        let report = String::from_utf8_lossy(&score.stdout);
        assert!(
            score.status.success() && report.contains("PASS"),
            "fast path {fast_path}:\n{report}\n{}",
            String::from_utf8_lossy(&score.stderr)
        );
    }
}
