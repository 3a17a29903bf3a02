//! Runs the engine on files, for benchmarks and manual checks (the product CLI lives in the
//! `lianjian` binary): `offsite-check REGISTRY.json METHODS.csv REPORTS.jsonl [FINDINGS.jsonl]
//! [--threads N] [--batch-bytes N] [--reference-parser] [--rules FILE.toml|.json]`. Prints the
//! summary as JSON on stderr. `-` for REPORTS.jsonl reads standard input as a stream (the reader
//! pipes take; a file is read by position).

use std::io::{BufWriter, Write};
use std::time::Instant;

use lianjian_offsite::{Engine, Thresholds};
use lianjian_registry::{MethodTable, Snapshot};

fn main() {
    if let Err(e) = run() {
        eprintln!("offsite-check: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut pos = Vec::new();
    let mut threads = None;
    let mut batch_bytes = None;
    let mut fast = true;
    let mut thresholds = Thresholds::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--threads" => threads = Some(args.next().ok_or("--threads N")?.parse::<usize>()?),
            "--batch-bytes" => batch_bytes = Some(args.next().ok_or("--batch-bytes N")?.parse::<usize>()?),
            "--reference-parser" => fast = false,
            "--rules" => {
                let f = args.next().ok_or("--rules FILE")?;
                let text = std::fs::read_to_string(&f)?;
                thresholds = if f.ends_with(".json") {
                    Thresholds::from_json(&text)?
                } else {
                    Thresholds::from_toml(&text)?
                };
            }
            _ => pos.push(a),
        }
    }
    if pos.len() < 3 {
        return Err(
            "usage: offsite-check REGISTRY.json METHODS.csv REPORTS.jsonl|- [FINDINGS.jsonl] [--threads N] [--batch-bytes N] [--reference-parser] [--rules FILE]"
                .into(),
        );
    }
    let snapshot = Snapshot::from_json(&std::fs::read_to_string(&pos[0])?)?;
    let methods = MethodTable::from_csv(std::fs::File::open(&pos[1])?)
        .map_err(|e| e.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))?;
    let mut engine = Engine::new(&snapshot, &methods, thresholds);
    if let Some(t) = threads {
        engine = engine.with_threads(t);
    }
    if let Some(b) = batch_bytes {
        engine = engine.with_batch_bytes(b);
    }
    engine = engine.with_fast_path(fast);
    let start = Instant::now();
    let out: Box<dyn Write> = match pos.get(3) {
        Some(out) => Box::new(std::fs::File::create(out)?),
        None => Box::new(std::io::stdout().lock()),
    };
    let out = BufWriter::with_capacity(1 << 20, out);
    let summary = if pos[2] == "-" {
        engine.check(std::io::stdin(), out, None)?
    } else {
        engine.check_file(&std::fs::File::open(&pos[2])?, out, None)?
    };
    let secs = start.elapsed().as_secs_f64();
    let mut err = std::io::stderr().lock();
    writeln!(err, "{}", serde_json::to_string(&summary)?)?;
    writeln!(
        err,
        "{:.3} s, {:.0} result rows/s, {:.1} MB/s",
        secs,
        summary.result_rows as f64 / secs,
        summary.bytes as f64 / secs / 1e6
    )?;
    Ok(())
}
