//! Feeds arbitrary bytes to the off-site engine as a JSON Lines report stream: it must never
//! panic, must account for every non-blank line, must give the same output with one thread and
//! with two, and the fast line scanner must give the same output bytes as the reference parser.
//! `cargo fuzz run reports fuzz/corpus/reports`.
#![no_main]

use std::sync::LazyLock;

use lianjian_offsite::{Engine, Thresholds};
use lianjian_registry::{MethodTable, Snapshot};
use libfuzzer_sys::fuzz_target;

static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    let snapshot = Snapshot::from_json(include_str!("../corpus/registry.json")).expect("fuzz registry");
    let methods = MethodTable::from_csv(&include_bytes!("../corpus/methods.csv")[..]).expect("fuzz methods");
    Engine::new(&snapshot, &methods, Thresholds::default()).with_batch_bytes(4096)
});

/// The same engine reading every line with the reference parser.
static REFERENCE: LazyLock<Engine> = LazyLock::new(|| {
    let snapshot = Snapshot::from_json(include_str!("../corpus/registry.json")).expect("fuzz registry");
    let methods = MethodTable::from_csv(&include_bytes!("../corpus/methods.csv")[..]).expect("fuzz methods");
    Engine::new(&snapshot, &methods, Thresholds::default())
        .with_batch_bytes(4096)
        .with_threads(1)
        .with_fast_path(false)
});

fuzz_target!(|data: &[u8]| {
    let mut one = Vec::new();
    let mut two = Vec::new();
    let a = ENGINE.clone_with_threads(1).check(data, &mut one, None).expect("in-memory I/O");
    let b = ENGINE.clone_with_threads(2).check(data, &mut two, None).expect("in-memory I/O");
    assert_eq!(one, two);
    assert_eq!(a, b);
    let mut reference = Vec::new();
    let c = REFERENCE.check(data, &mut reference, None).expect("in-memory I/O");
    assert_eq!(one, reference, "fast path and reference parser differ");
    assert_eq!(a, c);
    for line in one.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let _: serde_json::Value = serde_json::from_slice(line).expect("findings are JSON");
    }
});
