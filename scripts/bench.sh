#!/usr/bin/env bash
# Print the foundation benchmark figures (see BENCHMARKS.md). Builds everything in release.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
scripts/build-app.sh
cargo build --release -p threshold-sync-server
THRESHOLD_RELAY_BIN="$PWD/target/release/sync-server" THRESHOLD_DIST="$PWD/dist" node tests/bench/foundation.mjs
