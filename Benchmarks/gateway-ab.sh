#!/usr/bin/env bash
# Interleaved A/B of two edge binaries: gateway CPU time per request under wrk.
#
#   Benchmarks/gateway-ab.sh OLD_BIN NEW_BIN [SLICES] [get_small|post_create|list_large]
#   A_EXTRA=bare.yaml B_EXTRA=policies.yaml BENCH_HEADERS=$'X-Api-Key: k\nAuthorization: Bearer ...' \
#     Benchmarks/gateway-ab.sh BIN BIN          # one binary, two configurations
#
# A_EXTRA / B_EXTRA: YAML files whose top-level sections are appended to that side's
# configuration (auth, cors, defaults, routes ...); the files beside each are copied with it,
# so relative paths in it (keys files, key sets) work.
# BENCH_HEADERS: extra request headers for both sides, one "Name: value" per line (wrk
# sends them through the bench's lua/report.lua).
# B_METRICS_OUT: a file to write side B's /metrics (its admin port) to after the last slice.
# AB_RATE: offer each side this many requests per second (h2load --h1, 64 connections, GET
# scenarios) instead of wrk's closed loop. CPU per request depends on the load (the requests of
# one loop tick share its fixed costs: the wake-up, epoll_wait, the flushes), and a side that adds
# latency (a Redis round trip) gets fewer requests per second from a closed loop; at a fixed rate
# both are measured at the same load. Pick a rate both sides sustain (p50 is not measured: 0).
# A_RATE / B_RATE: that side's rate instead of AB_RATE (one binary and configuration at two loads
# shows how much of a closed-loop difference is the load's own: A_RATE=A's closed-loop rate,
# B_RATE=B's).
#
# Both edges (one event loop each, pinned to cpu1) sit in front of one bench backend
# (../shared/bench, pinned to cpu0 with wrk). Each slice runs wrk for 3 s against A then
# B (B then A on even slices) and reads each edge's user+sys CPU from /proc/PID/stat,
# so the machine's drift hits both alike. Prints every slice and the median of B/A.
# Needs ../shared/bench/setup.sh; uses ports 8091, 8092, 9991, 9992 and 50061 (each plus
# AB_PORT_OFFSET, default 0, so that two runs do not collide; they still share the CPUs).
set -euo pipefail
A=$1 B=$2 SLICES=${3:-8} SCENARIO=${4:-get_small}
OFF=${AB_PORT_OFFSET:-0}
P1=$((8091 + OFF)) P2=$((8092 + OFF)) ADMIN2=$((9992 + OFF)) BACKEND=$((50061 + OFF))
BENCH=$(cd "$(dirname "$0")/../../shared/bench" && pwd)
case $SCENARIO in
  get_small) TARGET=/v1/products/prod-000123 LUA=get.lua ;;
  post_create) TARGET=/v1/products LUA=post_product.lua ;;
  list_large) TARGET='/v1/products?page_size=50' LUA=get.lua ;;
  *) echo "unknown scenario $SCENARIO" >&2; exit 1 ;;
esac
WORK=$(mktemp -d)
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
for side in 1 2; do
  cat >"$WORK/edge$side.yaml" <<EOF
listen: {host: 127.0.0.1, port: $((8090 + side + OFF)), threads: 1, admin: {host: 127.0.0.1, port: $((9990 + side + OFF))}}
descriptors: {sources: ["$BENCH/protos"]}
clusters: [{name: bench, endpoints: ["127.0.0.1:$BACKEND"], services: [bench.v1]}]
EOF
done
# Each side's extra sections, with the files next to them (keys files, key sets).
for side in 1 2; do
  extra=$([ "$side" = 1 ] && echo "${A_EXTRA:-}" || echo "${B_EXTRA:-}")
  [ -n "$extra" ] || continue
  mkdir -p "$WORK/side$side" && cp -r "$(dirname "$extra")"/. "$WORK/side$side/"
  mv "$WORK/edge$side.yaml" "$WORK/side$side/edge.yaml" && cat "$extra" >>"$WORK/side$side/edge.yaml"
  ln -s "$WORK/side$side/edge.yaml" "$WORK/edge$side.yaml"
