#!/usr/bin/env bash
# Every check and every test: formatting, lints, native tests, relay socket tests, and the
# browser and interop tests against a real relay in real headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test

step() { printf '\n\033[1;34m==> %s\033[0m\n' "$*"; }

step "format"
cargo fmt --all --check

step "lints (every crate, native, with tests)"
cargo clippy --all-targets -- -D warnings
step "lints (browser app, wasm32)"
cargo clippy -p threshold-app --target wasm32-unknown-unknown -- -D warnings

step "native tests: model, engine with simulated peers, relay over real sockets, the app's logic"
cargo test

step "build the relay and the app (release; the relay compresses its files)"
cargo build -p threshold-sync-server
# The relay just built, wherever cargo put it.
export THRESHOLD_RELAY_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/sync-server"
scripts/build-app.sh

step "end-to-end and interop tests in headless Chromium"
export THRESHOLD_DIST="$PWD/dist"
(cd tests && npm test)
