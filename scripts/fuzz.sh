#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer (the Swift toolchain's -sanitize=fuzzer, with
# AddressSanitizer). Targets live in Fuzz/<Target>/ and are declared in Package.swift only
# when EDGE_FUZZ is set; they are built in their own scratch directory (.build-fuzz).
#
#   scripts/fuzz.sh                    every target, 30 s each (what CI runs)
#   scripts/fuzz.sh TARGET [SECONDS]   one target (a name from the list below, with or without "Fuzz")
#   scripts/fuzz.sh all SECONDS        every target, SECONDS each
#   scripts/fuzz.sh ci SECONDS         the targets whose sanitized build stays small (the transcoder's:
#                                      SwiftProtobuf, Yams and ours), SECONDS each: what CI runs. The
#                                      targets on the Edge module need a sanitized release build of NIO,
#                                      BoringSSL and jwt-kit as well (the longest part of a cold build),
#                                      so they run in campaigns, not on every CI run.
#   scripts/fuzz.sh build             build every target, run none
#
# Seeds: Fuzz/corpus/<Target>/ (committed, small). New inputs go to .build-fuzz/corpus/<Target>/
# (not committed). A crash is saved as .build-fuzz/crashes/<Target>/crash-*; the script exits
# non-zero and prints it. Every crash found becomes a regular XCTest with its input
# (Tests/*/FuzzFindingsTests.swift).
#
# Environment: FUZZ_JOBS (parallel workers per target, default 1), FUZZ_FLAGS (extra libFuzzer
# flags), FUZZ_SANITIZE (default "fuzzer,address"; "fuzzer" alone runs faster).
#
# Still to come (their parsers land on other branches): FuzzJWT (the JWT parsing/verification
# front, Sources/Edge/Policy) and FuzzRESPReply (the Redis reply parser). Add each to TARGETS
# below, to Package.swift's fuzz list, with a seed corpus, when its code is merged.
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
)

scratch="$root/.build-fuzz"
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

run() {
  local target=$1 seconds=$2
  local binary="$scratch/release/$target"
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
    ci_targets=(FuzzJSONToWire FuzzWireToJSON FuzzPathTemplate FuzzRouteMatch FuzzJSONStreamSplitter)
    build "${ci_targets[@]}"
    failed=0
    for target in "${ci_targets[@]}"; do run "$target" "$seconds" || failed=1; done
    exit "$failed"
    ;;
  all)
    seconds=${2:-30}
    build "${TARGETS[@]}"
    failed=0
    for target in "${TARGETS[@]}"; do run "$target" "$seconds" || failed=1; done
    exit "$failed"
    ;;
  *)
    target=$(normalize "$1")
    build "$target"
    run "$target" "${2:-30}"
    ;;
esac
