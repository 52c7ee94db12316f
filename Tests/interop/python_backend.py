#!/usr/bin/env python3
"""A grpcio server for the upstream client's interop tests.

Generic handlers with bytes in/out (no generated code), service ``interop.Echo``:
  Echo     returns the request bytes; echoes ``x-echo-*`` request metadata as
           initial metadata and adds trailing metadata ``x-trailer: done``.
  Fail     aborts with INVALID_ARGUMENT, a percent-encoded message and
           ``grpc-status-details-bin`` (a serialized google.rpc.Status).
  Sleep    sleeps for the number of milliseconds in the request (ASCII), then echoes.
  Big      returns a message of the size in the request (ASCII digits).
  FailDetails  aborts with INVALID_ARGUMENT and a google.rpc.Status whose details hold
           one google.rpc.ErrorInfo (reason ECHO_REFUSED, domain interop.test,
           metadata {"field": "text"}).
  SlowEcho sleeps for the milliseconds in ``x-sleep-ms`` metadata, then echoes.
Streaming methods:
  Chat     bidirectional: echoes each request message as soon as it arrives.
  Flood    server streaming: the request is ASCII "COUNT SIZE"; sends COUNT messages
           of SIZE bytes each as fast as flow control allows.
  Abort    server streaming: the request is ASCII "COUNT"; sends COUNT small messages
           ("message <i>"), then aborts with ABORTED and trailing metadata
           ``x-reason: mid-stream``.
  Sink     client streaming: waits for the milliseconds given in ``x-sink-delay-ms``
           metadata before reading, then reads every message and returns the total
           number of bytes received (ASCII).
  Peer     returns the common name of the client certificate (mTLS), or "" without one.
TLS: with PY_BACKEND_TLS_CERT and PY_BACKEND_TLS_KEY (PEM files) the server speaks TLS;
with PY_BACKEND_TLS_CLIENT_CA too, it requires a client certificate from that CA.
Prints the bound port on stdout, then serves until stdin closes or it is killed.
"""
import os
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


def _field(number, payload):
    """A length-delimited protobuf field."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def fail_details(request, context):
    message = "echo refused"
    error_info = (
        _field(1, b"ECHO_REFUSED") + _field(2, b"interop.test")
        + _field(3, _field(1, b"field") + _field(2, b"text"))
    )
    detail = _field(1, b"type.googleapis.com/google.rpc.ErrorInfo") + _field(2, error_info)
    status = rpc_status(grpc.StatusCode.INVALID_ARGUMENT.value[0], message) + _field(3, detail)
    context.abort_with_status(_Status(
        grpc.StatusCode.INVALID_ARGUMENT, message, (("grpc-status-details-bin", status),),
    ))


def slow_echo(request, context):
    delay = dict(context.invocation_metadata()).get("x-sleep-ms", "0")
    time.sleep(int(delay) / 1000.0)
    return request


def chat(request_iterator, context):
    for message in request_iterator:
        yield message


def flood(request, context):
    count, size = (int(part) for part in request.decode().split())
    chunk = b"f" * size
    for _ in range(count):
        yield chunk


def abort_mid_stream(request, context):
    for i in range(int(request.decode() or "0")):
        yield ("message %d" % i).encode()
    context.set_trailing_metadata((("x-reason", "mid-stream"),))
    context.abort(grpc.StatusCode.ABORTED, "aborted after the messages")


def sink(request_iterator, context):
    delay = dict(context.invocation_metadata()).get("x-sink-delay-ms", "0")
    time.sleep(int(delay) / 1000.0)
    total = 0
    for message in request_iterator:
        total += len(message)
    return str(total).encode()


def peer(request, context):
    names = context.auth_context().get("x509_common_name") or [b""]
    return names[0]


def main():
    handlers = {
        "Echo": grpc.unary_unary_rpc_method_handler(echo),
        "Fail": grpc.unary_unary_rpc_method_handler(fail),
        "Sleep": grpc.unary_unary_rpc_method_handler(sleep),
        "Big": grpc.unary_unary_rpc_method_handler(big),
        "FailDetails": grpc.unary_unary_rpc_method_handler(fail_details),
        "SlowEcho": grpc.unary_unary_rpc_method_handler(slow_echo),
        "Chat": grpc.stream_stream_rpc_method_handler(chat),
        "Flood": grpc.unary_stream_rpc_method_handler(flood),
        "Abort": grpc.unary_stream_rpc_method_handler(abort_mid_stream),
        "Sink": grpc.stream_unary_rpc_method_handler(sink),
        "Peer": grpc.unary_unary_rpc_method_handler(peer),
    }
    # BDP probing off: it grows grpcio's flow-control windows with the bandwidth it measures,
    # and on a loaded machine (slow pings) far enough that a client writing to a stream nobody
    # reads (Sink with a delay) was never held back by flow control within 64 MiB.
    serve("interop.Echo", handlers, workers=8,
          options=[("grpc.max_send_message_length", 64 << 20), ("grpc.http2.bdp_probe", 0)])


def serve(service, handlers, workers, options=()):
    """Serves `handlers` as `service` on 127.0.0.1 (a free port, printed on stdout) until
    the parent closes our stdin (the test process exited) or kills us."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=workers), options=list(options))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(service, handlers),))
    # TLS when PY_BACKEND_TLS_CERT/KEY (or EDGE_TLS_CERT/KEY) name PEM files; with
    # PY_BACKEND_TLS_CLIENT_CA, client certificates are required (the mTLS upstream test).
    cert = os.environ.get("PY_BACKEND_TLS_CERT") or os.environ.get("EDGE_TLS_CERT")
    if cert:
        def read(path):
            with open(path, "rb") as f:
                return f.read()

        key = os.environ.get("PY_BACKEND_TLS_KEY") or os.environ["EDGE_TLS_KEY"]
        client_ca = os.environ.get("PY_BACKEND_TLS_CLIENT_CA")
        credentials = grpc.ssl_server_credentials(
            [(read(key), read(cert))],
            root_certificates=read(client_ca) if client_ca else None,
            require_client_auth=bool(client_ca),
        )
        port = server.add_secure_port("127.0.0.1:0", credentials)
    else:
        port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), server.stop(0)), daemon=True).start()
    server.wait_for_termination()


if __name__ == "__main__":
    main()
