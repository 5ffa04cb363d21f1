#!/usr/bin/env bash
# Type-checks the Anseo app for Android phones (aarch64-linux-android, `mobile` feature),
# C dependencies (ring) included, without the Android NDK: Debian's clang targets Android and
# the aarch64 glibc headers stand in for the NDK's. Linking an APK still needs the NDK, SDK and
# JDK 17 (`dx bundle --platform android`); this script does not pretend to do that.
#
# Installs what is missing (clang, llvm, libc6-dev-arm64-cross via apt-get; the Rust target
# via rustup), so it works on a fresh Debian machine.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=aarch64-linux-android
API=24  # keep equal to min_sdk in Dioxus.toml

need_apt=()
command -v clang >/dev/null || need_apt+=(clang)
command -v llvm-ar >/dev/null || ls /usr/bin/llvm-ar-* >/dev/null 2>&1 || need_apt+=(llvm)
[ -d /usr/aarch64-linux-gnu/include ] || need_apt+=(libc6-dev-arm64-cross)
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "installing ${need_apt[*]}"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need_apt[@]}"
fi

if ! rustup target list --installed | grep -qx "$TARGET"; then
    rustup target add "$TARGET"
fi

AR_BIN=$(command -v llvm-ar || ls /usr/bin/llvm-ar-* | sort -V | tail -1)
export CC_aarch64_linux_android=clang
export AR_aarch64_linux_android="$AR_BIN"
export CFLAGS_aarch64_linux_android="--target=${TARGET}${API} -isystem /usr/aarch64-linux-gnu/include"

cargo check -p anseo-app --target "$TARGET" --no-default-features --features mobile "$@"
echo "android-check: anseo-app type-checks for $TARGET (API $API)"
