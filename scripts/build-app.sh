#!/usr/bin/env bash
# Build the browser app in release into dist/, optimized by npm binaryen's wasm-opt (installed
# by scripts/setup.sh into tools/wasm-opt). It goes first on PATH because trunk runs whichever
# `wasm-opt` it finds, and Debian's binaryen 108 breaks the app (see ../shared/TOOLCHAIN.md).
# Then the relay writes a brotli and a gzip copy of every compressible file (`sync-server
# compress`), which it sends browsers that accept them. THRESHOLD_RELAY_BIN names a relay
# already built (the test command builds the debug one first); otherwise the release relay,
# which the run command builds anyway, is built here.
set -euo pipefail
cd "$(dirname "$0")/.."
PATH="$PWD/tools/wasm-opt/node_modules/.bin:$PATH" trunk build --release --offline
if [[ -n "${THRESHOLD_RELAY_BIN:-}" ]]; then
  "$THRESHOLD_RELAY_BIN" compress dist
else
  cargo run --release -p threshold-sync-server -- compress dist
fi
