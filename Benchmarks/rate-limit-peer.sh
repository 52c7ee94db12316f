#!/usr/bin/env bash
# The edge with one global rate limit that never triggers (Benchmarks/rate-limit/limit.yaml)
# against grpc-gateway in the shared peer benchmark (../shared/bench/run.sh), with a
# redis-server started here on a private port (pinned to cpu0 with the load generator and
# the backend, at nice REDIS_NICE as in rate-limit.sh). Prints run.sh's table, then Redis's
# INFO commandstats (one EVALSHA per request the edge answered, readiness probes included).
#   Benchmarks/rate-limit-peer.sh [BIN]     (BENCH_SCENARIOS etc. pass through to run.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(readlink -f "${1:-.build/release/edge}")
BENCH=$(cd ../shared/bench && pwd)
OUT=$(pwd)/.build/rate-limit
REDIS_PORT=${REDIS_PORT:-6395} REDIS_NICE=${REDIS_NICE:--10}
mkdir -p "$OUT/redis-peer"
{
  cat <<YAML
listen: {host: 127.0.0.1, port: 8081, threads: 1, admin: {host: 127.0.0.1, port: 9981}}
descriptors: {sources: ["$BENCH/protos"]}
clusters: [{name: bench, endpoints: ["127.0.0.1:50051"], services: [bench.v1]}]
YAML
  sed "s/REDIS_PORT/$REDIS_PORT/; s/REDIS_TIMEOUT/${REDIS_TIMEOUT:-20ms}/" Benchmarks/rate-limit/limit.yaml
} >"$OUT/peer.yaml"
nice -n "$REDIS_NICE" taskset -c 0 redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$OUT/redis-peer" --save "" \
  --appendonly no --daemonize no --logfile "$OUT/redis-peer/redis.log" & REDIS_PID=$!
trap 'kill $REDIS_PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" PING >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$REDIS_PORT" CONFIG RESETSTAT >/dev/null
BENCH_OUT=${BENCH_OUT:-$OUT/peer-results.json} EDGE_CMD="$BIN serve --config $OUT/peer.yaml" EDGE_PORT=8081 \
  bash "$BENCH/run.sh" || echo "run.sh exited $?"
echo "redis: $(redis-cli -p "$REDIS_PORT" INFO commandstats | tr -d '\r' | grep -E '^cmdstat_(evalsha|eval|script)' | tr '\n' ' ')"
