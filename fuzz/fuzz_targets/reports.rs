//! Feeds arbitrary bytes to the off-site engine as a JSON Lines report stream: it must never
//! panic, must account for every non-blank line, and must give the same output with one thread
//! and with two. `cargo fuzz run reports fuzz/corpus/reports`.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use lianjian_offsite::{Engine, Params};
use lianjian_registry::{MethodTable, Snapshot};

static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    let snapshot = Snapshot::from_json(include_str!("../corpus/registry.json")).expect("fuzz registry");
    let methods = MethodTable::from_csv(&include_bytes!("../corpus/methods.csv")[..]).expect("fuzz methods");
    Engine::new(&snapshot, &methods, Params::default()).with_batch_bytes(4096)
});

fuzz_target!(|data: &[u8]| {
    let mut one = Vec::new();
    let mut two = Vec::new();
    let a = ENGINE.clone_with_threads(1).check(data, &mut one, None).expect("in-memory I/O");
    let b = ENGINE.clone_with_threads(2).check(data, &mut two, None).expect("in-memory I/O");
    assert_eq!(one, two);
    assert_eq!(a, b);
    for line in one.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let _: serde_json::Value = serde_json::from_slice(line).expect("findings are JSON");
    }
});
