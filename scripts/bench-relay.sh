#!/usr/bin/env bash
# Relay load benchmark: our relay and the stock automerge-repo sync server side by side (see
# BENCHMARKS.md). Prints figures and ratios; asserts nothing.
#   BENCH_CLIENTS (default "100,500,1000"), BENCH_SECONDS (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ ! -d tests/bench/stock-relay/node_modules/@automerge/automerge-repo-sync-server ]; then
  (cd tests/bench/stock-relay && npm install --no-audit --no-fund)
fi
cargo build --release -p threshold-sync-server
# Where cargo put it: a worktree with its own CARGO_TARGET_DIR has no ./target.
export THRESHOLD_RELAY_BIN="${THRESHOLD_RELAY_BIN:-${CARGO_TARGET_DIR:-$PWD/target}/release/sync-server}"
export STOCK_RELAY_JS="$PWD/tests/bench/stock-relay/node_modules/@automerge/automerge-repo-sync-server/src/index.js"
cargo bench -p threshold-sync-server --bench relay_load
