#!/usr/bin/env bash
# The test command: installs test dependencies if missing, builds, runs every test
# (XCTest; the package has no Swift Testing tests), prints the skipped tests by name,
# and ends with a summary line.
#
# With CI set (`.ci/run` sets CI=true), a skipped test fails the run unless it is an
# opt-in benchmark: its skip message says "set EDGE_..._BENCH=1". A skip there means a
# missing dependency (grpcio, protoc, the shared bench backend) that would hide a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
swift test --disable-swift-testing 2>&1 | tee "$log" || status=$?

# XCTest (corelibs) reports a skip as "<file>:<line>: Class.test : Test skipped - <reason>"
# followed by "Test Case 'Class.test' skipped (N seconds)".
skipped_names=$(grep -E "^Test Case '[^']+' skipped" "$log" | sed -E "s/^Test Case '([^']+)' skipped.*/\1/" | sort -u || true)
unexpected=0
if [ -n "$skipped_names" ]; then
  echo "skipped tests:"
  while IFS= read -r name; do
    reason=$(grep -F ": $name : Test skipped" "$log" | head -1 | sed -E 's/.*: Test skipped( - )?//' || true)
    if grep -qE 'set EDGE_[A-Z0-9_]+_BENCH=1' <<<"$reason"; then
      echo "  $name (opt-in benchmark: $reason)"
    else
      echo "  $name: ${reason:-no reason given}"
      unexpected=$((unexpected + 1))
    fi
  done <<<"$skipped_names"
fi

summary=$(grep -E 'Executed [0-9]+ tests?, with' "$log" | tail -1 || true)
if [ -n "$summary" ]; then
  total=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$summary")
  failed=$(sed -E 's/.* ([0-9]+) failures?.*/\1/' <<<"$summary")
  skipped=0
  if grep -qE '[0-9]+ tests? skipped' <<<"$summary"; then
    skipped=$(sed -E 's/.* ([0-9]+) tests? skipped.*/\1/' <<<"$summary")
  fi
  echo "tests: $((total - failed - skipped)) passed, $failed failed, $skipped skipped"
fi
if [ -n "${CI:-}" ] && [ "$unexpected" -gt 0 ]; then
  echo "CI: $unexpected test(s) skipped that must run here (install what their skip message names)" >&2
  [ "$status" -ne 0 ] || status=1
fi
exit "$status"
