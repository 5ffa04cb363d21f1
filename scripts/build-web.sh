#!/usr/bin/env bash
# Builds the web client: the app (app/, feature `web`) for wasm32-unknown-unknown in release,
# bound to JavaScript by wasm-bindgen, into web/dist/ beside web/index.html. anseo-server
# embeds web/dist/ when it is built next, so build this first (scripts/run.sh and
# scripts/test.sh do). Installs the Rust target and wasm-bindgen (the version Cargo.lock
# names, into target/tools) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=wasm32-unknown-unknown
TARGET_DIR=${CARGO_TARGET_DIR:-target}
if ! rustup target list --installed | grep -qx "$TARGET"; then
    rustup target add "$TARGET"
fi

# wasm-bindgen's command must be the version of the wasm-bindgen crate the app links.
VERSION=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')
BINDGEN="$TARGET_DIR/tools/bin/wasm-bindgen"
if ! [ -x "$BINDGEN" ] || [ "$("$BINDGEN" --version | awk '{print $2}')" != "$VERSION" ]; then
    echo "build-web: installing wasm-bindgen $VERSION into $TARGET_DIR/tools"
    cargo install wasm-bindgen-cli --version "$VERSION" --root "$TARGET_DIR/tools"
fi

cargo build -p anseo-app --bin anseo --target "$TARGET" --no-default-features --features web --release --locked
rm -rf web/dist.new
"$BINDGEN" --target web --no-typescript --out-dir web/dist.new --out-name anseo \
    "$TARGET_DIR/$TARGET/release/anseo.wasm"
cp web/index.html web/dist.new/index.html
rm -rf web/dist
mv web/dist.new web/dist
echo "build-web: web/dist/ ($(du -sh web/dist | cut -f1)): $(ls web/dist | tr '\n' ' ')"
