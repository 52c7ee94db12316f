#!/usr/bin/env bash
# The release build of the `edge` command as it is deployed and benchmarked: one static
# executable, optimized, with Swift's run-time exclusivity checks off in every module.
#
#   scripts/build-release.sh [--dynamic] [more swift build options]
#
# Output: .build/release/edge, and a copy of it as .build/release/edge-static (or
# edge-dynamic), so that both builds can be compared (Benchmarks/memory.sh).
#
# Static (the default): the Swift runtime, Foundation and every package linked into the one
# file; it needs only the C library (glibc, libstdc++, libm, libz), no Swift toolchain on the
# machine it runs on (`ldd .build/release/edge`). Linked by lld (shipped with the toolchain)
# with, besides SwiftPM's --gc-sections (unreferenced functions and data dropped; Swift
# objects have a section per function):
#   --no-export-dynamic       the toolchain's static-stdlib-args.lnk asks for -export-dynamic:
#                             52,000 symbols in .dynsym/.dynstr/.gnu.hash (5 MB), which the
#                             loader searches at start (2.6 MB resident). Nothing loads
#                             plugins into the edge, so none are exported;
#   -z pack-relative-relocs   the position-independent executable's relocations packed
#                             (DT_RELR, glibc >= 2.36): the loader reads a few kB of table at
#                             start instead of MBs;
#   --symbol-ordering-file    scripts/edge-static.order: what `edge serve` touches, placed
#                             together at the front of .text and data, so that serving keeps
#                             10 MB of code resident instead of 20 MB (the kernel maps code
#                             in 64 kB windows around each fault; BENCHMARKS.md, "Resident
#                             memory"). Regenerate it with
#                             scripts/generate-order-file.sh after large changes; missing
#                             symbols are ignored.
# It stays a position-independent executable (ASLR): linking it at a fixed address
# (-no-pie) saved a further ~1 MB of anonymous memory (relocated pointers), not worth the
# address randomisation of an internet-facing process.
# Symbols are kept (perf and crash backtraces name functions; they are not loaded, so they
# cost file size, not memory); `strip` a copy to ship a 79 MB file instead of 188 MB (ICU's
# data is 32 MB of it, barely touched).
# --dynamic: the build against the toolchain's shared libraries (libswiftCore.so,
# libFoundation.so ...), as before: it runs only where those are installed. SwiftPM compiles
# the modules differently for the two (autolink entries), so switching recompiles everything.
#
# Exclusivity: under load the run-time checks (swift_beginAccess/endAccess on class storage
# such as ByteBuffer's, in NIO's frame and socket code) were ~4 % of the edge's samples, and
# the build without them uses 8-9 % less CPU per request in the peer benchmark
# (Benchmarks/gateway-ab.sh, BENCHMARKS.md). The maintainers of grpc-swift and NIO build their
# benchmarks the same way. What stays: the compile-time exclusivity diagnostics, and the
# run-time checks in debug builds — every test runs with them (`scripts/test.sh` builds
# debug), so an overlapping access traps there.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=static
if [ "${1:-}" = --dynamic ]; then kind=dynamic; shift; fi
flags=(-c release --product edge -Xswiftc -enforce-exclusivity=unchecked
  -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs)
order=$PWD/scripts/edge-static.order
if [ "$kind" = static ]; then
  flags+=(--static-swift-stdlib -Xlinker --no-export-dynamic
    -Xlinker "--symbol-ordering-file=$order" -Xlinker --no-warn-symbol-ordering)
  # SwiftPM does not know the list is an input of the link: relink when it changed.
  [ ! "$order" -nt .build/release/edge ] || rm -f .build/release/edge
fi
swift build "${flags[@]}" "$@"
bin=.build/release/edge
cp "$bin" "$bin-$kind"
echo "built $bin ($kind), copied to $bin-$kind"
