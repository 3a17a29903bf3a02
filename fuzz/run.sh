#!/usr/bin/env bash
# Build a fuzz target and run it for a while against a scratch copy of its seed corpus
# (fuzz/corpus/TARGET, so libFuzzer's new inputs never land in the repo), then list any crash
# artifacts. Targets: `reports` (the engine, the default) and `upload` (the upload split and its
# ownership check against the engine's reading, issue 15).
#
#   [FUZZ_TARGET=upload] fuzz/run.sh [SECONDS] [LIBFUZZER_ARGS...]     SECONDS defaults to 300
#
# Toolchain: only stable Rust is installed. cargo-fuzz's default build uses AddressSanitizer,
# i.e. `-Zsanitizer=address`, which stable rustc rejects ("the option `Z` is only accepted on
# the nightly compiler"). With `--sanitizer none` every flag cargo-fuzz passes is a stable one
# (-Cpasses=sancov-module, -Cllvm-args=-sanitizer-coverage-..., --cfg fuzzing), so the target
# builds and runs on plain stable, no RUSTC_BOOTSTRAP needed. That is the default here: the
# workspace forbids unsafe code, so ASan finds little and costs about 4x the throughput.
# SANITIZER=address opts into ASan anyway by setting RUSTC_BOOTSTRAP=1 (the stable toolchain
# ships the ASan runtime); it gets its own target dir so the two builds do not evict each other.
#
# The machine is shared: builds use one job and everything runs under `nice -n 19`.
# Environment: FUZZ_TARGET (reports), SANITIZER (none), CARGO_TARGET_DIR
# (/work/target-fuzz[-SANITIZER]), FUZZ_SCRATCH (/tmp/lianjian-fuzz: holds the corpus copy and
# per-run artifact folders).
set -euo pipefail

secs="${1:-300}"
shift $(($# > 0 ? 1 : 0))
fuzz_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
sanitizer="${SANITIZER:-none}"
target="${FUZZ_TARGET:-reports}"
scratch="${FUZZ_SCRATCH:-/tmp/lianjian-fuzz}"

export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"
if [[ "$sanitizer" == none ]]; then
    export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-fuzz}"
else
    export RUSTC_BOOTSTRAP=1
    export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-fuzz-$sanitizer}"
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz not found; installing it" >&2
    nice -n 19 cargo install cargo-fuzz --version 0.13.2 -j 1
fi

corpus="$scratch/corpus-$target"
artifacts="$scratch/artifacts-$target-$(date +%Y%m%d-%H%M%S)"
rm -rf "$corpus"
mkdir -p "$scratch" "$artifacts"
cp -r "$fuzz_dir/corpus/$target" "$corpus"

nice -n 19 cargo fuzz build --fuzz-dir "$fuzz_dir" -s "$sanitizer" "$target"

status=0
# A later -artifact_prefix overrides the one cargo-fuzz puts first (fuzz/artifacts/TARGET/).
nice -n 19 cargo fuzz run --fuzz-dir "$fuzz_dir" -s "$sanitizer" "$target" "$corpus" -- \
    -max_total_time="$secs" -artifact_prefix="$artifacts/" "$@" || status=$?

echo
if compgen -G "$artifacts/*" >/dev/null; then
    echo "crash artifacts in $artifacts:"
    ls -l "$artifacts"
    echo "reproduce: cargo fuzz run --fuzz-dir $fuzz_dir -s $sanitizer $target <artifact>"
else
    echo "no crash artifacts (libFuzzer exit status $status)"
fi
exit "$status"
