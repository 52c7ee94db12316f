#!/usr/bin/env bash
# Regenerates scripts/edge-static.order: the functions and data that `edge serve` touches from
# its start through the bench's requests, in the order the static build places them first
# (scripts/build-release.sh links with `--symbol-ordering-file`).
#
#   scripts/generate-order-file.sh [ROUNDS] [--fresh]     (after scripts/build-release.sh)
#
# Why: the kernel maps executable code in 64 kB windows around each page fault
# (fault-around), so RSS follows how *spread* the touched code is, not its size: the static
# edge touched code in ~210 places across its 31 MB of text and had 20 MB of it resident.
# Packing what serving touches into one run of pages took the resident text to 10 MB and the
# whole RSS under load from 34.4 to 24.1 MB (BENCHMARKS.md, "Resident memory").
#
# How, without an instrumented build (valgrind cannot run `edge serve`): each round relinks the
# edge with the list so far (the link command of .build/release.yaml, as SwiftPM ran it), runs
# `edge serve` in front of the bench backend under `perf record -e page-faults -d`, sends 2 s of
# wrk get_small, one post_create and one list_large request, and appends the symbol at every
# address that faulted in the executable. Listed symbols move to the front, so the next round's
# faults land on symbols not yet listed; the count of new symbols per round falls (255 -> 40-160
# over 52 rounds; after the target split, --fresh: 656 -> 46 over 60 rounds; the tail is noisy).
# Symbols that no longer exist are ignored by the linker (--no-warn-symbol-ordering), so the list
# degrades gracefully as code changes (the pre-split list still cost only 0.4-0.8 MB).
# Needs perf, wrk, ../shared/bench (setup.sh). Ports 8141, 9141, 50081.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-20}
ORDER=$PWD/scripts/edge-static.order
[ "${2:-}" != --fresh ] || : >"$ORDER"
BENCH=$(cd ../shared/bench && pwd)
WORK=$(mktemp -d)
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
cat >"$WORK/edge.yaml" <<YAML
listen: {host: 127.0.0.1, port: 8141, threads: 1, admin: {host: 127.0.0.1, port: 9141}}
descriptors: {sources: ["$BENCH/protos"]}
clusters: [{name: bench, endpoints: ["127.0.0.1:50081"], services: [bench.v1]}]
YAML
"$BENCH/.build/bin/backend" -host 127.0.0.1 -port 50081 >"$WORK/backend.log" 2>&1 & PIDS+=($!)
export BENCH_LUA_DIR=$BENCH/lua BENCH_POST_BODY=$BENCH/.build/fixtures/product.min.json BENCH_HEADERS=
relink() { # OUT: the edge's link command from SwiftPM's manifest, writing OUT instead
  python3 - "$1" "$ORDER" <<'PY'
import json, subprocess, sys
for line in open(".build/release.yaml"):
    line = line.strip()
    if line.startswith('args: ["') and '"-module-name","edge"' in line and '"-emit-executable"' in line:
        args = json.loads(line[len("args: "):])
        break
else:
    sys.exit("no link command for edge in .build/release.yaml: run scripts/build-release.sh first")
if "-static-stdlib" not in args:
    sys.exit(".build/release.yaml holds the dynamic build: run scripts/build-release.sh (static) first")
args[args.index("-o") + 1] = sys.argv[1]
kept = []
for a in args:  # drop "-Xlinker --symbol-ordering-file=..." pairs: this round's list goes last
    if a.startswith("--symbol-ordering-file=") and kept and kept[-1] == "-Xlinker":
        kept.pop()
    elif not a.startswith("--symbol-ordering-file="):
        kept.append(a)
args = kept + ["-Xlinker", f"--symbol-ordering-file={sys.argv[2]}", "-Xlinker", "--no-warn-symbol-ordering"]
sys.exit(subprocess.run(args, stderr=subprocess.DEVNULL).returncode)
PY
}
for round in $(seq "$ROUNDS"); do
  relink "$WORK/edge"
  perf record -q -e page-faults -c 1 -d -o "$WORK/pf.data" -- "$WORK/edge" serve --config "$WORK/edge.yaml" >"$WORK/edge.log" 2>&1 &
  PERF=$!
  for _ in $(seq 150); do curl -fs -o /dev/null localhost:8141/v1/products/prod-000123 2>/dev/null && break; sleep 0.2; done
  wrk -t1 -c64 -d2s -s "$BENCH/lua/get.lua" http://127.0.0.1:8141/v1/products/prod-000123 >/dev/null 2>&1 || true
  curl -fs -o /dev/null -X POST --data-binary @"$BENCH_POST_BODY" localhost:8141/v1/products || true
  curl -fs -o /dev/null 'localhost:8141/v1/products?page_size=50' || true
  EDGE=$(pgrep -P "$PERF")
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$EDGE/status")
  kill -INT "$EDGE"; wait "$PERF" || true
  perf script -i "$WORK/pf.data" --no-demangle -F ip,sym,addr,dso 2>/dev/null | python3 -c '
import re, sys
order_file, rss, rnd = sys.argv[1:4]
seen = {l.strip() for l in open(order_file) if l.strip()}
new = []
for line in sys.stdin:  # "ADDR SYM (DSO)  IP SYM (DSO)": the address that faulted, the instruction
    m = re.match(r"^\s*([0-9a-f]+)\s+(\S+)\s+\((.*?)\)\s+([0-9a-f]+)\s+(\S+)\s+\((.*?)\)", line)
    if not m or not m[3].endswith("/edge"):
        continue
    fetch = int(m[1], 16) // 4096 == int(m[4], 16) // 4096  # the fault is the instruction fetch itself
    sym = (m[5] if fetch else m[2]).split("+")[0]
    if sym.startswith("[") or sym in seen:
        continue
    seen.add(sym)
    new.append(sym)
open(order_file, "a").write("".join(s + "\n" for s in new))
print(f"round {rnd}: VmRSS {int(rss) / 1024:.1f} MB, {len(new)} new symbols, {len(seen)} listed")
' "$ORDER" "$rss" "$round"
done
rm -f .build/release/edge # the next scripts/build-release.sh relinks with the new list
