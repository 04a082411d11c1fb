#!/usr/bin/env bash
# Several relays on one PostgreSQL database against one relay on the filesystem, the same load on
# each (see BENCHMARKS.md). Prints figures; asserts nothing. Needs Debian's PostgreSQL
# (scripts/setup.sh --test installs it); a throwaway cluster is made and removed.
#   BENCH_TOPOLOGY (default "fs,pg,pg2,pg3"), BENCH_CLIENTS (default 100), BENCH_SECONDS (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p threshold-sync-server
# Where cargo put it: a worktree with its own CARGO_TARGET_DIR has no ./target.
export THRESHOLD_RELAY_BIN="${THRESHOLD_RELAY_BIN:-${CARGO_TARGET_DIR:-$PWD/target}/release/sync-server}"
cargo bench -p threshold-sync-server --bench relays
