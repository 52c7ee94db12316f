#!/usr/bin/env bash
# The release build of the `edge` command as it is deployed and benchmarked:
# optimized, with Swift's run-time exclusivity checks off in every module
# (`-enforce-exclusivity=unchecked`, NIO and swift-nio-http2 included).
#
# Why: under load those checks (swift_beginAccess/endAccess on class storage such as
# ByteBuffer's, in NIO's frame and socket code) were ~4 % of the edge's samples, and
# the build without them uses 8-9 % less CPU per request in the peer benchmark
# (Benchmarks/gateway-ab.sh, BENCHMARKS.md). The maintainers of grpc-swift and NIO
# build their benchmarks the same way. What stays: the compile-time exclusivity
# diagnostics, and the run-time checks in debug builds — every test runs with them
# (`scripts/test.sh` builds debug), so an overlapping access traps there.
#   scripts/build-release.sh [more swift build options]
set -euo pipefail
cd "$(dirname "$0")/.."
exec swift build -c release --product edge -Xswiftc -enforce-exclusivity=unchecked "$@"
