#!/usr/bin/env bash
# Regenerates edgetest.protoset (committed, so unit tests need no protoc) from protos/.
set -euo pipefail
cd "$(dirname "$0")"
protoc -I protos -I /usr/include --include_imports --include_source_info \
  --descriptor_set_out=edgetest.protoset protos/edgetest/types.proto
