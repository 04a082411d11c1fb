#!/usr/bin/env bash
# Print the client figures on a large generated portal (see BENCHMARKS.md, issue 8): builds the
# app, the relay and the portal generator in release, then runs tests/bench/client.mjs.
#   BENCH_TASKS (1000), BENCH_FIELDS (200), BENCH_CHANGES (50000), BENCH_OPENS (10), BENCH_EDITS (50)
#   BENCH_TRACE=<dir> also records Chromium traces and prints what the long tasks were made of.
# Honours CARGO_TARGET_DIR for the binaries it builds.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
scripts/build-app.sh
cargo build --release -p threshold-sync-server
cargo build --release -p threshold-model --example large_portal
target="${CARGO_TARGET_DIR:-$PWD/target}"
THRESHOLD_RELAY_BIN="$target/release/sync-server" THRESHOLD_DIST="$PWD/dist" \
  LARGE_PORTAL_BIN="$target/release/examples/large_portal" node tests/bench/client.mjs
