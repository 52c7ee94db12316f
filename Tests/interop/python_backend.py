#!/usr/bin/env python3
"""A grpcio server for the upstream client's interop tests.

Generic handlers with bytes in/out (no generated code), service ``interop.Echo``:
  Echo     returns the request bytes; echoes ``x-echo-*`` request metadata as
           initial metadata and adds trailing metadata ``x-trailer: done``.
  Fail     aborts with INVALID_ARGUMENT, a percent-encoded message and
           ``grpc-status-details-bin`` (a serialized google.rpc.Status).
  Sleep    sleeps for the number of milliseconds in the request (ASCII), then echoes.
  Big      returns a message of the size in the request (ASCII digits).
Prints the bound port on stdout, then serves until stdin closes or it is killed.
"""
import sys
import threading
import time
from concurrent import futures

import grpc


def _varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def rpc_status(code, message):
    """google.rpc.Status{code, message} in protobuf wire format, written by hand."""
    encoded = message.encode("utf-8")
    return b"\x08" + _varint(code) + b"\x12" + _varint(len(encoded)) + encoded


class _Status(grpc.Status):
    def __init__(self, code, details, trailing_metadata):
        self.code = code
        self.details = details
        self.trailing_metadata = trailing_metadata


def echo(request, context):
    echoed = tuple((k, v) for k, v in context.invocation_metadata() if k.startswith("x-echo-"))
    timeout = context.time_remaining()
    echoed += (("x-saw-timeout", "yes" if timeout is not None else "no"),)
    context.send_initial_metadata(echoed)
    context.set_trailing_metadata((("x-trailer", "done"),))
    return request


def fail(request, context):
    message = "bad request: 100% wrong ✗"
    details = rpc_status(grpc.StatusCode.INVALID_ARGUMENT.value[0], message)
    context.abort_with_status(_Status(
        grpc.StatusCode.INVALID_ARGUMENT,
        message,
        (("grpc-status-details-bin", details), ("x-reason", "test")),
    ))


def sleep(request, context):
    time.sleep(int(request.decode() or "0") / 1000.0)
    return request


def big(request, context):
    return b"x" * int(request.decode())


def main():
    handlers = {
        "Echo": grpc.unary_unary_rpc_method_handler(echo),
        "Fail": grpc.unary_unary_rpc_method_handler(fail),
        "Sleep": grpc.unary_unary_rpc_method_handler(sleep),
        "Big": grpc.unary_unary_rpc_method_handler(big),
    }
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=8),
        options=[("grpc.max_send_message_length", 64 << 20)],
    )
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("interop.Echo", handlers),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    # Stop when the parent closes our stdin (test process exited) or kills us.
    threading.Thread(target=lambda: (sys.stdin.read(), server.stop(0)), daemon=True).start()
    server.wait_for_termination()


if __name__ == "__main__":
    main()
