#!/usr/bin/env python3
"""A tiny OTLP/HTTP trace receiver for the edge's tests, on the reference `opentelemetry-proto` messages.

    python3 Tests/otlp/receiver.py [--port 0] [--count-only] [--exit-on-stdin-eof]

Prints `PORT <n>` on stdout once it listens (port 0 picks a free one), then serves:

- POST /v1/traces  an ExportTraceServiceRequest, `application/x-protobuf` (or `application/json`, the OTLP
                   JSON mapping); answers an empty ExportTraceServiceResponse in the same encoding, or the
                   status set by /control. A body that does not parse gets 400.
- GET  /spans      every span received so far, as a JSON array (ids in lowercase hex, kind and status code by
                   their OTLP enum names, attribute values as JSON scalars, the resource's attributes and the
                   scope's name on each span).
- GET  /stats      {"requests": n, "spans": n, "rejected": n, "content_types": [...]}
- POST /reset      forgets everything received.
- POST /control    JSON {"status": 503, "delay_ms": 200}: answer every following export with that status
                   (200 = normal) after that delay (a slow collector).

--count-only counts spans without keeping them (for benchmarks: /spans then stays empty).
"""

import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.trace.v1 import trace_pb2


def any_value(value):
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [any_value(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: any_value(kv.value) for kv in value.kvlist_value.values}
    if kind == "bytes_value":
        return value.bytes_value.hex()
    return getattr(value, kind)


def attributes(key_values):
    return {kv.key: any_value(kv.value) for kv in key_values}


def span_json(span, resource, scope):
    return {
        "trace_id": span.trace_id.hex(),
        "span_id": span.span_id.hex(),
        "parent_span_id": span.parent_span_id.hex(),
        "trace_state": span.trace_state,
        "flags": span.flags,
        "name": span.name,
        "kind": trace_pb2.Span.SpanKind.Name(span.kind),
        "start_time_unix_nano": span.start_time_unix_nano,
        "end_time_unix_nano": span.end_time_unix_nano,
        "attributes": attributes(span.attributes),
        "events": [
            {"name": e.name, "time_unix_nano": e.time_unix_nano, "attributes": attributes(e.attributes)}
            for e in span.events
        ],
        "status": {
            "code": trace_pb2.Status.StatusCode.Name(span.status.code),
            "message": span.status.message,
        },
        "resource": attributes(resource.attributes),
        "scope": scope.name,
    }


class Receiver:
    def __init__(self, count_only):
        self.count_only = count_only
        self.lock = threading.Lock()
        self.spans = []
        self.span_count = 0
        self.requests = 0
        self.rejected = 0
        self.content_types = set()
        self.status = 200
        self.delay = 0.0

    def record(self, request, content_type):
        found = []
        count = 0
        for resource_spans in request.resource_spans:
            for scope_spans in resource_spans.scope_spans:
                count += len(scope_spans.spans)
                if not self.count_only:
                    for span in scope_spans.spans:
                        found.append(span_json(span, resource_spans.resource, scope_spans.scope))
        with self.lock:
            self.requests += 1
            self.span_count += count
            self.spans.extend(found)
            self.content_types.add(content_type)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    receiver = None  # set in main

    def log_message(self, format, *args):
        pass

    def reply(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def reply_json(self, status, value):
        self.reply(status, json.dumps(value).encode(), "application/json")

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        receiver = self.receiver
        if self.path == "/spans":
            with receiver.lock:
                spans = list(receiver.spans)
            self.reply_json(200, spans)
        elif self.path == "/stats":
            with receiver.lock:
                stats = {
                    "requests": receiver.requests,
                    "spans": receiver.span_count,
                    "rejected": receiver.rejected,
                    "content_types": sorted(receiver.content_types),
                }
            self.reply_json(200, stats)
        else:
            self.reply_json(404, {"error": "no such path: " + self.path})

    def do_POST(self):
        receiver = self.receiver
        body = self.body()
        if self.path == "/reset":
            with receiver.lock:
                receiver.spans = []
                receiver.span_count = 0
                receiver.requests = 0
                receiver.rejected = 0
                receiver.content_types = set()
            self.reply_json(200, {})
            return
        if self.path == "/control":
            control = json.loads(body or b"{}")
            with receiver.lock:
                receiver.status = int(control.get("status", 200))
                receiver.delay = float(control.get("delay_ms", 0)) / 1000.0
            self.reply_json(200, {})
            return
        if self.path != "/v1/traces":
            self.reply_json(404, {"error": "no such path: " + self.path})
            return
        with receiver.lock:
            status, delay = receiver.status, receiver.delay
        if delay:
            time.sleep(delay)
        if status != 200:
            with receiver.lock:
                receiver.rejected += 1
            self.reply_json(status, {"error": "status set by /control"})
            return
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        request = trace_service_pb2.ExportTraceServiceRequest()
        try:
            if content_type == "application/x-protobuf":
                request.ParseFromString(body)
            elif content_type == "application/json":
                json_format.Parse(body, request)
            else:
                self.reply_json(415, {"error": "unsupported content type: " + content_type})
                return
        except Exception as error:  # a malformed body is the sender's bug: say what it was
            with receiver.lock:
                receiver.rejected += 1
            self.reply_json(400, {"error": "cannot parse ExportTraceServiceRequest: %s" % error})
            return
        receiver.record(request, content_type)
        response = trace_service_pb2.ExportTraceServiceResponse()
        if content_type == "application/json":
            self.reply(200, json_format.MessageToJson(response).encode(), "application/json")
        else:
            self.reply(200, response.SerializeToString(), "application/x-protobuf")


def main():
    parser = argparse.ArgumentParser(description="OTLP/HTTP trace receiver for tests")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--count-only", action="store_true")
    parser.add_argument("--exit-on-stdin-eof", action="store_true", help="stop when stdin closes (the test's end)")
    options = parser.parse_args()
    Handler.receiver = Receiver(options.count_only)
    server = ThreadingHTTPServer(("127.0.0.1", options.port), Handler)
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    if options.exit_on_stdin_eof:
        threading.Thread(target=lambda: (sys.stdin.read(), server.shutdown()), daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
