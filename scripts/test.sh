#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, every unit and end-to-end test
# (real server, real clients, the desktop app in an Xvfb window, the web client in headless
# Chromium and Firefox ESR), and the Android type-check.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
rustup component add rustfmt clippy >/dev/null 2>&1 || true

echo "== cargo fmt --check" >&2
cargo fmt --all --check
echo "== cargo clippy" >&2
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== the web client (wasm32), which the server embeds" >&2
scripts/build-web.sh
echo "== build the binaries the end-to-end tests run, and the tests" >&2
# One build for both, so the binaries are built with the features the tests unify (a
# separate `cargo build --bins` would build much of the workspace twice).
cargo build --workspace --bins --tests --locked
echo "== geckodriver (Firefox's WebDriver) for the browser tests" >&2
scripts/geckodriver.sh
echo "== tests" >&2
cargo test --workspace --locked
echo "== the protocol and the client core for the web (wasm32)" >&2
scripts/web-protocol-check.sh
echo "== Android type-check" >&2
scripts/android-check.sh
echo "== fuzz smoke (each target for a few seconds)" >&2
FUZZ_SANITIZER=none FUZZ_DEV=1 scripts/fuzz-smoke.sh 10
