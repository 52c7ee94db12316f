#!/usr/bin/env bash
# Installs what the tests need beyond the Swift toolchain: protoc (with the
# google/protobuf includes), Python's reference protobuf + grpcio, and PyJWT
# (with cryptography) to mint the JWT tests' tokens.
# Idempotent: does nothing when everything is already there.
set -euo pipefail

need_apt=()
command -v protoc >/dev/null 2>&1 || need_apt+=(protobuf-compiler)
[ -f /usr/include/google/protobuf/timestamp.proto ] || need_apt+=(libprotobuf-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! python3 -c 'import google.protobuf, grpc, grpc_tools, grpc_reflection, grpc_health' >/dev/null 2>&1; then
  python3 -m pip install -q --disable-pip-version-check \
    protobuf grpcio grpcio-tools grpcio-reflection grpcio-health-checking
fi

if ! python3 -c 'import jwt, cryptography' >/dev/null 2>&1; then
  python3 -m pip install -q --disable-pip-version-check 'pyjwt[crypto]>=2.8'
fi
