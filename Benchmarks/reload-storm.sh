#!/usr/bin/env bash
# The reload storm (Tests/EdgeTests/ReloadStormTests.swift) with more reloads than CI's 100:
# alternating two valid configurations that move a route and the cluster, plus invalid ones
# that must be refused, while 4 clients send requests. Prints the test's "reload storm:"
# lines (reloads, requests by status, snapshots alive after, descriptors before/after).
#
#   Benchmarks/reload-storm.sh [RELOADS]     default 1000
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
EDGE_STORM_RELOADS=${1:-1000} swift test --disable-swift-testing --skip-build --filter ReloadStormTests 2>&1 \
  | tee /dev/stderr | grep -E "reload storm|Executed" >/dev/null
