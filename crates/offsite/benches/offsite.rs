//! Engine throughput on a generated corpus (`lianjian_corpus`), end to end from JSON
//! Lines bytes to findings. `cargo bench -p lianjian-offsite`. The ~1M-row file benchmark and the
//! DuckDB comparison are in `bench/offsite/`.

use std::sync::LazyLock;

use divan::counter::{BytesCount, ItemsCount};
use divan::Bencher;
use lianjian_corpus::{generate, CorpusSpec};
use lianjian_offsite::{Engine, Thresholds};
use lianjian_registry::MethodTable;

fn main() {
    divan::main();
}

struct Fixture {
    engine: Engine,
    reports: Vec<u8>,
    rows: u64,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let mut reports = Vec::new();
    let spec = CorpusSpec { seed: 1, reports: 10_000, plant_every: 100, ..CorpusSpec::default() };
    let corpus = generate(&spec, &mut reports).expect("in-memory generation");
    let methods = MethodTable::from_csv(corpus.methods_csv.as_bytes()).expect("generated table");
    Fixture {
        engine: Engine::new(&corpus.snapshot, &methods, Thresholds::default()),
        reports,
        rows: corpus.rows,
    }
});

#[divan::bench(args = [1, 2], sample_count = 10)]
fn check_corpus(bencher: Bencher, threads: usize) {
    let f = &*FIXTURE;
    let engine = Engine::clone_with_threads(&f.engine, threads);
    bencher
        .counter(ItemsCount::new(f.rows))
        .counter(BytesCount::new(f.reports.len()))
        .bench(|| engine.check(&f.reports[..], std::io::sink(), None).expect("in-memory run"));
}
