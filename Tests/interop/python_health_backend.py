#!/usr/bin/env python3
"""A grpcio server with grpc.health.v1 for the edge's health-check tests.

Serves ``grpc.health.v1.Health`` (grpcio-health-checking's servicer) and, with bytes
in/out (no generated code), ``interop.Echo/Who``, which answers with this server's name
(the first argument). Both the server ("") and ``interop.Echo`` start SERVING.

Prints the bound port on stdout, then reads commands from stdin, one per line:
  SERVING | NOT_SERVING | SERVICE_UNKNOWN   set the status of "" and interop.Echo
and answers each with ``ok`` on stdout. Stops when stdin closes or it is killed.
"""
import sys
from concurrent import futures

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc


def main():
    name = (sys.argv[1] if len(sys.argv) > 1 else "backend").encode()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    handlers = {"Who": grpc.unary_unary_rpc_method_handler(lambda request, context: name)}
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("interop.Echo", handlers),))
    port = server.add_insecure_port("127.0.0.1:0")

    def set_status(status):
        for service in ("", "interop.Echo"):
            servicer.set(service, status)

    set_status(health_pb2.HealthCheckResponse.SERVING)
    server.start()
    print(port, flush=True)
    for line in sys.stdin:
        command = line.strip()
        if not command:
            continue
        status = health_pb2.HealthCheckResponse.ServingStatus.Value(command)
        set_status(status)
        print("ok", flush=True)
    server.stop(0)


if __name__ == "__main__":
    main()
