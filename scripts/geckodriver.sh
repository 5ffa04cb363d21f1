#!/usr/bin/env bash
# Installs geckodriver, the WebDriver for Firefox the browser tests drive Firefox ESR with, into
# target/tools/bin (it is not a Debian bookworm package), from crates.io, when it is missing or
# another version.
# Usage: scripts/geckodriver.sh
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=0.37.1
# The tests look for it there (not under $CARGO_TARGET_DIR).
TOOLS=target/tools
GECKODRIVER="$TOOLS/bin/geckodriver"
if ! [ -x "$GECKODRIVER" ] || [ "$("$GECKODRIVER" --version | awk 'NR == 1 {print $2}')" != "$VERSION" ]; then
    echo "geckodriver: installing $VERSION into $TOOLS" >&2
    # Built inside target/ (not in /tmp, which may be small) and the build thrown away after.
    cargo install geckodriver --version "$VERSION" --locked --root "$TOOLS" --target-dir "$TOOLS/build"
    rm -rf "$TOOLS/build"
fi
