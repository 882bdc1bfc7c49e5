#!/usr/bin/env bash
# Side-by-side redis-benchmark: shardis vs redis-server (vs twemproxy over 4
# redis-servers when nutcracker is installed), in one run, same parameters.
# Prints requests/s and p99 per target and the ratios shardis/redis and
# shardis/twemproxy. Usage: scripts/bench.sh [requests]   (default 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200000}
TESTS=${TESTS:-set,get,incr,mset,lpush,rpop,sadd,hset,zadd,lrange_100}
PIPES=${PIPES:-"1 16"}
BIN=${BIN:-bin/shardis}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

command -v redis-benchmark >/dev/null || { echo "bench: redis-benchmark not found (apt-get install redis-tools)"; exit 1; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }
wait_port() { for _ in $(seq 100); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "bench: port $1 never answered"; exit 1; }

SP=$(free_port); S1P=$(free_port); RP=$(free_port)
# shardis runs with its default number of event loops (io-threads 0: one
# below 4 cores, one per core less one from 4 up); LOOPS2=1 adds a second
# shardis with two loops, to show what the second core buys on a small box.
"$BIN" --port "$SP" --admin-port -1 --loglevel warning ${SHARDIS_ARGS:-} 2>"$work/shardis.log" & pids+=($!)
redis-server --port "$RP" --save "" --appendonly no --dir "$work" >/dev/null & pids+=($!)
wait_port "$SP"; wait_port "$RP"
targets=("shardis:$SP" "redis:$RP")
if [ "${LOOPS2:-0}" = 1 ]; then
  "$BIN" --port "$S1P" --admin-port -1 --loglevel warning --io-threads 2 2>"$work/shardis2.log" & pids+=($!)
  wait_port "$S1P"; targets+=("shardis-2loops:$S1P")
fi

if command -v nutcracker >/dev/null; then
  TP=$(free_port); servers=""
  for i in 1 2 3 4; do
    p=$(free_port); mkdir -p "$work/r$i"
    redis-server --port "$p" --save "" --appendonly no --dir "$work/r$i" >/dev/null & pids+=($!)
    wait_port "$p"; servers+="    - 127.0.0.1:$p:1"$'\n'
  done
  cat >"$work/nutcracker.yml" <<YML
bench:
  listen: 127.0.0.1:$TP
  hash: fnv1a_64
  distribution: ketama
  redis: true
  servers:
$servers
YML
  nutcracker -c "$work/nutcracker.yml" -o "$work/nutcracker.log" & pids+=($!)
  wait_port "$TP"; targets+=("twemproxy:$TP")
fi

# Tests run one at a time, every target back to back, ROUNDS times over:
# on a shared machine the speed drifts within minutes, and interleaving
# keeps the drift out of the ratios. Each figure is the median round (p99
# from that round): on a busy virtual machine one round in a few runs far
# faster or slower than the rest, and the best of the rounds would pick
# such an outlier for one target and not another. Data is kept between
# tests, so RPOP pops what LPUSH pushed, as in one redis-benchmark run.
ROUNDS=${ROUNDS:-3}
# CPU steal (time the hypervisor gave this VM's CPUs to others) during the
# rounds, printed with the results: on a shared machine it is what makes
# one round differ from the next.
cpu_stat() { awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8+$9, $9}' /proc/stat; }
read -r stat_total0 stat_steal0 < <(cpu_stat)
declare -A RUNS RPS P99
for P in $PIPES; do
  for test in ${TESTS//,/ }; do
    for _ in $(seq "$ROUNDS"); do
      for t in "${targets[@]}"; do
        name=${t%%:*}; port=${t##*:}
        while IFS=, read -r row rps _avg _min _p50 _p95 p99 _max; do
          row=${row//\"/}; [ "$row" = test ] && continue
          case $row in *needed*) continue ;; esac # LRANGE's own LPUSH fill
          key="${row%% *}|$P|$name"; rps=${rps//\"/}
          RUNS[$key]+="${rps%.*} ${p99//\"/}"$'\n'
        done < <(redis-benchmark -p "$port" -c 50 -r 100000 -n "$N" -P "$P" -t "$test" --csv 2>/dev/null)
      done
    done
  done
done

for key in "${!RUNS[@]}"; do
  read -r "RPS[$key]" "P99[$key]" < <(printf '%s' "${RUNS[$key]}" | sort -n | awk '{r[NR]=$0} END {print r[int((NR+1)/2)]}')
done

read -r stat_total1 stat_steal1 < <(cpu_stat)
steal=$(awk -v t=$((stat_total1 - stat_total0)) -v s=$((stat_steal1 - stat_steal0)) 'BEGIN{printf "%.0f", t ? 100*s/t : 0}')
echo "machine: $(nproc) cores; redis-benchmark -c 50 -r 100000 -n $N, median of $ROUNDS interleaved rounds; shardis runs its default io-threads (0: automatic); CPU steal ${steal}%"
printf '%-6s %-3s %-14s %12s %8s %9s %9s\n' test P target rps p99_ms vs_redis vs_twem
for P in $PIPES; do
  for test in ${TESTS//,/ }; do
    T=${test^^}
    r=${RPS[$T|$P|redis]:-0}; w=${RPS[$T|$P|twemproxy]:-0}
    for t in "${targets[@]}"; do
      name=${t%%:*}; v=${RPS[$T|$P|$name]:-0}
      ratio() { python3 -c "print(f'{$1/$2:.2f}x' if $2 else '-')"; }
      printf '%-6s %-3s %-14s %12s %8s %9s %9s\n' "$T" "$P" "$name" "$v" "${P99[$T|$P|$name]:-}" "$(ratio "$v" "$r")" "$(ratio "$v" "$w")"
    done
  done
done
