#!/usr/bin/env bash
# What each crate costs in the app's wasm (see BENCHMARKS.md, issue 19). Builds the app as the
# release build does but keeps function names (strip off), runs wasm-bindgen and wasm-opt -Oz as
# trunk does (with -g, which keeps the names), then twiggy and tests/bench/wasm-crates.py.
# Sizes are of the uncompressed wasm; the shipped one is the same code without its names.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
command -v twiggy >/dev/null || cargo install --locked twiggy
CARGO_PROFILE_RELEASE_STRIP=false cargo build --release --target wasm32-unknown-unknown \
  -p threshold-app --bin threshold-app
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$out" \
  "$target/wasm32-unknown-unknown/release/threshold-app.wasm"
tools/wasm-opt/node_modules/.bin/wasm-opt -Oz -g --enable-reference-types --enable-bulk-memory \
  --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-multivalue \
  "$out/threshold-app_bg.wasm" -o "$out/named.wasm"
ls -l "$out/named.wasm" | awk '{ printf "wasm with names: %.0f KB\n", $5 / 1000 }'
twiggy top -n 1000000 --format csv "$out/named.wasm" > "$out/top.csv"
python3 tests/bench/wasm-crates.py "$out/top.csv" "${TOP:-25}"
