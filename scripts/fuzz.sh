#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer (the Swift toolchain's -sanitize=fuzzer, with
# AddressSanitizer). Targets live in Fuzz/<Target>/ and are declared in Package.swift only
# when EDGE_FUZZ is set; they are built in their own scratch directory (.build-fuzz).
#
#   scripts/fuzz.sh                    every target, 30 s each
#   scripts/fuzz.sh TARGET [SECONDS]   one target (a name from the list below, with or without "Fuzz")
#   scripts/fuzz.sh all SECONDS        every target, SECONDS each
#   scripts/fuzz.sh ci SECONDS         every target, SECONDS each: what CI runs. The transcoder's targets
#                                      as above (their sanitized build is small: SwiftProtobuf, Yams and
#                                      ours). The others (HARNESS_TARGETS) would need a sanitized release
#                                      build of NIO, two BoringSSLs and jwt-kit, too long for every CI run
#                                      (docs/fuzzing.md): they are built in the debug build the tests
#                                      already made (.build), with libFuzzer's instrumentation in the fuzz
#                                      targets only (EDGE_FUZZ=harness). That catches a broken harness, a
#                                      seed that breaks a property and what blind mutation finds; the
#                                      coverage-guided search of that code is the campaigns' job.
#   scripts/fuzz.sh build             build every target, run none
#   scripts/fuzz.sh run TARGET [SECONDS]  one target as last built (no build step)
#
# Seeds: Fuzz/corpus/<Target>/ (committed, small). New inputs go to .build-fuzz/corpus/<Target>/
# (not committed). A crash is saved as .build-fuzz/crashes/<Target>/crash-*; the script exits
# non-zero and prints it. Every crash found becomes a regular XCTest with its input
# (Tests/*/FuzzFindingsTests.swift).
#
# Environment: FUZZ_JOBS (parallel workers per target, default 1), FUZZ_FLAGS (extra libFuzzer
# flags), FUZZ_SANITIZE (default "fuzzer,address"; "fuzzer" alone runs faster), FUZZ_SCRATCH (the
# sanitized build and the corpora, default .build-fuzz).
#
# A new target: Fuzz/<Target>/<Target>.swift, TARGETS below (and HARNESS_TARGETS if it calls
# code beyond the transcoder), Package.swift's fuzz list, seeds in scripts/fuzz-seeds.py.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

TARGETS=(
  FuzzJSONToWire
  FuzzWireToJSON
  FuzzPathTemplate
  FuzzRouteMatch
  FuzzJSONStreamSplitter
  FuzzHeadValidator
  FuzzGRPCResponseDecoder
  FuzzRESPReply
  FuzzJWT
)
# Built for CI in the tests' debug build, instrumented in the harness only (see "ci" above).
HARNESS_TARGETS=(FuzzHeadValidator FuzzGRPCResponseDecoder FuzzRESPReply FuzzJWT)

scratch="${FUZZ_SCRATCH:-$root/.build-fuzz}"
sanitize="${FUZZ_SANITIZE:-fuzzer,address}"

build() {
  mkdir -p "$scratch"
  # The routing fixture as a descriptor set, for FuzzRouteMatch (protoc runs here, not in the target).
  protoc -I Tests/Fixtures/protos -I protos -I /usr/include --include_imports \
    --descriptor_set_out="$scratch/routing.protoset" routing/library.proto
  for target in "$@"; do
    echo "== building $target"
    EDGE_FUZZ=1 swift build --scratch-path "$scratch" -c release \
      -Xswiftc "-sanitize=$sanitize" -Xswiftc -enable-testing --product "$target"
  done
}

# The HARNESS_TARGETS for CI: in .build (debug), as the tests built it.
build_harness() {
  for target in "$@"; do
    echo "== building $target (debug, instrumented harness)"
    EDGE_FUZZ=harness swift build --product "$target"
  done
}

run() {
  local target=$1 seconds=$2
  local binary="${3:-$scratch/release}/$target"
  local corpus="$scratch/corpus/$target" crashes="$scratch/crashes/$target"
  mkdir -p "$corpus" "$crashes" "Fuzz/corpus/$target"
  echo "== fuzzing $target for ${seconds}s"
  local log="$scratch/$target.log"
  local status=0
  # -rss_limit_mb: nothing may allocate without bound; -timeout: no input may hang.
  # SWIFT_BACKTRACE off: a Swift trap goes straight to libFuzzer's crash handler (the Swift
  # backtracer trips AddressSanitizer when it reads the crashed process's stack).
  EDGE_FUZZ_ROUTING="$scratch/routing.protoset" ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no \
    "$binary" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=4096 \
    -print_final_stats=1 -artifact_prefix="$crashes/" ${FUZZ_JOBS:+-jobs=$FUZZ_JOBS -workers=$FUZZ_JOBS} \
    ${FUZZ_FLAGS:-} "$corpus" "Fuzz/corpus/$target" >"$log" 2>&1 || status=$?
  grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+.*DONE' "$log" | sed "s/^/$target /" || true
  if [ "$status" -ne 0 ]; then
    echo "$target FAILED (exit $status); log: $log"
    tail -40 "$log"
    ls "$crashes"
    return 1
  fi
}

normalize() {
  case "$1" in
    Fuzz*) echo "$1" ;;
    *) echo "Fuzz$1" ;;
  esac
}

case "${1:-all}" in
  build)
    build "${TARGETS[@]}"
    ;;
  ci)
    seconds=${2:-20}
    sanitized=()
    for target in "${TARGETS[@]}"; do
      [[ " ${HARNESS_TARGETS[*]} " == *" $target "* ]] || sanitized+=("$target")
    done
    start=$SECONDS
    build "${sanitized[@]}"
    build_harness "${HARNESS_TARGETS[@]}"
    echo "== fuzz builds took $((SECONDS - start)) s"
    failed=0
    for target in "${sanitized[@]}"; do run "$target" "$seconds" || failed=1; done
    for target in "${HARNESS_TARGETS[@]}"; do run "$target" "$seconds" "$root/.build/debug" || failed=1; done
    echo "== fuzz step took $((SECONDS - start)) s"
    exit "$failed"
    ;;
  all)
    seconds=${2:-30}
    build "${TARGETS[@]}"
    failed=0
    for target in "${TARGETS[@]}"; do run "$target" "$seconds" || failed=1; done
    exit "$failed"
    ;;
  run)
    # A target already built (a campaign's next round): no build step.
    run "$(normalize "$2")" "${3:-30}"
    ;;
  *)
    target=$(normalize "$1")
    build "$target"
    run "$target" "${2:-30}"
    ;;
esac
