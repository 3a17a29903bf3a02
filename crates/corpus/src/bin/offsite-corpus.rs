//! Writes a deterministic off-site test corpus: `registry.json`, `methods.csv`, `reports.jsonl`
//! and `truth.jsonl` (what was planted) into a directory.
//!
//! `offsite-corpus DIR [--seed N] [--reports N] [--rows N] [--institutions N] [--clean] [--plant-every N]`

use std::io::{BufWriter, Write};

use lianjian_corpus::{generate, CorpusSpec};

fn main() {
    if let Err(e) = run() {
        eprintln!("offsite-corpus: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or("usage: offsite-corpus DIR [--seed N] [--reports N] [--rows N] [--institutions N] [--clean] [--plant-every N]")?;
    let mut spec = CorpusSpec { reports: u64::MAX, rows: 0, ..CorpusSpec::default() };
    let mut reports_set = false;
    while let Some(a) = args.next() {
        let mut num = || -> Result<u64, Box<dyn std::error::Error>> {
            Ok(args.next().ok_or("missing value")?.parse()?)
        };
        match a.as_str() {
            "--seed" => spec.seed = num()?,
            "--reports" => {
                spec.reports = num()?;
                reports_set = true;
            }
            "--rows" => spec.rows = num()?,
            "--institutions" => spec.institutions = num()? as usize,
            "--plant-every" => spec.plant_every = num()?,
            "--clean" => spec.plant = false,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    if !reports_set && spec.rows == 0 {
        spec.reports = 3000;
    }
    std::fs::create_dir_all(&dir)?;
    let path = |f: &str| std::path::Path::new(&dir).join(f);
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path("reports.jsonl"))?);
    let corpus = generate(&spec, &mut out)?;
    out.flush()?;
    std::fs::write(path("registry.json"), corpus.snapshot.to_canonical_json())?;
    std::fs::write(path("methods.csv"), &corpus.methods_csv)?;
    let mut t = BufWriter::new(std::fs::File::create(path("truth.jsonl"))?);
    for p in &corpus.truth {
        serde_json::to_writer(&mut t, p)?;
        t.write_all(b"\n")?;
    }
    t.flush()?;
    println!("{} reports, {} result rows, {} planted", corpus.reports, corpus.rows, corpus.truth.len());
    Ok(())
}
