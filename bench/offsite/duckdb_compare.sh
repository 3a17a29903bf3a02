#!/usr/bin/env bash
# Generates a ~1M-result-row corpus in /tmp (unless DIR already has one), builds the engine, installs
# DuckDB from PyPI into a venv in /tmp, and compares the two (medians of RUNS runs, default 3).
# Usage: bench/offsite/duckdb_compare.sh [DIR] [RUNS]
# The engine is the profile-guided build (scripts/build-pgo --offsite-only, ≈ 4 minutes); set
# LIANJIAN_NO_PGO=1 to compare the plain `dist` build instead.
set -euo pipefail
DIR=${1:-/tmp/offsite-corpus-1m}
RUNS=${2:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
if [ -n "${LIANJIAN_NO_PGO:-}" ]; then
  cargo build --profile dist -q -p lianjian-offsite --bins --manifest-path "$ROOT/Cargo.toml"
  BIN=$CARGO_TARGET_DIR/dist
else
  "$ROOT/scripts/build-pgo" --offsite-only
  BIN=$CARGO_TARGET_DIR/pgo/dist
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
