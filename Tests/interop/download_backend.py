#!/usr/bin/env python3
"""The demo's Download (demo.bookstore.v1.Bookstore/Download) served by grpcio, for the
streaming backpressure test: with the backend in its own process, the test process's
resident set is the edge's alone.

Same answer as the Swift demo: DownloadRequest{bytes = 1, chunk_size = 2} (chunk_size 0:
65536) gives DownloadChunk{offset = 1, data = 2} messages where byte i of the whole
download is i % 251, sent as fast as HTTP/2 flow control allows. Generic handler, protobuf
wire format written by hand (no generated code). Prints the bound port on stdout, then
serves until stdin closes or it is killed.
"""
import grpc

from python_backend import _varint, serve


def _read_varint(data, index):
    value = shift = 0
    while True:
        byte = data[index]
        index += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, index


def _fields(request):
    """The varint fields of a message (all DownloadRequest has)."""
    fields = {}
    index = 0
    while index < len(request):
        key, index = _read_varint(request, index)
        if key & 7 != 0:
            raise ValueError("unexpected wire type %d" % (key & 7))
        fields[key >> 3], index = _read_varint(request, index)
    return fields


def download(request, context):
    fields = _fields(request)
    total = fields.get(1, 0)
    chunk = fields.get(2, 0) or 65536
    pattern = bytes(i % 251 for i in range(chunk + 251))
    offset = 0
    while offset < total:
        count = min(chunk, total - offset)
        start = offset % 251
        head = (b"\x08" + _varint(offset)) if offset else b""
        yield head + b"\x12" + _varint(count) + pattern[start:start + count]
        offset += count


def main():
    handlers = {"Download": grpc.unary_stream_rpc_method_handler(download)}
    serve("demo.bookstore.v1.Bookstore", handlers, workers=4)


if __name__ == "__main__":
    main()
