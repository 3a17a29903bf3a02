# Sourced by .ci/run and scripts/test. A faked clock (`faketime '2026-12-20 10:00' .ci/run`, i.e.
# LD_PRELOAD and FAKETIME*) reaches the test binaries only: cargo, rustc and the build scripts run on
# the real clock — cargo decides freshness from file times (outputs stamped in the future would look up
# to date after real edits), and libfaketime hangs some of them. The faketime variables are saved and
# taken away here, and cargo starts every test binary through scripts/faked-clock-runner, which puts
# them back.
if [ -n "${FAKETIME:-}" ] || [[ "${LD_PRELOAD:-}" == *faketime* ]]; then
  LIANJIAN_FAKED_CLOCK_ENV=$(mktemp)
  for v in $(compgen -e | grep -E '^(LD_PRELOAD|FAKETIME.*|DONT_FAKE_MONOTONIC|NO_FAKE_TIME)$'); do
    printf 'export %s=%q\n' "$v" "${!v}" >>"$LIANJIAN_FAKED_CLOCK_ENV"
    unset "$v"
  done
  export LIANJIAN_FAKED_CLOCK_ENV
  export CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER="$PWD/scripts/faked-clock-runner"
  printf '\n==> the tests run on a faked clock: %s\n' "$(source "$LIANJIAN_FAKED_CLOCK_ENV"; date)"
fi
