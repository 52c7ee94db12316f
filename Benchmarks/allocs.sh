#!/usr/bin/env bash
# Cross-checks allocations per message with valgrind (independent of
# malloc-count.c): runs one EdgeBench transcode case for N1 and N2 iterations
# under memcheck and divides the difference of "total heap usage: N allocs" by
# N2 - N1 (setup costs cancel). Needs a release build of EdgeBench.
#   Benchmarks/allocs.sh [CASE ...]   (default: every case, edge and generated)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
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
N1="${N1:-20}"
N2="${N2:-120}"
CASES=("$@")
if [[ ${#CASES[@]} -eq 0 ]]; then
  for c in j2w-product j2w-list50 w2j-product w2j-list50; do CASES+=("$c-edge" "$c-generated"); done
fi
allocs() {  # case iterations -> total allocs
  valgrind --tool=memcheck --leak-check=no "$BIN" transcode --schema "$SCHEMA" --case "$1" --iterations "$2" 2>&1 >/dev/null \
    | sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' | tr -d ,
}
echo "| case | allocs/msg (valgrind, ($N2 - $N1) iterations) |"
echo "| --- | ---: |"
for c in "${CASES[@]}"; do
  a1="$(allocs "$c" "$N1")"
  a2="$(allocs "$c" "$N2")"
  echo "| $c | $(python3 -c "print(f'{($a2 - $a1) / ($N2 - $N1):.1f}')") |"
done
