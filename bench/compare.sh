#!/usr/bin/env bash
# Runs one anseo-bench scenario against Anseo (release build) and the peers of BENCH.md on
# this machine, in one go, with the server pinned to CPU 0 and the load generator to CPU 1:
#
#   bench/compare.sh SCENARIO [SCENARIO ARGS] --report DIR
#   e.g. bench/compare.sh fanout --clients 100 --size 64 --find-max --report /tmp/fanout
#
# Leaves DIR/results.json (one result object per target), DIR/report.md and
# DIR/latency-SCENARIO.png. Installs ngIRCd and NATS from Debian when they are missing.
# Targets: anseo (the default server: messages stored in SQLite before delivery),
# anseo-memory (--no-store), ngircd (plain TCP), ngircd-tls, nats. Set TARGETS="anseo nats" to
# pick. Builds into $CARGO_TARGET_DIR (default target/); SKIP_BUILD=1 uses what is there.
set -euo pipefail

usage() { echo "usage: $0 SCENARIO [SCENARIO ARGS] --report DIR" >&2; exit 2; }
[[ $# -ge 1 ]] || usage
ARGS=()
REPORT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --report) REPORT="${2:?--report needs a folder}"; shift 2 ;;
    --report=*) REPORT="${1#--report=}"; shift ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
[[ -n "$REPORT" ]] || usage
TARGETS="${TARGETS:-anseo-memory anseo ngircd ngircd-tls nats}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
IRC_PORT="${IRC_PORT:-6668}"
IRCS_PORT="${IRCS_PORT:-6698}"
NATS_PORT="${NATS_PORT:-4222}"

need() {
  if ! command -v "$1" >/dev/null 2>&1 && [[ ! -x "/usr/sbin/$1" ]]; then
    echo "installing $2 from Debian" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  fi
}
need ngircd ngircd
need nats-server nats-server
need taskset util-linux
need openssl openssl
export PATH="$PATH:/usr/sbin"

BUILT="${CARGO_TARGET_DIR:-$ROOT/target}/release"
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "building anseo-server and anseo-bench (release)" >&2
  (cd "$ROOT" && cargo build --release -q -p anseo-server -p anseo-bench)
fi
SERVER="$BUILT/anseo-server"
BENCH=(taskset -c 1 "$BUILT/anseo-bench")

WORK="$(mktemp -d /tmp/anseo-compare.XXXXXX)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$REPORT"
rm -f "$REPORT/results.json"

# A certificate for ngIRCd's TLS port; the load generator pins its fingerprint.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
  -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$WORK/irc-key.pem" -out "$WORK/irc-cert.pem" 2>/dev/null
chmod 644 "$WORK/irc-key.pem" "$WORK/irc-cert.pem"
chmod 755 "$WORK"
IRC_FP="$(openssl x509 -in "$WORK/irc-cert.pem" -noout -fingerprint -sha256 | cut -d= -f2)"
cat > "$WORK/ngircd.conf" <<CONF
[Global]
  Name = ngircd.bench
  Info = anseo-bench peer
  Listen = 127.0.0.1
  Ports = $IRC_PORT
  MotdPhrase = bench
[Limits]
  MaxConnections = 0
  MaxConnectionsIP = 0
  MaxJoins = 0
  MaxNickLength = 30
  MaxPenaltyTime = 0
[Options]
  DNS = no
  Ident = no
  PAM = no
[SSL]
  CertFile = $WORK/irc-cert.pem
  KeyFile = $WORK/irc-key.pem
  Ports = $IRCS_PORT
CONF

wait_port() {
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on port $1" >&2
  return 1
}

# Starts a peer pinned to CPU 0; sets PEER_PID.
start_peer() {
  case "$1" in
    ngircd*) taskset -c 0 ngircd -n -f "$WORK/ngircd.conf" >"$WORK/ngircd.log" 2>&1 & PEER_PID=$!; wait_port "$IRC_PORT" ;;
    nats) taskset -c 0 nats-server -a 127.0.0.1 -p "$NATS_PORT" >"$WORK/nats.log" 2>&1 & PEER_PID=$!; wait_port "$NATS_PORT" ;;
  esac
  PIDS+=("$PEER_PID")
}

stop_peer() {
  kill "$PEER_PID" 2>/dev/null || true
  wait "$PEER_PID" 2>/dev/null || true
}

for target in $TARGETS; do
  echo "== $target" >&2
  case "$target" in
    anseo)
      "${BENCH[@]}" "${ARGS[@]}" --spawn-server "$SERVER" --server-cpu 0 --label anseo --report "$REPORT" ;;
    anseo-memory)
      "${BENCH[@]}" "${ARGS[@]}" --spawn-server "$SERVER" --server-cpu 0 --server-arg=--no-store \
        --label anseo-memory --report "$REPORT" ;;
    ngircd)
      start_peer ngircd
      "${BENCH[@]}" "${ARGS[@]}" --target "irc://127.0.0.1:$IRC_PORT" --server-pid "$PEER_PID" \
        --label ngircd --report "$REPORT" || echo "ngircd run failed" >&2
      stop_peer ;;
    ngircd-tls)
      start_peer ngircd
      wait_port "$IRCS_PORT"
      "${BENCH[@]}" "${ARGS[@]}" --target "ircs://127.0.0.1:$IRCS_PORT" --tls-fingerprint "$IRC_FP" \
        --server-pid "$PEER_PID" --label ngircd-tls --report "$REPORT" || echo "ngircd-tls run failed" >&2
      stop_peer ;;
    nats)
      start_peer nats
      "${BENCH[@]}" "${ARGS[@]}" --target "nats://127.0.0.1:$NATS_PORT" --server-pid "$PEER_PID" \
        --label nats --report "$REPORT" || echo "nats run failed" >&2
      stop_peer ;;
    *) echo "unknown target $target" >&2; exit 2 ;;
  esac
done
echo "report: $REPORT/report.md, $REPORT/results.json" >&2
