#!/usr/bin/env bash
# Resident memory, idle and under load, and CPU per request of edge builds and grpc-gateway,
# in one run, behind one bench backend.
#
#   Benchmarks/memory.sh [NAME=EDGE_BIN ...]
#     default: static=.build/release/edge-static dynamic=.build/release/edge-dynamic
#     (scripts/build-release.sh and scripts/build-release.sh --dynamic leave those copies)
#   MEMORY_SLICES=6 MEMORY_SLICE_SECONDS=3 MEMORY_SCENARIO=get_small MEMORY_OUT=DIR
#
# Every gateway starts at once (grpc-gateway v1.6.4 from ../shared/bench, and `edge serve` of
# each binary with one event loop), all pinned to cpu1; the bench's grpc-go backend and wrk
# share cpu0. Readiness is one GET through to the backend. Then, per gateway:
#   idle : /proc/PID/status VmRSS, RssAnon, RssFile 3 s after that first request;
#   load : wrk -c64 in MEMORY_SLICES slices of MEMORY_SLICE_SECONDS, the gateways' order
#          rotated each slice (the machine's drift hits all alike); CPU = utime+stime from
#          /proc/PID/stat over the slices, divided by the requests wrk counted;
#   after: the same counters right after the last slice, and VmHWM (peak).
# Prints one table; MEMORY_OUT (default .build/memory/<time>) keeps each gateway's smaps
# and the breakdown of Benchmarks/rss-breakdown.py (mappings, ELF sections, modules).
# Needs ../shared/bench/setup.sh; uses ports 50071, 8100-8109, 9100-9109.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BENCH=$(cd ../shared/bench && pwd)
SLICES=${MEMORY_SLICES:-6} SLICE=${MEMORY_SLICE_SECONDS:-3} SCENARIO=${MEMORY_SCENARIO:-get_small}
OUT=${MEMORY_OUT:-$ROOT/.build/memory/$(date +%Y%m%d-%H%M%S)}
case $SCENARIO in
  get_small) TARGET=/v1/products/prod-000123 LUA=get.lua ;;
  post_create) TARGET=/v1/products LUA=post_product.lua ;;
  list_large) TARGET='/v1/products?page_size=50' LUA=get.lua ;;
  *) echo "unknown scenario $SCENARIO" >&2; exit 1 ;;
