#!/usr/bin/env bash
# Which code and data a command's start touches: every page fault of `EDGE_BIN serve` (or any
# command) from its start until it has answered one request, recorded with perf (software
# event, no PMU needed), counted by the file mapped at the faulting address and, inside the
# executable, by the module of the symbol there (Benchmarks/rss-breakdown.py's names).
#
#   Benchmarks/startup-faults.sh EDGE_BIN CONFIG [URL]
#     URL: asked once the gateway listens (default http://127.0.0.1:9981/healthz, the admin
#          listener of bench/edge.yaml; a route through to the backend touches more); the
#          recording stops 1 s after its answer.
#
# Each fault on a file page maps up to 64 kB of it (fault-around), so one fault here is up to
# 64 kB of RSS; faults on anonymous memory are 4 kB each (or a large folio). Children are
# followed (protoc, when the config names .proto files: its libprotobuf faults). Needs perf.
set -euo pipefail
BIN=$1 CONFIG=$2 URL=${3:-http://127.0.0.1:9981/healthz}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
perf record -q -e page-faults -c 1 -d -o "$WORK/perf.data" -- "$BIN" serve --config "$CONFIG" >"$WORK/edge.log" 2>&1 &
PERF=$!
for _ in $(seq 300); do curl -fsS -o /dev/null --max-time 2 "$URL" 2>/dev/null && break; sleep 0.2; done
sleep 1
EDGE=$(pgrep -P "$PERF" || true)
[ -n "$EDGE" ] && kill -INT "$EDGE"
wait "$PERF" || true
perf report -i "$WORK/perf.data" --stdio --mem-mode --sort dso_daddr,symbol_daddr -F overhead,sample,dso_daddr,symbol_daddr \
  2>/dev/null | python3 -c '
import collections, importlib.util, re, sys
spec = importlib.util.spec_from_file_location("rb", sys.argv[1]); rb = importlib.util.module_from_spec(spec); spec.loader.exec_module(rb)
exe = sys.argv[2].rsplit("/", 1)[-1]
by_dso, by_mod = collections.Counter(), collections.Counter()
for line in sys.stdin:
    m = re.match(r"^\s*[\d.]+%\s+(\d+)\s+(\S+)\s+\[.\]\s+(\S+)", line)
    if not m:
        continue
    n, dso, sym = int(m[1]), m[2], m[3]
    by_dso[dso] += n
    if dso == exe:
        by_mod["(no symbol)" if sym.startswith("0x") else rb.module_of(sym.split("+")[0])] += n
print(f"page faults from start to the first answer: {sum(by_dso.values())}")
print("by mapping:")
for d, n in by_dso.most_common(25):
    print(f"  {n:6d}  {d}")
print(f"in {exe}, by module of the symbol at the faulting address:")
for mod, n in by_mod.most_common(40):
    print(f"  {n:6d}  {mod}")
' "$HERE/rss-breakdown.py" "$BIN"
