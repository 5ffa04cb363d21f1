#!/usr/bin/env bash
# Runs one anseo-bench scenario against Anseo (release build) and the peers of BENCH.md on
# this machine, in one go, with the server pinned to CPU 0 and the load generator to CPU 1
# (SERVER_CPUS and LOAD_CPUS change that, e.g. both "0,1" to let each use both cores):
#
#   bench/compare.sh SCENARIO [SCENARIO ARGS] --report DIR
#   e.g. bench/compare.sh fanout --clients 100 --size 64 --find-max --report /tmp/fanout
#
# Leaves DIR/results.json (one result object per target), DIR/report.md and
# DIR/latency-SCENARIO.png. Installs ngIRCd and NATS from Debian when they are missing.
# Targets: anseo (the default server: messages stored in SQLite before delivery),
# anseo-memory (--no-store), ngircd (plain TCP), ngircd-tls, nats. Set TARGETS="anseo nats" to
# pick. The `transfer` scenario compares anseo with scp (OpenSSH from Debian, installed when
# missing) copying a file of the same size up and down over loopback. Builds into $CARGO_TARGET_DIR (default target/); SKIP_BUILD=1 uses what is there.
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
if [[ "${ARGS[0]}" == transfer ]]; then
  TARGETS="${TARGETS:-anseo scp}"
else
  TARGETS="${TARGETS:-anseo-memory anseo ngircd ngircd-tls nats}"
fi
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
IRC_PORT="${IRC_PORT:-6668}"
IRCS_PORT="${IRCS_PORT:-6698}"
NATS_PORT="${NATS_PORT:-4222}"
SSH_PORT="${SSH_PORT:-2222}"

need() {
  if ! command -v "$1" >/dev/null 2>&1 && [[ ! -x "/usr/sbin/$1" ]]; then
    echo "installing $2 from Debian" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  fi
}
if [[ "${ARGS[0]}" == transfer ]]; then
  need sshd openssh-server
  need scp openssh-client
else
  need ngircd ngircd
  need nats-server nats-server
fi
need taskset util-linux
need openssl openssl
export PATH="$PATH:/usr/sbin"

BUILT="${CARGO_TARGET_DIR:-$ROOT/target}/release"
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "building anseo-server and anseo-bench (release)" >&2
  (cd "$ROOT" && cargo build --release -q -p anseo-server -p anseo-bench)
fi
SERVER="$BUILT/anseo-server"
SERVER_CPUS="${SERVER_CPUS:-0}"
LOAD_CPUS="${LOAD_CPUS:-1}"
BENCH=(taskset -c "$LOAD_CPUS" "$BUILT/anseo-bench")

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
    ngircd*) taskset -c "$SERVER_CPUS" ngircd -n -f "$WORK/ngircd.conf" >"$WORK/ngircd.log" 2>&1 & PEER_PID=$!; wait_port "$IRC_PORT" ;;
    nats) taskset -c "$SERVER_CPUS" nats-server -a 127.0.0.1 -p "$NATS_PORT" >"$WORK/nats.log" 2>&1 & PEER_PID=$!; wait_port "$NATS_PORT" ;;
  esac
  PIDS+=("$PEER_PID")
}

# scp of a file of the transfer's size (--size-mib, default 1024) up to an sshd on this
# machine and back, sshd on CPU 0 and scp on CPU 1 like the Anseo run; adds its result.
scp_transfer() {
  local mib=1024 i
  for ((i = 0; i < ${#ARGS[@]}; i++)); do
    [[ "${ARGS[$i]}" == --size-mib ]] && mib="${ARGS[$((i + 1))]}"
    [[ "${ARGS[$i]}" == --size-mib=* ]] && mib="${ARGS[$i]#--size-mib=}"
  done
  head -c "$((mib << 20))" /dev/urandom > "$WORK/file.bin"
  ssh-keygen -q -t ed25519 -N "" -f "$WORK/host_key"
  ssh-keygen -q -t ed25519 -N "" -f "$WORK/user_key"
  cp "$WORK/user_key.pub" "$WORK/authorized_keys"
  mkdir -p /run/sshd
  taskset -c "$SERVER_CPUS" /usr/sbin/sshd -D -f /dev/null -p "$SSH_PORT" -o ListenAddress=127.0.0.1 \
    -o HostKey="$WORK/host_key" -o AuthorizedKeysFile="$WORK/authorized_keys" -o StrictModes=no \
    -o PasswordAuthentication=no -o UsePAM=no -o "Subsystem=sftp internal-sftp" \
    -o PidFile="$WORK/sshd.pid" 2>"$WORK/sshd.log" &
  PEER_PID=$!
  PIDS+=("$PEER_PID")
  wait_port "$SSH_PORT"
  local scp=(taskset -c "$LOAD_CPUS" scp -q -P "$SSH_PORT" -i "$WORK/user_key" -o BatchMode=yes
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null)
  local remote="$(id -un)@127.0.0.1"
  local t0 t1 t2
  t0=$(date +%s.%N)
  "${scp[@]}" "$WORK/file.bin" "$remote:$WORK/up.bin"
  t1=$(date +%s.%N)
  "${scp[@]}" "$remote:$WORK/up.bin" "$WORK/down.bin"
  t2=$(date +%s.%N)
  cmp -s "$WORK/file.bin" "$WORK/down.bin" || { echo "scp: the copy differs" >&2; return 1; }
  awk -v mib="$mib" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v port="$SSH_PORT" 'BEGIN {
    mb = mib * 1048576 / 1e6
    printf "{\"scenario\":\"transfer\",\"target\":\"scp://127.0.0.1:%s\",\"label\":\"scp\",", port
    printf "\"size_mib\":%d,\"upload_mb_per_sec\":%.1f,\"download_mb_per_sec\":%.1f}\n", mib, mb / (t1 - t0), mb / (t2 - t1)
  }' > "$WORK/scp.json"
  cat "$WORK/scp.json"
  "$BUILT/anseo-bench" report "$REPORT" --add "$WORK/scp.json"
  rm -f "$WORK/file.bin" "$WORK/up.bin" "$WORK/down.bin"
}

stop_peer() {
  kill "$PEER_PID" 2>/dev/null || true
  wait "$PEER_PID" 2>/dev/null || true
}

for target in $TARGETS; do
  echo "== $target" >&2
  case "$target" in
    anseo)
      "${BENCH[@]}" "${ARGS[@]}" --spawn-server "$SERVER" --server-cpu "$SERVER_CPUS" --label anseo --report "$REPORT" ;;
    anseo-memory)
      "${BENCH[@]}" "${ARGS[@]}" --spawn-server "$SERVER" --server-cpu "$SERVER_CPUS" --server-arg=--no-store \
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
    scp)
      scp_transfer || echo "scp run failed" >&2
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
