#!/usr/bin/env bash
# The cost of a global rate limit: the bare edge (A) against the same binary with one global
# limit that never triggers (B), get_small, interleaved slices (gateway-ab.sh), against a
# redis-server started here on a private port. Then checks that B sent exactly one Redis
# command per request: INFO commandstats against B's own count of decisions (its /metrics,
# warm-up and readiness probes included), and that no decision fell back to the failure mode.
#   Benchmarks/rate-limit.sh [BIN] [SLICES]
# REDIS_NICE (default -10): redis-server shares cpu0 with wrk and the backend; at its default
# priority a busy machine can leave it off the CPU for longer than the 20 ms command timeout, and
# the decisions of those moments (and of the breaker's open time after) fall back without a
# command. A Redis of its own, as deployed, never queues behind the load generator. 0: as is.
# REDIS_TIMEOUT (default 20ms, the configuration's default): the command timeout of side B.
# REDIS_CPU (default 0): the CPU redis-server is pinned to. On cpu0 it takes its time (about 16 µs a
# decision here) from wrk and the backend, so in wrk's closed loop B gets fewer requests than A, and
# an edge with fewer requests per wake-up spends more CPU on each. On cpu1 it shares the edges' CPU
# instead (their own CPU time is what is measured), and both sides get the load wrk can make.
# REDIS_RT (unset by default): run redis-server at this SCHED_FIFO priority, so that it runs the
# moment a command comes, as a Redis with CPUs of its own would, instead of queueing behind wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/edge} SLICES=${2:-12}
OUT=$(pwd)/.build/rate-limit
REDIS_PORT=${REDIS_PORT:-6393} REDIS_NICE=${REDIS_NICE:--10}
mkdir -p "$OUT/redis"
cp Benchmarks/rate-limit/bare.yaml "$OUT/"
sed "s/REDIS_PORT/$REDIS_PORT/; s/REDIS_TIMEOUT/${REDIS_TIMEOUT:-20ms}/" Benchmarks/rate-limit/limit.yaml >"$OUT/limit.yaml"
${REDIS_RT:+chrt -f "$REDIS_RT"} nice -n "$REDIS_NICE" taskset -c "${REDIS_CPU:-0}" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$OUT/redis" --save "" --appendonly no \
  --daemonize no --logfile "$OUT/redis/redis.log" & REDIS_PID=$!
trap 'kill $REDIS_PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" PING >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$REDIS_PORT" CONFIG RESETSTAT >/dev/null
rm -f "$OUT/b-metrics.txt"
A_EXTRA="$OUT/bare.yaml" B_EXTRA="$OUT/limit.yaml" B_METRICS_OUT="$OUT/b-metrics.txt" \
  bash Benchmarks/gateway-ab.sh "$BIN" "$BIN" "$SLICES" get_small
STATS=$(redis-cli -p "$REDIS_PORT" INFO commandstats | tr -d '\r')
# redis-server's own CPU (user + sys, all of it B's: A sends nothing) per script call, beside the
# time its scripts ran: what each decision takes from the CPU Redis shares.
REDIS_TICKS=$(awk '{print $14 + $15}' "/proc/$REDIS_PID/stat")
echo "redis: $(grep -E '^cmdstat_(evalsha|eval|script)' <<<"$STATS" | tr '\n' ' ')"
calls() { grep -E "^cmdstat_$1:" <<<"$STATS" | sed -E 's/^[^:]*:calls=([0-9]+),.*/\1/' || echo 0; }
metric() { [ -f "$OUT/b-metrics.txt" ] || { echo 0; return; }; awk -v m="$1" '$1 == m || index($1, m "{") == 1 {s += $NF} END {printf "%d", s}' "$OUT/b-metrics.txt"; }
EVALSHA=$(calls evalsha) EVAL=$(calls eval)
DECISIONS=$(metric edge_rate_limit_decisions_total) FALLBACKS=$(metric edge_rate_limit_failure_mode_decisions_total)
echo "redis-server CPU: $(awk -v t="$REDIS_TICKS" -v n="${EVALSHA:-0}" 'BEGIN {printf "%.1f", n ? t * 10000 / n : 0}') µs per EVALSHA (user+sys)"
echo "B: $DECISIONS decisions, $(metric edge_rate_limit_redis_calls_total) Redis calls answered," \
  "$(metric edge_rate_limit_redis_errors_total) failed, $FALLBACKS decided in failure mode"
if [ "${EVALSHA:-0}" = "$DECISIONS" ] && [ "$FALLBACKS" = 0 ] && [ "${EVAL:-0}" = 0 ]; then
  echo "one command per request: yes ($EVALSHA EVALSHA for $DECISIONS decisions, no fallback)"
else
  echo "one command per request: NO (EVALSHA ${EVALSHA:-0}, EVAL ${EVAL:-0}, decisions $DECISIONS, fallbacks $FALLBACKS)"
fi
