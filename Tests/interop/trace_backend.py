#!/usr/bin/env python3
"""A grpcio backend for the tracing tests: serves `demo.bookstore.v1.Bookstore/EchoMetadata`
(POST /v1/debug:echoMetadata through the edge) with generic handlers on raw bytes, answering an
`EchoMetadataResponse` whose entries are the request metadata it received — so a test sees the
`traceparent` the backend got. With `x-fail-once: KEY` metadata the first call for KEY fails with
UNAVAILABLE (a retry to trace). Prints its port on stdout once serving; exits when stdin closes.
"""
import sys
import threading
from concurrent import futures

import grpc

from python_backend import _varint  # the same wire helper (this directory is on sys.path)


def _string(number, text):
    data = text.encode("utf-8")
    return _varint(number << 3 | 2) + _varint(len(data)) + data


_failed = set()
_failed_lock = threading.Lock()


def echo_metadata(request, context):
    metadata = dict((k, v) for k, v in context.invocation_metadata() if isinstance(v, str))
    key = metadata.get("x-fail-once")
    if key:
        with _failed_lock:
            first = key not in _failed
            _failed.add(key)
        if first:
            context.abort(grpc.StatusCode.UNAVAILABLE, "failing once for " + key)
    out = bytearray(_string(1, "python"))
    for key, value in context.invocation_metadata():
        if isinstance(value, bytes):
            value = ""
        entry = _string(1, key) + _string(2, value)
        out += _varint(2 << 3 | 2) + _varint(len(entry)) + entry
    return bytes(out)


def main():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    handler = grpc.method_handlers_generic_handler(
        "demo.bookstore.v1.Bookstore",
        {"EchoMetadata": grpc.unary_unary_rpc_method_handler(echo_metadata)},
    )
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), server.stop(0)), daemon=True).start()
    server.wait_for_termination()


if __name__ == "__main__":
    main()
