#!/usr/bin/env python3
"""A grpcio server for the edge's reflection and fault tests.

Serves reflecttest.v1.Greeter (Tests/Fixtures/protos/reflection/greeter.proto,
compiled at start with grpcio-tools' protoc and loaded into the default
descriptor pool, answered by generic handlers) and gRPC server reflection:
grpc.reflection.v1 and/or v1alpha (--reflection). grpcio-reflection ships the
v1alpha servicer; v1 has the same messages on the wire, so the same servicer
is registered under the v1 service name too.

Prints the bound port on stdout, then serves until killed or stdin closes.
"""
import argparse
import os
import sys
import tempfile
import threading
from concurrent import futures

import grpc
import grpc_tools
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from grpc_reflection.v1alpha import reflection, reflection_pb2, reflection_pb2_grpc
from grpc_tools import protoc

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "Fixtures", "protos"))
BUNDLED = os.path.normpath(os.path.join(HERE, "..", "..", "protos"))
GREETER = "reflecttest.v1.Greeter"


def load_descriptors():
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "greeter.protoset")
        status = protoc.main([
            "protoc", "-I" + FIXTURES, "-I" + BUNDLED,
            "-I" + os.path.join(os.path.dirname(grpc_tools.__file__), "_proto"),
            "--include_imports", "--descriptor_set_out=" + out, "reflection/greeter.proto",
        ])
        if status != 0:
            sys.exit("protoc failed: %d" % status)
        with open(out, "rb") as f:
            files = descriptor_pb2.FileDescriptorSet.FromString(f.read())
    pool = descriptor_pool.Default()
    for file in files.file:
        try:
            pool.FindFileByName(file.name)
        except KeyError:
            pool.AddSerializedFile(file.SerializeToString())
    request = message_factory.GetMessageClass(pool.FindMessageTypeByName("reflecttest.v1.HelloRequest"))
    reply = message_factory.GetMessageClass(pool.FindMessageTypeByName("reflecttest.v1.HelloReply"))
    return request, reply


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tag", default="python")
    parser.add_argument("--reflection", choices=["v1", "v1alpha", "both"], default="both")
    args = parser.parse_args()

    request_class, reply_class = load_descriptors()

    def say_hello(request, context):
        return reply_class(message="hello " + request.name, served_by=args.tag)

    def shout(request, context):
        if not request.name:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "name is required")
        return reply_class(message=request.name.upper() + "!", served_by=args.tag)

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    handlers = {
        "SayHello": grpc.unary_unary_rpc_method_handler(
            say_hello, request_deserializer=request_class.FromString, response_serializer=reply_class.SerializeToString),
        "Shout": grpc.unary_unary_rpc_method_handler(
            shout, request_deserializer=request_class.FromString, response_serializer=reply_class.SerializeToString),
    }
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(GREETER, handlers),))

    names = [GREETER]
    if args.reflection in ("v1alpha", "both"):
        names.append(reflection.SERVICE_NAME)
    if args.reflection in ("v1", "both"):
        names.append("grpc.reflection.v1.ServerReflection")
    servicer = reflection.ReflectionServicer(names)
    if args.reflection in ("v1alpha", "both"):
        reflection_pb2_grpc.add_ServerReflectionServicer_to_server(servicer, server)
    if args.reflection in ("v1", "both"):
        v1 = grpc.stream_stream_rpc_method_handler(
            servicer.ServerReflectionInfo,
            request_deserializer=reflection_pb2.ServerReflectionRequest.FromString,
            response_serializer=reflection_pb2.ServerReflectionResponse.SerializeToString)
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(
            "grpc.reflection.v1.ServerReflection", {"ServerReflectionInfo": v1}),))

    port = server.add_insecure_port("127.0.0.1:%d" % args.port)
    if port == 0:
        sys.exit("cannot bind 127.0.0.1:%d" % args.port)
    server.start()
    print(port, flush=True)

    # The test closes stdin (or kills the process) to stop the server.
    def wait_stdin():
        sys.stdin.read()
        server.stop(0)
    threading.Thread(target=wait_stdin, daemon=True).start()
    server.wait_for_termination()


if __name__ == "__main__":
    main()
