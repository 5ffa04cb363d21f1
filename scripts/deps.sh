#!/usr/bin/env bash
# Installs what building and testing Anseo needs on Debian/Ubuntu, skipping what is there:
# the WebKitGTK stack for the desktop app, zenity for its file dialog where no desktop portal
# runs and ALSA for its voice clips (headers to build; the PulseAudio plug-in to record from a
# sound server), Xvfb, xdotool, xclip, GTK for Python (a drag source) and PulseAudio (a sound server with
# no speakers, to hear a voice clip play; dunst on a session bus, to see its notifications) for
# its end-to-end test, clang and
# the arm64 headers for the Android type-check, openssl for certificate checks, Chromium and
# its WebDriver and Firefox ESR for the browser tests (Firefox's WebDriver, geckodriver, is no
# Debian package: scripts/geckodriver.sh installs it).
# Usage: scripts/deps.sh [--app-only]
set -euo pipefail

packages=(pkg-config libwebkit2gtk-4.1-dev libgtk-3-dev libxdo-dev zenity libasound2-dev libasound2-plugins)
if [[ "${1:-}" != "--app-only" ]]; then
    packages+=(iproute2 xvfb xdotool xclip python3-gi gir1.2-gtk-3.0 pulseaudio dunst dbus imagemagick clang llvm libc6-dev-arm64-cross openssl chromium chromium-driver firefox-esr)
fi

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]})); then
    echo "installing: ${missing[*]}" >&2
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
    echo "Rust is not installed: install it from https://rustup.rs, then run this again" >&2
    exit 1
fi
