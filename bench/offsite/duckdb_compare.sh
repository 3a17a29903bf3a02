#!/usr/bin/env bash
# Generates a ~1M-result-row corpus in /tmp (unless DIR already has one), builds the engine, installs
# DuckDB from PyPI into a venv in /tmp, and compares the two (medians of RUNS runs, default 3).
# Usage: bench/offsite/duckdb_compare.sh [DIR] [RUNS]
# The engine is the plain `dist` build (release + LTO); set LIANJIAN_PGO=1 to compare the
# profile-guided build instead (scripts/build-pgo --offsite-only, ≈ 2–4 minutes), which was faster
# on one processor and slower on another (bench/offsite/README.md, fifth and sixth passes).
set -euo pipefail
DIR=${1:-/tmp/offsite-corpus-1m}
RUNS=${2:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
if [ -n "${LIANJIAN_PGO:-}" ]; then
  "$ROOT/scripts/build-pgo" --offsite-only
  BIN=$CARGO_TARGET_DIR/pgo/dist
else
  cargo build --profile dist -q -p lianjian-offsite -p lianjian-corpus --bins --manifest-path "$ROOT/Cargo.toml"
  BIN=$CARGO_TARGET_DIR/dist
fi
if [ ! -f "$DIR/reports.jsonl" ]; then
  "$BIN/offsite-corpus" "$DIR" --rows 1000000 --plant-every 400
fi
VENV=/tmp/lianjian-duckdb-venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q duckdb
fi
echo "peak RSS of one engine run:"
/usr/bin/time -v "$BIN/offsite-check" "$DIR/registry.json" "$DIR/methods.csv" "$DIR/reports.jsonl" /dev/null 2>&1 \
  | grep -E "Maximum resident|Elapsed|result rows/s"
"$VENV/bin/python" "$(dirname "$0")/duckdb_compare.py" "$DIR" "$BIN/offsite-check" "$RUNS"
