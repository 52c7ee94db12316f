#!/usr/bin/env bash
# The cost of a global rate limit: the bare edge (A) against the same binary with one global
# limit that never triggers (B), get_small, interleaved slices (gateway-ab.sh), against a
# redis-server started here on a private port. Then checks that B sent exactly one Redis
# command per request (INFO commandstats against B's request count is printed for the record).
#   Benchmarks/rate-limit.sh [BIN] [SLICES]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/edge} SLICES=${2:-12}
OUT=$(pwd)/.build/rate-limit
REDIS_PORT=${REDIS_PORT:-6393}
mkdir -p "$OUT/redis"
cp Benchmarks/rate-limit/bare.yaml "$OUT/"
sed "s/REDIS_PORT/$REDIS_PORT/" Benchmarks/rate-limit/limit.yaml >"$OUT/limit.yaml"
taskset -c 0 redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$OUT/redis" --save "" --appendonly no \
  --daemonize no --logfile "$OUT/redis/redis.log" & REDIS_PID=$!
trap 'kill $REDIS_PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" PING >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$REDIS_PORT" CONFIG RESETSTAT >/dev/null
A_EXTRA="$OUT/bare.yaml" B_EXTRA="$OUT/limit.yaml" bash Benchmarks/gateway-ab.sh "$BIN" "$BIN" "$SLICES" get_small
echo "redis: $(redis-cli -p "$REDIS_PORT" INFO commandstats | grep -E '^cmdstat_(evalsha|eval|script)' | tr -d '\r' | tr '\n' ' ')"
echo "(evalsha calls should equal side B's requests, warm-up and readiness probes included)"
