#!/usr/bin/env bash
# Install whatever this machine lacks to build (and, with --test, to test) Threshold.
# Everything already present at the right version is skipped, so a warm machine pays nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=false
[[ "${1:-}" == "--test" ]] && want_test=true

TRUNK_VERSION=0.21.14
# The CLI must match the wasm-bindgen crate in Cargo.lock exactly.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [[ "$(trunk --version 2>/dev/null || true)" != "trunk $TRUNK_VERSION" ]]; then
  # trunk 0.22 needs a newer rustc than this toolchain; 0.21.14 builds (about 25 minutes cold).
  say "installing trunk $TRUNK_VERSION"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

if [[ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]]; then
  # Not --locked: the locked tree wants a webpki-roots release the registry lacks.
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if [[ ! -x tools/wasm-opt/node_modules/.bin/wasm-opt || tools/wasm-opt/package-lock.json -nt tools/wasm-opt/node_modules/.package-lock.json ]]; then
  say "installing wasm-opt (npm binaryen) for release builds"
  (cd tools/wasm-opt && npm install --no-audit --no-fund --loglevel=error)
fi

$want_test || exit 0

if [[ ! -x /usr/bin/chromium || ! -x /usr/bin/chromedriver ]]; then
  say "installing Debian chromium and chromium-driver"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver
fi

if [[ ! -d tests/node_modules || tests/package-lock.json -nt tests/node_modules/.package-lock.json ]]; then
  say "installing npm test dependencies"
  # `npm install`, not `npm ci`: this npm leaves cbor-x's optional platform packages out of the
  # lockfile and then `npm ci` refuses it. `npm install` follows the lockfile without rewriting it.
  (cd tests && npm install --no-audit --no-fund --loglevel=error)
fi

# The tests' SMTP server: aiosmtpd from PyPI in a venv under tools/ (ignored by git).
AIOSMTPD_VERSION=1.4.6
SMTP_VENV=tools/smtp/venv
if [[ "$("$SMTP_VENV/bin/python" -c 'import aiosmtpd; print(aiosmtpd.__version__)' 2>/dev/null || true)" != "$AIOSMTPD_VERSION" ]]; then
  say "installing aiosmtpd $AIOSMTPD_VERSION (the tests' SMTP server) into $SMTP_VENV"
  if ! python3 -m venv "$SMTP_VENV" 2>/dev/null; then
    # Debian's python3 keeps venv in its own package.
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq python3-venv
    python3 -m venv "$SMTP_VENV"
  fi
  "$SMTP_VENV/bin/pip" install --quiet --disable-pip-version-check "aiosmtpd==$AIOSMTPD_VERSION"
fi

# Several relays on one database (tests/e2e/relays.test.mjs and the postgres module's tests):
# Debian's PostgreSQL. The tests make and remove their own throwaway clusters; nothing is
# started here, and Debian's own cluster is not used.
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null; then
  say "installing Debian postgresql (the tests start throwaway clusters)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql
fi

# A real load balancer in front of several relays (tests/e2e/nginx.test.mjs runs
# deploy/nginx.conf): Debian's nginx. The tests run it in the foreground with their own config
# and prefix in a temp dir; the package's own service is not started (or used).
if [[ ! -x /usr/sbin/nginx ]]; then
  say "installing Debian nginx (the tests run their own instance in front of two relays)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq nginx
fi
