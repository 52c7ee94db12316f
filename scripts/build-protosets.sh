#!/usr/bin/env bash
# Rebuilds the prebuilt descriptor sets under protos/descriptors/ from the
# bundled .proto files (committed, so the server needs no protoc at run time).
# Each set is built with --include_imports, so it loads on its own.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v protoc >/dev/null 2>&1 || {
  echo "protoc not found: install protoc (apt-get install protobuf-compiler)" >&2
  exit 1
}
includes=(-I protos)
[ -f /usr/include/google/protobuf/descriptor.proto ] && includes+=(-I /usr/include)

build() {
  local out="protos/descriptors/$1.protoset"
  shift
  protoc "${includes[@]}" --include_imports --descriptor_set_out="$out" "$@"
  echo "wrote $out"
}

mkdir -p protos/descriptors
build google-api google/api/annotations.proto google/api/http.proto google/api/httpbody.proto google/api/field_behavior.proto
build google-rpc google/rpc/status.proto google/rpc/code.proto google/rpc/error_details.proto
build grpc-health grpc/health/v1/health.proto
build grpc-reflection grpc/reflection/v1/reflection.proto
