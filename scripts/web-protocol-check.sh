#!/usr/bin/env bash
# Checks that the protocol module builds for the web (wasm32-unknown-unknown) without the
# client core, quinn or tokio, and that the client core builds there with the browser's
# transport (feature `web`) and without quinn, as the browser client needs. (The app itself
# is built for the browser by scripts/build-web.sh.) Installs the Rust target when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=wasm32-unknown-unknown
if ! rustup target list --installed | grep -qx "$TARGET"; then
    rustup target add "$TARGET"
fi
cargo check -p anseo-shared --no-default-features --target "$TARGET" --locked
if cargo tree -p anseo-shared --no-default-features --target "$TARGET" -e normal --locked | grep -E 'tokio|quinn'; then
    echo "web-protocol-check: the protocol for $TARGET pulls in tokio or quinn (above)" >&2
    exit 1
fi
echo "web-protocol-check: the protocol builds for $TARGET without tokio or quinn"

cargo clippy -p anseo-shared --no-default-features --features web --target "$TARGET" --locked -- -D warnings
if cargo tree -p anseo-shared --no-default-features --features web --target "$TARGET" -e normal --locked | grep -E 'quinn|rustls|ring '; then
    echo "web-protocol-check: the browser's client core pulls in quinn, rustls or ring (above)" >&2
    exit 1
fi
echo "web-protocol-check: the client core builds for $TARGET with the browser's transport"
