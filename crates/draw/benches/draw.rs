//! Benchmark of `run` and `verify` on the generated 50,000-candidate × 5,000-inspector plan
//! (`gen::GenParams::benchmark`). Floor: < 1 s each on the 2-core dev machine.

use lianjian_draw::gen::{generate, GenParams};

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 10)]
fn run(bencher: divan::Bencher) {
    let (inputs, entropy) = generate(&GenParams::benchmark());
    bencher.bench(|| lianjian_draw::run(divan::black_box(&inputs), &entropy).expect("staffable"));
}

#[divan::bench(sample_count = 10)]
fn verify(bencher: divan::Bencher) {
    let (inputs, entropy) = generate(&GenParams::benchmark());
    let record = serde_json::to_value(lianjian_draw::run(&inputs, &entropy).expect("staffable")).unwrap();
    bencher.bench(|| lianjian_draw::verify(divan::black_box(&record)).expect("verifies"));
}
