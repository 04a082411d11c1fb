#!/usr/bin/env bash
# Build the browser app in release into dist/, optimized by npm binaryen's wasm-opt (installed
# by scripts/setup.sh into tools/wasm-opt). It goes first on PATH because trunk runs whichever
# `wasm-opt` it finds, and Debian's binaryen 108 breaks the app (see ../shared/TOOLCHAIN.md).
set -euo pipefail
cd "$(dirname "$0")/.."
PATH="$PWD/tools/wasm-opt/node_modules/.bin:$PATH" trunk build --release --offline
