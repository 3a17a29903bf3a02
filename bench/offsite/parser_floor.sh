#!/usr/bin/env bash
# How long the fastest well-kept Rust JSON readers take merely to parse the corpus (file already in
# memory, no rules, N threads) — the floor under any engine built on them. Compare with the DuckDB
# median from duckdb_compare.sh: the issue's 10x floor leaves DuckDB's time / 10 for everything.
# Usage: bench/offsite/parser_floor.sh [DIR] [RUNS]
set -euo pipefail
DIR=${1:-/tmp/offsite-corpus-1m}
RUNS=${2:-5}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}/parser-floor
cargo build --release --locked -q --manifest-path "$ROOT/bench/offsite/parser-floor/Cargo.toml"
"$CARGO_TARGET_DIR/release/offsite-parser-floor" "$DIR/reports.jsonl" --threads "$(nproc)" --runs "$RUNS"
