#!/usr/bin/env bash
# The front door's cost: the bare edge (A) against the same binary with an RS256 JWT, an API
# key and CORS required on every route (B), get_small, interleaved slices (gateway-ab.sh).
#   Benchmarks/front-door.sh [BIN] [SLICES]
# Then against grpc-gateway with the same headers:
#   BENCH_HEADERS="$(cat .build/front-door/headers)" EDGE_CMD='.build/release/edge serve --config .build/front-door/edge.yaml' \
#     EDGE_PORT=8081 bash ../shared/bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/edge} SLICES=${2:-12}
OUT=.build/front-door
mkdir -p "$OUT"
cp Benchmarks/front-door/policies.yaml Benchmarks/front-door/bare.yaml "$OUT/"
python3 Benchmarks/front-door/mint.py "$OUT" >"$OUT/headers"
# The bench gateway's configuration with the policies, for ../shared/bench/run.sh.
{ sed 's#\.\./\.\./shared#'"$(cd .. && pwd)"'/shared#' bench/edge.yaml; cat "$OUT/policies.yaml"; } >"$OUT/edge.yaml"
A_EXTRA="$OUT/bare.yaml" B_EXTRA="$OUT/policies.yaml" BENCH_HEADERS="$(cat "$OUT/headers")" \
  bash Benchmarks/gateway-ab.sh "$BIN" "$BIN" "$SLICES" get_small
