#!/usr/bin/env bash
# Checks that a static edge runs where no Swift toolchain is installed: it links no Swift or
# Foundation shared library, and `edge validate`, `edge serve` and `edge demo` work with
# LD_LIBRARY_PATH empty and (as root) the toolchain's directory hidden by an empty tmpfs.
#
#   scripts/check-static-binary.sh [BIN]     (default .build/release/edge-static)
# Uses ports 8151, 8152, 9151, 9152.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(readlink -f "${1:-.build/release/edge-static}")
if ldd "$BIN" | grep -E 'libswift|libFoundation|lib_Foundation|libdispatch|libBlocksRuntime'; then
  echo "FAIL: $BIN links Swift shared libraries" >&2; exit 1
fi
TOOLCHAIN=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cat >"$WORK/edge.yaml" <<YAML
listen: {host: 127.0.0.1, port: 8152, admin: {host: 127.0.0.1, port: 9152}}
descriptors: {sources: ["$PWD/protos/grpc/health/v1/health.proto"]}
clusters: [{name: none, endpoints: ["127.0.0.1:1"], services: [grpc.health.v1]}]
YAML
cat >"$WORK/check.sh" <<SH
set -euo pipefail
export LD_LIBRARY_PATH=
if [ "\$(id -u)" = 0 ]; then mount -t tmpfs none "$TOOLCHAIN"; echo "hidden: $TOOLCHAIN"; fi
"$BIN" validate "$WORK/edge.yaml" >/dev/null
echo "validate: ok"
"$BIN" demo --port 8151 --admin-port 9151 >"$WORK/demo.log" 2>&1 & DEMO=\$!
"$BIN" serve --config "$WORK/edge.yaml" >"$WORK/serve.log" 2>&1 & SERVE=\$!
ok=0
for _ in \$(seq 100); do
  if curl -fs -o "$WORK/shelves.json" localhost:8151/v1/shelves && curl -fs -o /dev/null localhost:9152/healthz; then ok=1; break; fi
  sleep 0.2
done
kill -TERM \$DEMO \$SERVE; wait \$DEMO; wait \$SERVE
[ \$ok = 1 ] && grep -q '"shelves"' "$WORK/shelves.json" || { tail "$WORK/demo.log" "$WORK/serve.log"; exit 1; }
echo "demo: GET /v1/shelves ok; serve: /healthz ok; both drained on SIGTERM"
SH
if [ "$(id -u)" = 0 ]; then unshare -m bash "$WORK/check.sh"; else bash "$WORK/check.sh"; fi
echo "OK: $BIN runs without the Swift toolchain"
