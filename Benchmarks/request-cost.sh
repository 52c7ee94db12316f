#!/usr/bin/env bash
# Instructions (callgrind) and allocations (malloc-count.c) per request for the
# gateway benchmark's three requests through ReloadingTranscoder (match →
# prepare → render, no sockets): `EdgeBench request`. Instructions per request
# are (Ir(N2) - Ir(N1)) / (N2 - N1), so loading and checking cancel out; the
# numbers are deterministic for one binary. Needs a release build of EdgeBench
# (`swift build -c release --product EdgeBench`), or BIN=path to another one.
#   Benchmarks/request-cost.sh [CASE ...]   (default: get post list)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SRC="${BIN:-$ROOT/.build/release/EdgeBench}"
# valgrind 3.19 cannot read the DWARF 5 the Swift toolchain emits: use a copy without
# debug info (the symbol table is kept, so functions are still named).
NODEBUG="$ROOT/.build/EdgeBench.request.nodebug"
objcopy --strip-debug "$SRC" "$NODEBUG"
# Foundation's Process (which SchemaLoader uses to run protoc) fails under valgrind:
# give EdgeBench a prebuilt descriptor set instead.
SCHEMA="$ROOT/.build/bench-catalog.protoset"
BENCH_PROTOS="${BENCH_PROTOS:-$ROOT/../shared/bench/protos}"
protoc -I "$BENCH_PROTOS" -I /usr/include --include_imports --descriptor_set_out="$SCHEMA" bench/v1/catalog.proto
LIB="$ROOT/.build/malloc-count.so"
if [[ ! -f "$LIB" || "$ROOT/Benchmarks/malloc-count.c" -nt "$LIB" ]]; then
  cc -O2 -shared -fPIC -o "$LIB" "$ROOT/Benchmarks/malloc-count.c"
fi
# The generated code serializes map entries in Dictionary order: make it the same in every run.
export SWIFT_DETERMINISTIC_HASHING=1
N1="${N1:-50}"
N2="${N2:-250}"
CASES=("$@")
[[ ${#CASES[@]} -eq 0 ]] && CASES=(get post list)
instructions() {  # case iterations -> total Ir
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$NODEBUG" request --schema "$SCHEMA" --case "$1" --iterations "$2" 2>&1 >/dev/null \
    | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
echo "| request | Ir/request (callgrind, ($N2 - $N1) iterations) | allocs/request | message B (fnv) | JSON B (fnv) |"
echo "| --- | ---: | ---: | --- | --- |"
for c in "${CASES[@]}"; do
  i1="$(instructions "$c" "$N1")"
  i2="$(instructions "$c" "$N2")"
  line="$(LD_PRELOAD="$LIB" "$NODEBUG" request --schema "$SCHEMA" --case "$c" --iterations 0)"
  allocs="$(sed -n 's/.*, \([0-9.]*\) allocs\/request.*/\1/p' <<<"$line")"
  message="$(sed -n 's/.*→ \([0-9]* B message (fnv [0-9a-f]*)\).*/\1/p' <<<"$line")"
  json="$(sed -n 's/.*, \([0-9]* B JSON (fnv [0-9a-f]*)\).*/\1/p' <<<"$line")"
  echo "| $c | $(python3 -c "print(f'{($i2 - $i1) / ($N2 - $N1):,.0f}')") | $allocs | $message | $json |"
done
