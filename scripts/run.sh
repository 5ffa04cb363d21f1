#!/usr/bin/env bash
# Runs Anseo on this machine: the server (generating its certificate in certs/ on first start)
# serving the web client (built first, embedded in the server) at https://ADDRESS:4433/, and,
# when a display is present, the desktop app connected to it.
# Usage: scripts/run.sh [SERVER OPTIONS...]   e.g. scripts/run.sh --listen 0.0.0.0:4433
set -euo pipefail
cd "$(dirname "$0")/.."

with_app=""
if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then with_app=1; fi

scripts/build-web.sh
if [[ -n "$with_app" ]]; then
    scripts/deps.sh --app-only
    cargo build --release -p anseo-server -p anseo-app
else
    cargo build --release -p anseo-server
fi

if [[ -z "$with_app" ]]; then
    echo "no display found: running the server only (connect from a browser, the app or anseo-cli)" >&2
    exec target/release/anseo-server "$@"
fi

# The app connects to the port the server listens on (4433 unless --listen says otherwise).
# The fingerprint comes from the same certificate the server uses.
port=4433
args=("$@")
cert_args=()
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[i]}" in
        --listen) port="${args[i + 1]##*:}" ;;
        --listen=*) port="${args[i]##*:}" ;;
        --cert-dir | --cert) cert_args+=("${args[i]}" "${args[i + 1]}") ;;
        --cert-dir=* | --cert=*) cert_args+=("${args[i]}") ;;
    esac
done

target/release/anseo-server "$@" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null' EXIT
# The first start writes the certificate; wait for it before reading its fingerprint.
for _ in $(seq 100); do
    fingerprint=$(target/release/anseo-server fingerprint "${cert_args[@]}" 2>/dev/null) && break
    sleep 0.1
done
target/release/anseo --server "127.0.0.1:$port" --fingerprint "$fingerprint"