esac
[ $# -gt 0 ] || set -- static=.build/release/edge-static dynamic=.build/release/edge-dynamic
for f in "$BENCH/.build/bin/backend" "$BENCH/.build/bin/peer"; do
  [ -x "$f" ] || { echo "$f missing: run ../shared/bench/setup.sh" >&2; exit 1; }
done
for port in 50071 $(seq 8100 $((8100 + $#))); do
  ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "port $port is in use" >&2; exit 1; }
done
mkdir -p "$OUT"
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true' EXIT

taskset -c 0 "$BENCH/.build/bin/backend" -host 127.0.0.1 -port 50071 >"$OUT/backend.log" 2>&1 & PIDS+=($!)
NAMES=(grpc-gateway) PORTS=(8100) GPIDS=()
taskset -c 1 "$BENCH/.build/bin/peer" -host 127.0.0.1 -port 8100 -backend 127.0.0.1:50071 \
  >"$OUT/grpc-gateway.log" 2>&1 & PIDS+=($!) GPIDS+=($!)
i=1
for arg in "$@"; do
  name=${arg%%=*} bin=${arg#*=}
  [ -x "$bin" ] || { echo "$bin: no such executable" >&2; exit 1; }
  cat >"$OUT/$name.yaml" <<EOF
listen: {host: 127.0.0.1, port: 810$i, threads: 1, admin: {host: 127.0.0.1, port: 910$i}}
descriptors: {sources: ["$BENCH/protos"]}
clusters: [{name: bench, endpoints: ["127.0.0.1:50071"], services: [bench.v1]}]
EOF
  taskset -c 1 "$bin" serve --config "$OUT/$name.yaml" >"$OUT/$name.log" 2>&1 & PIDS+=($!) GPIDS+=($!)
  NAMES+=("$name") PORTS+=("810$i")
  i=$((i + 1))
done
for k in "${!NAMES[@]}"; do
  for _ in $(seq 300); do
    curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:${PORTS[$k]}$TARGET" 2>/dev/null && continue 2
    kill -0 "${GPIDS[$k]}" 2>/dev/null || { tail "$OUT/${NAMES[$k]}.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "${NAMES[$k]} not ready" >&2; exit 1
done
sleep 3

status() { # PID -> "VmRSS RssAnon RssFile VmHWM" in kB
  awk '/^(VmRSS|RssAnon|RssFile|VmHWM):/ {v[$1] = $2} END {print v["VmRSS:"], v["RssAnon:"], v["RssFile:"], v["VmHWM:"]}' "/proc/$1/status"
}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
declare -A IDLE LOAD CPU REQ
for k in "${!NAMES[@]}"; do IDLE[$k]=$(status "${GPIDS[$k]}") CPU[$k]=0 REQ[$k]=0; done

export BENCH_LUA_DIR=$BENCH/lua BENCH_POST_BODY=$BENCH/.build/fixtures/product.min.json BENCH_HEADERS=
load() { # K SECONDS -> adds to CPU[K] (ticks) and REQ[K]
  local k=$1 t0 t1 out
  t0=$(ticks "${GPIDS[$k]}")
  out=$(taskset -c 0 wrk -t1 -c64 -d"$2"s -s "$BENCH/lua/$LUA" "http://127.0.0.1:${PORTS[$k]}$TARGET" 2>&1 | grep BENCH_JSON)
  t1=$(ticks "${GPIDS[$k]}")
  local req=${out#*\"requests\":}; req=${req%%,*}
  CPU[$k]=$((CPU[$k] + t1 - t0)) REQ[$k]=$((REQ[$k] + req))
}
n=${#NAMES[@]}
for k in "${!NAMES[@]}"; do load "$k" 1; done # warm-up
for k in "${!NAMES[@]}"; do CPU[$k]=0 REQ[$k]=0; done
for s in $(seq 0 $((SLICES - 1))); do
  for j in $(seq 0 $((n - 1))); do load $(((s + j) % n)) "$SLICE"; done
done
for k in "${!NAMES[@]}"; do
  LOAD[$k]=$(status "${GPIDS[$k]}")
  cp "/proc/${GPIDS[$k]}/smaps" "$OUT/${NAMES[$k]}.smaps"
  python3 "$ROOT/Benchmarks/rss-breakdown.py" --top 40 "${GPIDS[$k]}" >"$OUT/${NAMES[$k]}.breakdown.txt" 2>&1 || true
done

mb() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
{
  echo "$SCENARIO, $SLICES x ${SLICE}s per gateway, wrk -c64 on cpu0, gateways on cpu1; MB = 2^20 bytes"
  printf '%-18s %9s %9s %9s   %9s %9s %9s %8s   %8s %9s\n' gateway 'idle RSS' anon file 'load RSS' anon file peak 'CPU µs/req' requests
  for k in "${!NAMES[@]}"; do
    read -r ir ia ifl _ <<<"${IDLE[$k]}"; read -r lr la lf lh <<<"${LOAD[$k]}"
    cpu=$(awk -v t="${CPU[$k]}" -v r="${REQ[$k]}" 'BEGIN {printf "%.1f", r ? t * 10000 / r : 0}')
    printf '%-18s %9s %9s %9s   %9s %9s %9s %8s   %8s %9s\n' "${NAMES[$k]}" "$(mb "$ir")" "$(mb "$ia")" "$(mb "$ifl")" \
      "$(mb "$lr")" "$(mb "$la")" "$(mb "$lf")" "$(mb "$lh")" "$cpu" "${REQ[$k]}"
  done
} | tee "$OUT/table.txt"
echo "smaps and breakdowns: $OUT"
