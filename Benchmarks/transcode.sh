#!/usr/bin/env bash
# Runs the transcoding benchmark (EdgeBench transcode) with allocation counting:
# builds Benchmarks/malloc-count.c into .build/ and preloads it. Arguments go to
# EdgeBench (e.g. --seconds 1 --runs 5). Builds EdgeBench in release mode first.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
swift build -c release --product EdgeBench >&2
LIB="$ROOT/.build/malloc-count.so"
if [[ ! -f "$LIB" || "$ROOT/Benchmarks/malloc-count.c" -nt "$LIB" ]]; then
  cc -O2 -shared -fPIC -o "$LIB" "$ROOT/Benchmarks/malloc-count.c"
fi
LD_PRELOAD="$LIB" "$ROOT/.build/release/EdgeBench" transcode "$@"
