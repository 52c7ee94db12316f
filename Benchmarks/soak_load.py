#!/usr/bin/env python3
"""Steady mixed load for the soak (Benchmarks/soak.sh): stdlib only.

  soak_load.py PORT SECONDS PRODUCT_JSON

Threads, each a keep-alive client of its kind:
  get    GET /v1/products/prod-000123              expect 200
  list   GET /v1/products?page_size=20             expect 200
  post   POST /v1/products (the ~1 KB fixture)     expect 200
  error  GET /v1/products?page_size=-1             expect 400 (the backend's INVALID_ARGUMENT)
         GET /v1/no/such/route                     expect 404
         POST /v1/products with broken JSON        expect 400
  slow   a fresh connection that sends its request head a few bytes at a time and reads the
         answer 512 bytes at a time                expect 200
Prints one JSON line: requests per kind and outcome, and "unexpected" (answers other than the
expected status, or none), which must be 0.
"""
import http.client
import json
import socket
import sys
import threading
import time

port, seconds, product_file = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
with open(product_file, "rb") as f:
    product = json.dumps(json.load(f), separators=(",", ":")).encode()
deadline = time.monotonic() + seconds
lock = threading.Lock()
counts = {}
unexpected = []


def record(kind, outcome, ok, detail=""):
    with lock:
        key = f"{kind}:{outcome}"
        counts[key] = counts.get(key, 0) + 1
        if not ok and len(unexpected) < 20:
            unexpected.append(f"{kind}: {outcome} {detail}"[:300])
        if not ok:
            counts["unexpected"] = counts.get("unexpected", 0) + 1


def keepalive(kind, requests):
    conn = None
    i = 0
    while time.monotonic() < deadline:
        method, path, body, expected = requests[i % len(requests)]
        i += 1
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            headers = {"Content-Type": "application/json"} if body is not None else {}
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            record(kind, response.status, response.status == expected, data[:200])
            if response.getheader("connection", "").lower() == "close":
                conn.close()
                conn = None
        except Exception as error:  # no answer: a failure
            record(kind, "no-answer", False, repr(error))
            conn = None


def slow():
    while time.monotonic() < deadline:
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=30)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            request = b"GET /v1/products?page_size=50 HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n\r\n"
            for start in range(0, len(request), 8):
                s.sendall(request[start:start + 8])
                time.sleep(0.02)
            data = b""
            while True:
                chunk = s.recv(512)
                if not chunk:
                    break
                data += chunk
                time.sleep(0.002)
            s.close()
            status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else 0
            record("slow", status, status == 200)
        except Exception as error:
            record("slow", "no-answer", False, repr(error))


threads = [
    threading.Thread(target=keepalive, args=("get", [("GET", "/v1/products/prod-000123", None, 200)])),
    threading.Thread(target=keepalive, args=("get", [("GET", "/v1/products/prod-000042", None, 200)])),
    threading.Thread(target=keepalive, args=("list", [("GET", "/v1/products?page_size=20", None, 200)])),
    threading.Thread(target=keepalive, args=("post", [("POST", "/v1/products", product, 200)])),
    threading.Thread(target=keepalive, args=("error", [
        ("GET", "/v1/products?page_size=-1", None, 400),
        ("GET", "/v1/no/such/route", None, 404),
        ("POST", "/v1/products", b'{"name": tru', 400),
    ])),
    threading.Thread(target=slow),
    threading.Thread(target=slow),
]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps({"counts": counts, "unexpected": counts.get("unexpected", 0), "examples": unexpected}))
