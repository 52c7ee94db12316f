#!/usr/bin/env bash
# Resident memory of three minimal Swift programs on this machine: what the runtime
# and Foundation cost before any edge code runs. Each reads a file and prints its own
# VmRSS / RssFile from /proc (the same counters the peer benchmark reads).
#   Benchmarks/rss-baseline.sh
set -euo pipefail
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
body='
let text = try! String(contentsOfFile: "/proc/self/status", encoding: .utf8)
for line in text.split(separator: "\n") where line.hasPrefix("VmRSS") || line.hasPrefix("RssFile") || line.hasPrefix("RssAnon") {
    print("  " + line.split(separator: "\t").joined(separator: " "))
}'
cat >"$WORK/none.swift" <<'SWIFT'
#if canImport(Glibc)
import Glibc
#endif
let fd = open("/proc/self/status", O_RDONLY)
var bytes = [UInt8](repeating: 0, count: 8192)
let count = read(fd, &bytes, bytes.count)
let text = String(decoding: bytes[0..<count], as: UTF8.self)
for line in text.split(separator: "\n") where line.hasPrefix("VmRSS") || line.hasPrefix("RssFile") || line.hasPrefix("RssAnon") {
    print("  " + line.split(separator: "\t").joined(separator: " "))
}
SWIFT
printf 'import FoundationEssentials\n%s\n' "$body" >"$WORK/essentials.swift"
printf 'import Foundation\n%s\n' "$body" >"$WORK/foundation.swift"
for name in none essentials foundation; do
  swiftc -O "$WORK/$name.swift" -o "$WORK/$name" 2>/dev/null
  case $name in
    none) echo "Swift runtime only (Glibc):" ;;
    essentials) echo "import FoundationEssentials:" ;;
    foundation) echo "import Foundation (what Yams and swift-protobuf link):" ;;
  esac
  "$WORK/$name"
done
