#!/usr/bin/env bash
# Fetches the docs page's assets (Swagger UI's built files) from PyPI and copies them,
# with their licence, into Resources/swagger-ui/, which is committed: the edge serves
# them at /docs/assets/* with no CDN. npm is not reachable here; the PyPI package
# drf-spectacular-sidecar carries swagger-ui-dist as released.
#
# Usage: scripts/fetch-docs-assets.sh [VERSION]   (default: the version pinned below)
# Records the package version, the Swagger UI version and the licence in
# Resources/swagger-ui/SOURCE.
set -euo pipefail

PACKAGE=drf-spectacular-sidecar
VERSION="${1:-2026.10.1}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/Resources/swagger-ui"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

python3 -m pip download --quiet --disable-pip-version-check --no-deps "$PACKAGE==$VERSION" -d "$WORK"
python3 -m zipfile -e "$WORK"/*.whl "$WORK/unpacked"
DIST="$WORK/unpacked/drf_spectacular_sidecar/static/drf_spectacular_sidecar/swagger-ui-dist"

# The Swagger UI release inside: the bundle names itself in its version banner.
UI_VERSION="$(grep -o 'swagger-ui@[0-9.]*\|"5\.[0-9]*\.[0-9]*"' "$DIST/swagger-ui-bundle.js" | sort -t. -k2,2n -k3,3n | tail -1 | tr -d '"' || true)"
LICENSE_NAME="see LICENSE"
if grep -q "Apache License" "$DIST/LICENSE" && grep -q "Version 2.0" "$DIST/LICENSE"; then LICENSE_NAME="Apache-2.0"; fi

rm -rf "$DEST"
mkdir -p "$DEST"
for file in swagger-ui-bundle.js swagger-ui.css favicon-32x32.png LICENSE swagger-ui-bundle.js.LICENSE.txt; do
  cp "$DIST/$file" "$DEST/$file"
done
# The source maps are not shipped: drop the references so browsers do not ask for them.
sed -i '/^\/\/# sourceMappingURL=/d' "$DEST/swagger-ui-bundle.js"
sed -i 's#/\*\# sourceMappingURL=[^*]*\*/##' "$DEST/swagger-ui.css"

cat > "$DEST/SOURCE" <<TXT
Swagger UI (swagger-ui-dist) ${UI_VERSION:-unknown}, licence: ${LICENSE_NAME} (see LICENSE,
and swagger-ui-bundle.js.LICENSE.txt for the bundled libraries).
Taken from the PyPI package ${PACKAGE} ${VERSION} by scripts/fetch-docs-assets.sh;
regenerate with that script. Source maps are left out.
TXT
echo "fetched Swagger UI ${UI_VERSION:-?} from ${PACKAGE} ${VERSION} into ${DEST#$ROOT/}"
ls -la "$DEST"
