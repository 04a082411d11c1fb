#!/usr/bin/env bash
# Build the app in release and run the relay serving it.
#   PORT (default 3030), BIND (default 127.0.0.1), DATA_DIR (default ./data)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build-app.sh
cargo build --release -p threshold-sync-server
exec target/release/sync-server serve \
  --port "${PORT:-3030}" \
  --bind "${BIND:-127.0.0.1}" \
  --data-dir "${DATA_DIR:-./data}" \
  --static-dir dist
