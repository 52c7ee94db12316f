#!/usr/bin/env bash
# Regenerates Benchmarks/Generated/catalog.pb.swift: the swift-protobuf message types of the
# shared benchmark API (bench/v1/catalog.proto; messages only, no gRPC stubs), for comparing
# the gateway's transcoder with generated code. The output is committed.
#
# The proto lives outside the repository, in the shared bench directory next to it
# ($BENCH_PROTOS, default ../shared/bench/protos relative to the repository root); it imports
# google/api/annotations.proto from there and google/protobuf/* from $PROTOC_INCLUDE.
# protoc-gen-swift (swift-protobuf 1.39.0) is built once by scripts/generate-demo.sh.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH_PROTOS="${BENCH_PROTOS:-$ROOT/../shared/bench/protos}"
PROTOC_INCLUDE="${PROTOC_INCLUDE:-/usr/include}"
OUT="$ROOT/Benchmarks/Generated"

BIN="$("$ROOT/scripts/generate-demo.sh" --build-plugins)"

mkdir -p "$OUT"
rm -f "$OUT/catalog.pb.swift"
protoc -I "$BENCH_PROTOS" -I "$PROTOC_INCLUDE" \
  --plugin=protoc-gen-swift="$BIN/protoc-gen-swift" \
  --swift_out="$OUT" --swift_opt=Visibility=Public,FileNaming=DropPath \
  bench/v1/catalog.proto

echo "generated: Benchmarks/Generated/catalog.pb.swift"
