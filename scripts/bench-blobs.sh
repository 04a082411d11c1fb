#!/usr/bin/env bash
# Print the relay's file-store figures (see BENCHMARKS.md, files): builds the relay in release,
# then runs tests/bench/blobs.mjs.   BENCH_BLOB_MB (50), BENCH_ROUNDS (5)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
cargo build --release -p threshold-sync-server
THRESHOLD_RELAY_BIN="$PWD/target/release/sync-server" node tests/bench/blobs.mjs
