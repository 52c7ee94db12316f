#!/usr/bin/env bash
# What seeing the edge costs: get_small through gateway-ab.sh's interleaved slices, A against B.
#   Benchmarks/observability.sh [BIN] [SLICES] [SAMPLING] [A_BIN]
# A: A_BIN (default BIN) with no `observability` section — metrics are always on, so with the
#    same binary A already pays for them; pass the binary from before the observers (A_BIN) to
#    measure them too.
# B: BIN with an access log to a file (JSON, every exchange) and tracing at SAMPLING (default
#    1.0) to a live OTLP/HTTP receiver (Tests/otlp/receiver.py --count-only, on cpu0 with wrk
#    and the backend; the edges are on cpu1).
# Prints gateway-ab.sh's slices and median, then the spans the receiver took and the log's lines.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/edge} SLICES=${2:-12} SAMPLING=${3:-1.0} A_BIN=${4:-${1:-.build/release/edge}}
OUT=$(pwd)/.build/observability
rm -rf "$OUT" && mkdir -p "$OUT/a" "$OUT/b"
taskset -c 0 python3 -u Tests/otlp/receiver.py --port 0 --count-only >"$OUT/receiver.out" 2>&1 &
RPID=$!
trap 'kill $RPID 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q '^PORT ' "$OUT/receiver.out" && break; sleep 0.2; done
PORT=$(sed -n 's/^PORT //p' "$OUT/receiver.out")
[ -n "$PORT" ] || { echo "the OTLP receiver did not start: $(cat "$OUT/receiver.out")" >&2; exit 1; }
echo "# no observability section" >"$OUT/a/extra.yaml"
cat >"$OUT/b/extra.yaml" <<YAML
observability:
  access_log: {path: $OUT/access.log, format: json}
  tracing: {otlp_endpoint: "http://127.0.0.1:$PORT", sampling: $SAMPLING, service_name: edge-bench}
YAML
A_EXTRA="$OUT/a/extra.yaml" B_EXTRA="$OUT/b/extra.yaml" bash Benchmarks/gateway-ab.sh "$A_BIN" "$BIN" "$SLICES" get_small
echo "receiver: $(curl -fsS "http://127.0.0.1:$PORT/stats")"
echo "access log: $(wc -l <"$OUT/access.log") lines"
