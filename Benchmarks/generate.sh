#!/usr/bin/env bash
# Regenerates Sources/EdgeBench/Generated/catalog.pb.swift: the swift-protobuf message
# types of the shared benchmark API (bench/v1/catalog.proto; messages only, no gRPC
# stubs), for comparing the gateway's transcoder with generated code. The output is
# committed.
#
# The proto lives outside the repository, in the shared bench directory next to it
# ($BENCH_PROTOS, default ../shared/bench/protos relative to the repository root); it
# imports google/api/annotations.proto from there and google/protobuf/* from
# $PROTOC_INCLUDE.
#
# protoc-gen-swift must match the SwiftProtobuf the package links (1.39.0). Unless
# $PROTOC_GEN_SWIFT names one, it is built once from the local mirror
# ($SWIFT_PROTOBUF_GIT, default /opt/swift-packages/apple/swift-protobuf.git, tag
# $SWIFT_PROTOBUF_TAG) in a scratch directory ($PLUGIN_SCRATCH, default
# .build/protoc-gen-swift-1.39.0) and reused afterwards.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH_PROTOS="${BENCH_PROTOS:-$ROOT/../shared/bench/protos}"
PROTOC_INCLUDE="${PROTOC_INCLUDE:-/usr/include}"
SWIFT_PROTOBUF_GIT="${SWIFT_PROTOBUF_GIT:-/opt/swift-packages/apple/swift-protobuf.git}"
SWIFT_PROTOBUF_TAG="${SWIFT_PROTOBUF_TAG:-1.39.0}"
PLUGIN_SCRATCH="${PLUGIN_SCRATCH:-$ROOT/.build/protoc-gen-swift-$SWIFT_PROTOBUF_TAG}"
OUT="$ROOT/Sources/EdgeBench/Generated"

PLUGIN="${PROTOC_GEN_SWIFT:-$PLUGIN_SCRATCH/bin/protoc-gen-swift}"
if [[ ! -x "$PLUGIN" ]]; then
  echo "building protoc-gen-swift $SWIFT_PROTOBUF_TAG in $PLUGIN_SCRATCH" >&2
  rm -rf "$PLUGIN_SCRATCH/src"
  mkdir -p "$PLUGIN_SCRATCH/bin"
  git clone --quiet --depth 1 --branch "$SWIFT_PROTOBUF_TAG" "file://$SWIFT_PROTOBUF_GIT" "$PLUGIN_SCRATCH/src"
  swift build --package-path "$PLUGIN_SCRATCH/src" -c release --product protoc-gen-swift >&2
  cp "$(swift build --package-path "$PLUGIN_SCRATCH/src" -c release --show-bin-path)/protoc-gen-swift" "$PLUGIN"
fi
echo "using $("$PLUGIN" --version) ($PLUGIN)" >&2

mkdir -p "$OUT"
rm -f "$OUT/catalog.pb.swift"
protoc -I "$BENCH_PROTOS" -I "$PROTOC_INCLUDE" \
  --plugin=protoc-gen-swift="$PLUGIN" \
  --swift_out="$OUT" --swift_opt=Visibility=Public,FileNaming=DropPath \
  bench/v1/catalog.proto

echo "generated: Sources/EdgeBench/Generated/catalog.pb.swift"
