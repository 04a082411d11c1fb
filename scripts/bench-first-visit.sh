#!/usr/bin/env bash
# Print the first-visit figures on a phone profile (see BENCHMARKS.md, issue 19): builds the
# app (with its compressed copies) and the relay, then runs tests/bench/first-visit.mjs.
#   FIRST_VISIT_RUNS (3); THRESHOLD_RELAY_BIN and THRESHOLD_DIST to measure another build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
target="${CARGO_TARGET_DIR:-$PWD/target}"
if [[ -z "${THRESHOLD_RELAY_BIN:-}" ]]; then
  cargo build --release -p threshold-sync-server
  export THRESHOLD_RELAY_BIN="$target/release/sync-server"
fi
if [[ -z "${THRESHOLD_DIST:-}" ]]; then
  scripts/build-app.sh
  export THRESHOLD_DIST="$PWD/dist"
fi
node tests/bench/first-visit.mjs
