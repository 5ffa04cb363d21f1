#!/usr/bin/env bash
# A short run of every fuzz target (cargo fuzz, nightly), starting from the seeds in
# fuzz/seeds/. New corpus entries go to target/fuzz-corpus/, never into the repository.
# Usage: scripts/fuzz-smoke.sh [SECONDS_PER_TARGET]   (default 20)
# FUZZ_SANITIZER=none skips AddressSanitizer (the code is safe Rust; what the smoke looks for
# is panics and unbounded growth), which builds several times faster; FUZZ_DEV=1 builds
# without optimizations, faster still for a short run. CI uses both.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
sanitizer="${FUZZ_SANITIZER:-address}"
profile=()
if [[ -n "${FUZZ_DEV:-}" ]]; then profile=(--dev); fi

if ! rustup toolchain list | grep -q '^nightly'; then
    rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

# Build first, with the compiler's messages in full if it fails.
cargo +nightly fuzz build --fuzz-dir fuzz --sanitizer "$sanitizer" "${profile[@]}"

for target in $(cargo +nightly fuzz list --fuzz-dir fuzz); do
    corpus="target/fuzz-corpus/$target"
    mkdir -p "$corpus"
    echo "== fuzz $target for ${seconds}s" >&2
    cargo +nightly fuzz run --fuzz-dir fuzz --sanitizer "$sanitizer" "${profile[@]}" "$target" "$corpus" "fuzz/seeds/$target" -- \
        -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 2>&1 | tail -n 12
done
