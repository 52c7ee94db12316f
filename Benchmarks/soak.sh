#!/usr/bin/env bash
# The soak: `edge serve` under steady mixed load (unary GET/list/POST, errors the load asks
# for, slow clients; Benchmarks/soak_load.py) against the shared bench backend (grpc-go,
# ../shared/bench: run its setup.sh first) for SECONDS (default 600). The edge's RSS and open
# descriptors are sampled every 10 s.
#
#   Benchmarks/soak.sh [SECONDS]          EDGE_BIN: the binary (default .build/release/edge,
#                                         else .build/debug/edge)
#
# Passes (exit 0) when: no unexpected answer (every request got the status its kind expects);
# the RSS at the end is within 10% of the RSS after the first minute (runs of 2 minutes or
# more; shorter runs compare with the sample at a third of the run and allow 25%); the edge's
# descriptors are back to their pre-load count once the load stops. Prints a summary line
# "soak: ..." with the figures (recorded in BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${1:-600}
bench=$(cd ../shared/bench && pwd)
backend_bin="$bench/.build/bin/backend"
[ -x "$backend_bin" ] || { echo "soak: $backend_bin missing: run bash ../shared/bench/setup.sh" >&2; exit 2; }
edge_bin=${EDGE_BIN:-}
if [ -z "$edge_bin" ]; then
  if [ -x .build/release/edge ]; then edge_bin=.build/release/edge; else edge_bin=.build/debug/edge; fi
fi
[ -x "$edge_bin" ] || { echo "soak: $edge_bin missing: swift build first" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
backend_port=$(free_port)
"$backend_bin" -host 127.0.0.1 -port "$backend_port" 2>"$work/backend.log" &
pids+=($!)
edge_port=$(free_port)
admin_port=$(free_port)
cat >"$work/edge.yaml" <<YAML
listen:
  host: 127.0.0.1
  port: $edge_port
  admin: {host: 127.0.0.1, port: $admin_port}
descriptors:
  sources: ["$bench/protos"]
clusters:
  - name: bench
    endpoints: ["127.0.0.1:$backend_port"]
    services: [bench.v1]
YAML
"$edge_bin" serve --config "$work/edge.yaml" >"$work/edge.log" 2>&1 &
edge_pid=$!
pids+=($edge_pid)

for _ in $(seq 1 600); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$edge_port/v1/products/ready-check" 2>/dev/null; then break; fi
  sleep 0.1
done
curl -fsS -o /dev/null "http://127.0.0.1:$edge_port/v1/products/ready-check" || { echo "soak: the edge never became ready" >&2; cat "$work/edge.log" >&2; exit 1; }

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$edge_pid/status"; }
fds() { ls "/proc/$edge_pid/fd" | wc -l; }
fds_before=$(fds)
rss_start=$(rss_kb)

python3 Benchmarks/soak_load.py "$edge_port" "$seconds" "$bench/fixtures/product.json" >"$work/load.json" &
load_pid=$!
pids+=($load_pid)
samples=()
elapsed=0
while kill -0 "$load_pid" 2>/dev/null; do
  sleep 10
  elapsed=$((elapsed + 10))
  if kill -0 "$load_pid" 2>/dev/null; then
    samples+=("$(rss_kb)")
    echo "soak: t=${elapsed}s rss=$(( ${samples[-1]} / 1024 )) MiB fds=$(fds)"
  fi
done
wait "$load_pid" || true
kill -0 "$edge_pid" || { echo "soak: the edge died" >&2; cat "$work/edge.log" >&2; exit 1; }

# Descriptors back to the baseline once the load stops (client connections closed by the
# clients or the idle timeout): waited for, bounded.
fds_after=$(fds)
for _ in $(seq 1 120); do
  fds_after=$(fds)
  [ "$fds_after" -le "$fds_before" ] && break
  sleep 0.5
done

count=${#samples[@]}
[ "$count" -ge 2 ] || { echo "soak: too short to sample (need >= 20 s)" >&2; exit 2; }
if [ "$seconds" -ge 120 ]; then reference_index=5; allowed=10; else reference_index=$((count / 3)); allowed=25; fi
[ "$reference_index" -lt "$count" ] || reference_index=$((count - 1))
rss_ref=${samples[$reference_index]}
rss_end=${samples[-1]}
unexpected=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["unexpected"])' "$work/load.json")
requests=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["counts"]; print(sum(v for k,v in c.items() if k!="unexpected"))' "$work/load.json")
growth=$(( (rss_end - rss_ref) * 100 / rss_ref ))
echo "soak: ${seconds}s, $requests requests, unexpected $unexpected; RSS start $((rss_start / 1024)) MiB, at $(( (reference_index + 1) * 10 ))s $((rss_ref / 1024)) MiB, end $((rss_end / 1024)) MiB (${growth}%, allowed ${allowed}%); fds before $fds_before, after $fds_after"
echo "soak: load $(cat "$work/load.json")"
status=0
[ "$unexpected" -eq 0 ] || { echo "soak: FAIL: unexpected answers" >&2; status=1; }
[ "$growth" -le "$allowed" ] || { echo "soak: FAIL: RSS grew ${growth}%" >&2; status=1; }
[ "$fds_after" -le "$fds_before" ] || { echo "soak: FAIL: descriptors not back to $fds_before ($fds_after)" >&2; status=1; }
exit "$status"
