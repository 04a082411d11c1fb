#!/usr/bin/env bash
# Soak benchmark: an honest provider and client editing while the relay is attacked (idle and
# half-sent connections, slow readers, op bombs), against the same pair alone (see
# BENCHMARKS.md). Prints figures; asserts nothing.
#   SOAK_SECONDS (default 60), SOAK_IDLE (1000), SOAK_SLOW_READERS (10), SOAK_PACE_MS (200)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release -p threshold-sync-server
export THRESHOLD_RELAY_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/sync-server"
cargo bench -p threshold-sync-server --bench soak