done
export BENCH_HEADERS=${BENCH_HEADERS:-}
CURL_HDR=()
while IFS= read -r h; do [ -z "$h" ] || CURL_HDR+=(-H "$h"); done <<<"$BENCH_HEADERS"
taskset -c 0 "$BENCH/.build/bin/backend" -host 127.0.0.1 -port "$BACKEND" >"$WORK/backend.log" 2>&1 & PIDS+=($!)
taskset -c 1 "$A" serve --config "$(readlink -f "$WORK/edge1.yaml")" >"$WORK/a.log" 2>&1 & APID=$!; PIDS+=($APID)
taskset -c 1 "$B" serve --config "$(readlink -f "$WORK/edge2.yaml")" >"$WORK/b.log" 2>&1 & BPID=$!; PIDS+=($BPID)
for port in "$P1" "$P2"; do
  for _ in $(seq 200); do curl -fsS -o /dev/null --max-time 2 ${CURL_HDR[@]+"${CURL_HDR[@]}"} "http://127.0.0.1:$port/v1/products/prod-000123" && break; sleep 0.3; done
done
export BENCH_LUA_DIR=$BENCH/lua BENCH_POST_BODY=$BENCH/.build/fixtures/product.min.json
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
H2_HDR=()
while IFS= read -r h; do [ -z "$h" ] || H2_HDR+=(-H "$h"); done <<<"$BENCH_HEADERS"
run() { # PID PORT [RATE] -> "cpu_ns_per_request requests p50_us"
  local t0 t1 out req p50 rate=${3:-}
  t0=$(ticks "$1")
  if [ -n "$rate" ]; then
    out=$(taskset -c 0 h2load --h1 -t1 -c64 --rps="$(awk -v r="$rate" 'BEGIN {printf "%.4f", r / 64}')" -n $((rate * 3)) \
      ${H2_HDR[@]+"${H2_HDR[@]}"} "http://127.0.0.1:$2$TARGET" 2>&1 | grep -E '^requests:')
    req=$(sed -E 's/.* ([0-9]+) succeeded.*/\1/' <<<"$out") p50=0
  else
    out=$(taskset -c 0 wrk -t1 -c64 -d3s -s "$BENCH/lua/$LUA" "http://127.0.0.1:$2$TARGET" 2>&1 | grep BENCH_JSON)
    req=${out#*\"requests\":}; req=${req%%,*}
    p50=${out#*\"p50\":}; p50=${p50%%,*}
  fi
  t1=$(ticks "$1")
  echo "$(((t1 - t0) * 10000000 / req)) $req $p50"
}
RA=${A_RATE:-${AB_RATE:-}} RB=${B_RATE:-${AB_RATE:-}}
run "$APID" "$P1" "$RA" >/dev/null; run "$BPID" "$P2" "$RB" >/dev/null # warm-up
for k in $(seq "$SLICES"); do
  if ((k % 2)); then a=$(run "$APID" "$P1" "$RA"); b=$(run "$BPID" "$P2" "$RB"); else b=$(run "$BPID" "$P2" "$RB"); a=$(run "$APID" "$P1" "$RA"); fi
  echo "slice $k  A: cpu_ns/req reqs p50us = $a   B: $b"
done | tee "$WORK/slices.txt"
awk '{print $12 / $8}' "$WORK/slices.txt" | sort -n | awk '{v[NR] = $1} END {
  printf "B/A CPU per request: median %.3f [%.3f-%.3f], %d slices\n", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[int(NR / 4) + 1], v[int(3 * NR / 4) + 1], NR }'
awk '{a += $9; b += $13} END {printf "requests A %d, B %d (B/A %.2f)\n", a, b, b / a}' "$WORK/slices.txt"
[ -z "${B_METRICS_OUT:-}" ] || curl -fsS --max-time 5 -o "$B_METRICS_OUT" http://127.0.0.1:$ADMIN2/metrics || true
