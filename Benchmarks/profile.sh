#!/usr/bin/env bash
# Instruction profile of one EdgeBench transcode case with callgrind (perf has no
# hardware counters on these VMs). Only TranscodeBench.profileLoop is collected,
# so schema loading and validation do not show. Writes .build/callgrind.<case>.out
# and prints the top functions by inclusive and exclusive instructions.
#   Benchmarks/profile.sh CASE [ITERATIONS]   e.g. Benchmarks/profile.sh w2j-product-edge 2000
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CASE="$1"
N="${2:-1000}"
OUT="$ROOT/.build/callgrind.$CASE.out"
# valgrind 3.19 cannot read the DWARF 5 the Swift toolchain emits: use a copy without
# debug info (the symbol table is kept, so functions are still named).
BIN="$ROOT/.build/EdgeBench.nodebug"
if [[ ! -f "$BIN" || "$ROOT/.build/release/EdgeBench" -nt "$BIN" ]]; then
  objcopy --strip-debug "$ROOT/.build/release/EdgeBench" "$BIN"
fi
# Foundation's Process (which SchemaLoader uses to run protoc) fails under valgrind:
# give EdgeBench a prebuilt descriptor set instead.
SCHEMA="$ROOT/.build/bench-catalog.protoset"
BENCH_PROTOS="${BENCH_PROTOS:-$ROOT/../shared/bench/protos}"
protoc -I "$BENCH_PROTOS" -I /usr/include --include_imports --descriptor_set_out="$SCHEMA" bench/v1/catalog.proto
valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*profileLoop*' \
  --callgrind-out-file="$OUT" "$BIN" transcode --schema "$SCHEMA" --case "$CASE" --iterations "$N" >/dev/null 2>&1
echo "== $CASE, $N iterations: exclusive"
callgrind_annotate "$OUT" 2>/dev/null | swift demangle --simplified | sed -n '1,45p' | cut -c1-220
echo "== inclusive"
callgrind_annotate --inclusive=yes "$OUT" 2>/dev/null | swift demangle --simplified | sed -n '1,40p' | cut -c1-220
