#!/usr/bin/env bash
# Resident memory of minimal Swift programs on this machine: what the runtime and Foundation
# cost before any edge code runs, linked against the toolchain's shared libraries and
# statically (-static-stdlib, as scripts/build-release.sh links the edge). Each reads a file
# and prints its own VmRSS / RssAnon / RssFile from /proc (the counters the benchmarks read).
#   Benchmarks/rss-baseline.sh
set -euo pipefail
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
body='
let text = try! String(contentsOfFile: "/proc/self/status", encoding: .utf8)
report(text)'
report='
func report(_ text: String) {
    var out: [String] = []
    for line in text.split(separator: "\n") where line.hasPrefix("VmRSS") || line.hasPrefix("RssFile") || line.hasPrefix("RssAnon") {
        let kb = Int(line.split(separator: " ").dropFirst().first { !$0.isEmpty } ?? "0") ?? 0
        out.append("\(line.prefix { $0 != ":" }) \(kb / 1024).\(kb % 1024 * 10 / 1024) MB")
    }
    print(out.joined(separator: "  "))
}'
cat >"$WORK/none.swift" <<SWIFT
#if canImport(Glibc)
import Glibc
#endif
$report
let fd = open("/proc/self/status", O_RDONLY)
var bytes = [UInt8](repeating: 0, count: 8192)
let count = read(fd, &bytes, bytes.count)
report(String(decoding: bytes[0..<count], as: UTF8.self))
SWIFT
printf 'import FoundationEssentials\n%s\n%s\n' "$report" "$body" >"$WORK/essentials.swift"
printf 'import Foundation\n%s\n%s\n' "$report" "$body" >"$WORK/foundation.swift"
# Foundation's Process (what `edge` uses to run protoc): pulls in libFoundation proper.
printf 'import Foundation\n%s\nlet p = Process()\np.executableURL = URL(fileURLWithPath: "/bin/true")\ntry! p.run()\np.waitUntilExit()\n%s\n' \
  "$report" "$body" >"$WORK/process.swift"
for name in none essentials foundation process; do
  swiftc -O "$WORK/$name.swift" -o "$WORK/$name-dynamic" 2>/dev/null
  swiftc -O -static-stdlib -use-ld=lld -Xlinker --gc-sections -Xlinker -z -Xlinker pack-relative-relocs \
    "$WORK/$name.swift" -o "$WORK/$name-static" 2>/dev/null
  case $name in
    none) title="Swift runtime only (Glibc)" ;;
    essentials) title="import FoundationEssentials, String(contentsOfFile:)" ;;
    foundation) title="import Foundation, String(contentsOfFile:)" ;;
    process) title="import Foundation, one Process run (/bin/true)" ;;
  esac
  echo "$title:"
  for kind in dynamic static; do
    printf '  %-8s %5s MB file  ' "$kind" "$(du -m "$WORK/$name-$kind" | cut -f1)"
    "$WORK/$name-$kind"
  done
done
