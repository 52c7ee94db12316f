#!/usr/bin/env bash
# Installs what the tests need beyond the Swift toolchain: protoc (with the
# google/protobuf includes), Debian's redis-server (the rate-limit and Redis client tests
# start their own on a private port), Python's reference protobuf + grpcio, `cryptography`
# (the TLS tests make their certificates with it), PyJWT to mint the JWT tests' tokens,
# opentelemetry-proto for the OTLP trace receiver the tracing tests start (Tests/otlp/receiver.py), and
# for the OpenAPI tests openapi-spec-validator, schemathesis, selenium with Debian's chromium
# and chromium-driver; promtool (Debian's prometheus) for the metrics text.
# Idempotent: does nothing when everything is already there.
set -euo pipefail

need_apt=()
command -v protoc >/dev/null 2>&1 || need_apt+=(protobuf-compiler)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -x /usr/bin/chromedriver ] || need_apt+=(chromium-driver)
[ -f /usr/include/google/protobuf/timestamp.proto ] || need_apt+=(libprotobuf-dev)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# promtool (Debian's prometheus package) checks the /metrics text in the observability tests.
if ! command -v promtool >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  [ ${#need_apt[@]} -gt 0 ] || $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi

if ! python3 -c 'import google.protobuf, grpc, grpc_tools, grpc_reflection, grpc_health, cryptography' >/dev/null 2>&1; then
  python3 -m pip install -q --disable-pip-version-check \
    protobuf grpcio grpcio-tools grpcio-reflection grpcio-health-checking cryptography
fi

if ! python3 -c 'import openapi_spec_validator, schemathesis, selenium, jsonschema' >/dev/null 2>&1; then
  python3 -m pip install -q --disable-pip-version-check openapi-spec-validator schemathesis selenium jsonschema
fi

if ! python3 -c 'import opentelemetry.proto.collector.trace.v1.trace_service_pb2' >/dev/null 2>&1; then
  python3 -m pip install -q --disable-pip-version-check opentelemetry-proto
fi

if ! python3 -c 'import jwt, cryptography' >/dev/null 2>&1; then
  python3 -m pip install -q --disable-pip-version-check 'pyjwt[crypto]>=2.8'
fi
