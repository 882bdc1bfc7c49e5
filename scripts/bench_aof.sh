#!/usr/bin/env bash
# redis-benchmark SET at -P 1 and -P 16 against shardis and redis-server
# with appendonly off, appendfsync everysec and appendfsync always, both on
# the same disk (a fresh temporary directory each), then the start-up
# (load) time of 1,000,000 keys from shardis's append-only files.
# Usage: scripts/bench_aof.sh [requests]   (default 200000)
# Env: DIR (where the files go; default a mktemp dir), BIN (bin/shardis),
#      KEYS (load test key count, 1000000), CLIENTS (50), ROUNDS (3),
#      SHARDIS_ARGS (more shardis flags, e.g. "--procs-per-loop yes").
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200000}
BIN=${BIN:-bin/shardis}
KEYS=${KEYS:-1000000}
CLIENTS=${CLIENTS:-50}
base=$(mktemp -d "${DIR:-/tmp}/bench_aof.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$base"; }
trap cleanup EXIT
command -v redis-benchmark >/dev/null || { echo "bench_aof: redis-benchmark not found"; exit 1; }
[ -x "$BIN" ] || go build -o "$BIN" ./cmd/shardis
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }
wait_port() { for _ in $(seq 600); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.05; done; echo "port $1 never answered"; exit 1; }
rps() { redis-benchmark -p "$1" -t set -n "$N" -c "$CLIENTS" -P "$2" -r 100000 -q 2>/dev/null | tr '\r' '\n' | awk '/SET:/{print $2}' | tail -1; }

# All six servers run side by side and every figure is the median of
# ROUNDS rounds, each round running every mode and server back to back:
# on a shared machine the speed drifts within minutes, and one server
# run long after another would carry the drift into the ratio.
ROUNDS=${ROUNDS:-3}
# CPU steal (time the hypervisor gave this VM's CPUs to others) during the
# rounds, printed with the results: on a shared machine it is what makes
# one round differ from the next.
cpu_stat() { awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8+$9, $9}' /proc/stat; }
read -r stat_total0 stat_steal0 < <(cpu_stat)
declare -A SPORT RPORT RUNS
for mode in off everysec always; do
  d="$base/$mode"; mkdir -p "$d/s" "$d/r"
  if [ "$mode" = off ]; then sargs=(--appendonly no); rargs=(--appendonly no)
  else sargs=(--appendonly yes --appendfsync "$mode"); rargs=(--appendonly yes --appendfsync "$mode"); fi
  SPORT[$mode]=$(free_port); RPORT[$mode]=$(free_port)
  # shellcheck disable=SC2086 # SHARDIS_ARGS is a list of flags
  "$BIN" --port "${SPORT[$mode]}" --admin-port -1 --loglevel warning --dir "$d/s" "${sargs[@]}" ${SHARDIS_ARGS:-} 2>"$d/shardis.log" & pids+=($!)
  redis-server --port "${RPORT[$mode]}" --save "" --dir "$d/r" "${rargs[@]}" >/dev/null & pids+=($!)
  wait_port "${SPORT[$mode]}"; wait_port "${RPORT[$mode]}"
done
for _ in $(seq "$ROUNDS"); do
  for P in 1 16; do
    for mode in off everysec always; do
      RUNS[$mode|$P|s]+="$(rps "${SPORT[$mode]}" "$P") "
      RUNS[$mode|$P|r]+="$(rps "${RPORT[$mode]}" "$P") "
    done
  done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

read -r stat_total1 stat_steal1 < <(cpu_stat)
steal=$(awk -v t=$((stat_total1 - stat_total0)) -v s=$((stat_steal1 - stat_steal0)) 'BEGIN{printf "%.0f", t ? 100*s/t : 0}')
echo "redis-benchmark SET -c $CLIENTS -r 100000 -n $N, median of $ROUNDS interleaved rounds; CPU steal ${steal}%"
printf "%-10s %-4s %12s %12s %8s\n" mode P shardis redis ratio
declare -A off
for P in 1 16; do
  for mode in off everysec always; do
    s=$(echo "${RUNS[$mode|$P|s]}" | median); r=$(echo "${RUNS[$mode|$P|r]}" | median)
    [ "$mode" = off ] && off[$P]=$s
    extra=""
    [ "$mode" != off ] && extra=$(awk -v a="$s" -v b="${off[$P]}" -v m="$mode" 'BEGIN{printf "  %s/off %.2f", m, a/b}')
    printf "%-10s %-4s %12s %12s %8s%s\n" "$mode" "$P" "$s" "$r" "$(awk -v a="$s" -v b="$r" 'BEGIN{printf "%.2f", a/b}')" "$extra"
  done
done
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
wait 2>/dev/null || true
pids=()

# Load time: KEYS keys written with appendfsync no, then a restart.
d="$base/load"; mkdir -p "$d"
SP=$(free_port)
"$BIN" --port "$SP" --admin-port -1 --loglevel warning --dir "$d" --appendonly yes --appendfsync no 2>/dev/null & sp=$!
wait_port "$SP"
seq 1 "$KEYS" | awk '{k="key:" $1; printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$8\r\nvalue:%02d\r\n", length(k), k, $1%100}' |
  redis-cli -p "$SP" --pipe >/dev/null
keys=$(redis-cli -p "$SP" dbsize)
kill "$sp"; wait "$sp" 2>/dev/null || true
size=$(du -sh "$d/appendonlydir" | cut -f1)
start=$(date +%s.%N)
"$BIN" --port "$SP" --admin-port -1 --dir "$d" --appendonly yes 2>"$d/load.log" & sp=$!
wait_port "$SP"
end=$(date +%s.%N)
kill "$sp"; wait "$sp" 2>/dev/null || true
loaded=$(grep -o '"seconds":[0-9.e-]*' "$d/load.log" | head -1 | cut -d: -f2)
echo "load: $keys keys ($size of AOF): ready in $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.2f", b-a}') s, load itself ${loaded} s"
