#!/usr/bin/env bash
# What the desktop app costs while a user types and while messages arrive, read from /proc:
# CPU time of the app process and of its webview (WebKitWebProcess) while xdotool types 100
# characters into the composer, and while 100 messages arrive from another user, with
# MESSAGES messages already in the room. Runs under its own Xvfb with the binaries in
# BIN (default target/release; build them with
# `cargo build --release -p anseo-server -p anseo-cli -p anseo-app`).
# Usage: scripts/measure-app.sh [MESSAGES]   e.g. scripts/measure-app.sh 10000
set -euo pipefail
cd "$(dirname "$0")/.."

messages=${1:-0}
bin=${BIN:-target/release}
port=$((20000 + RANDOM % 20000))
display=":$((100 + RANDOM % 800))"
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    pkill -P $$ 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

ticks=$(getconf CLK_TCK)
# CPU time (user + system) of process $1, in ticks.
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# Milliseconds per item for $1 ticks over $2 items.
per_item() { awk -v t="$1" -v n="$2" -v hz="$ticks" 'BEGIN { printf "%.2f", t * 1000 / hz / n }'; }

Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
# Seeding goes fast: the server's send rate is raised for the seeder only by the measure's
# own server, which nobody else uses.
"$bin/anseo-server" --listen "127.0.0.1:$port" --data-dir "$work/data" --cert-dir "$work/certs" \
    --rate-limit-per-sec 100000 --rate-limit-burst 100000 >"$work/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
    fingerprint=$("$bin/anseo-server" fingerprint --cert-dir "$work/certs" 2>/dev/null) && break
    sleep 0.1
done
cli() { "$bin/anseo-cli" --server "127.0.0.1:$port" --fingerprint "$fingerprint" --json --name "$1"; }

if ((messages > 0)); then
    seq 1 "$messages" | sed 's/^/seeded message /' | cli seeder >"$work/seeder.log"
fi

# A watcher, to check that what was typed arrived whole.
sleep infinity | cli watcher >"$work/watcher.log" 2>&1 &
pids+=($!)

# The typist's app, logged in with Enter on the pre-filled form.
DISPLAY=$display XDG_CONFIG_HOME=$work/config HOME=$work/config WEBKIT_DISABLE_COMPOSITING_MODE=1 \
    WEBKIT_DISABLE_DMABUF_RENDERER=1 LIBGL_ALWAYS_SOFTWARE=1 \
    "$bin/anseo" --server "127.0.0.1:$port" --name typist --fingerprint "$fingerprint" \
    >/dev/null 2>"$work/app.log" &
app=$!
pids+=("$app")
window=$(DISPLAY=$display xdotool search --sync --onlyvisible --name Anseo | head -1)
DISPLAY=$display xdotool windowsize "$window" 1280 800 windowfocus --sync "$window"
for _ in $(seq 100); do
    [[ "$(DISPLAY=$display xdotool getwindowname "$window")" == "typist — Anseo" ]] && break
    DISPLAY=$display xdotool key --window "$window" Return
    sleep 0.5
done
webview=$(pgrep -P "$app" -f WebKitWebProcess | head -1)
[[ -n "$webview" ]] || { echo "no webview process under the app" >&2; exit 1; }
sleep 5 # the history page and the first paint settle

# Idle for as long as the typing takes, for the baseline.
measure() { # $1: a command that does the work; prints app and webview ticks spent
    local app0 web0
    app0=$(cpu "$app") web0=$(cpu "$webview")
    eval "$1"
    sleep 1
    echo "$(($(cpu "$app") - app0)) $(($(cpu "$webview") - web0))"
}
text=$(printf 'typing%.0s' $(seq 17) | cut -c1-100)
read -r idle_app idle_web < <(measure "sleep 6")
read -r type_app type_web < <(measure \
    "DISPLAY=$display xdotool type --window $window --delay 60 '$text'")
DISPLAY=$display xdotool key --window "$window" Return
for _ in $(seq 50); do grep -q "\"text\":\"$text\"" "$work/watcher.log" && break; sleep 0.2; done
grep -q "\"text\":\"$text\"" "$work/watcher.log" || { echo "the typed text did not arrive whole" >&2; exit 1; }
# 100 messages from another user, 10 a second (the server's default pace).
incoming() { for i in $(seq 100); do echo "incoming $i"; sleep 0.1; done | cli talker >/dev/null; }
read -r msg_app msg_web < <(measure incoming)

echo "messages in the room: $messages"
echo "idle (6 s):           app $(per_item "$idle_app" 1) ms, webview $(per_item "$idle_web" 1) ms"
echo "per keystroke:        app $(per_item "$type_app" 100) ms, webview $(per_item "$type_web" 100) ms (100 keys, 60 ms apart, idle not subtracted)"
echo "per arriving message: app $(per_item "$msg_app" 100) ms, webview $(per_item "$msg_web" 100) ms (100 messages, 10 a second)"
