#!/usr/bin/env python3
"""A stand-in for `edge convert` built on the reference (reference.py), speaking the
same command line and `--lines` protocol, so that the differential harness can be
proven before the real converter exists: run.py --edge fake_convert.py must report
0 failures.

    fake_convert.py convert <descriptor sets…> --type pkg.Msg --from json|binary --to json|binary
                    [--lines] [--ignore-unknown-fields] [--proto-names] [--emit-unpopulated]
                    [--enums-as-ints] [--max-depth N] [--import-path DIR]
"""

import argparse
import base64
import binascii
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory  # noqa: E402

import reference  # noqa: E402


def main():
    args = sys.argv[1:]
    if not args or args[0] != "convert":
        sys.exit("usage: fake_convert.py convert …")
    parser = argparse.ArgumentParser(prog="fake_convert.py convert")
    parser.add_argument("sources", nargs="+")
    parser.add_argument("--type", required=True)
    parser.add_argument("--from", dest="source", choices=["json", "binary"], required=True)
    parser.add_argument("--to", dest="target", choices=["json", "binary"], required=True)
    parser.add_argument("--lines", action="store_true")
    parser.add_argument("--import-path", action="append", default=[])
    parser.add_argument("--ignore-unknown-fields", action="store_true")
    parser.add_argument("--proto-names", action="store_true")
    parser.add_argument("--emit-unpopulated", action="store_true")
    parser.add_argument("--enums-as-ints", action="store_true")
    parser.add_argument("--max-depth", type=int, default=100)
    opts = parser.parse_args(args[1:])

    pool = descriptor_pool.DescriptorPool()
    for source in opts.sources:
        with open(source, "rb") as f:
            for file in descriptor_pb2.FileDescriptorSet.FromString(f.read()).file:
                pool.Add(file)
    cls = message_factory.GetMessageClass(pool.FindMessageTypeByName(opts.type))

    def read(data):
        """Input bytes -> message, or raises ("input", why)."""
        try:
            if opts.source == "binary":
                return reference.parse_wire(data, cls)
            return reference.parse_json(data, cls(), opts.ignore_unknown_fields, opts.max_depth, pool)
        except reference.Rejected as error:
            raise Failure("input", str(error))

    def write(message):
        if opts.target == "binary":
            return message.SerializePartialToString()
        try:
            return reference.print_json(message, opts.emit_unpopulated, opts.proto_names, opts.enums_as_ints,
                                        descriptor_pool=pool).encode()
        except reference.Rejected as error:
            raise Failure("output", str(error))

    def convert(data):
        message = read(data)
        if opts.source == opts.target:  # through the other format, like edge
            other = reference.print_json(message, descriptor_pool=pool) if opts.source == "binary" else None
            if other is not None:
                message = reference.parse_json(other, cls(), descriptor_pool=pool)
            else:
                message = reference.parse_wire(message.SerializePartialToString(), cls)
        return write(message)

    stdin = sys.stdin.buffer
    stdout = sys.stdout.buffer
    if not opts.lines:
        try:
            out = convert(stdin.read())
        except Failure as failure:
            sys.stderr.write(failure.line() + "\n")
            sys.exit(1)
        stdout.write(out + (b"\n" if opts.target == "json" else b""))
        return
    for raw in stdin:
        line = raw[:-1] if raw.endswith(b"\n") else raw
        try:
            if opts.source == "binary":
                try:
                    line = base64.b64decode(line.rstrip(b"\r"), validate=True)
                except binascii.Error:
                    raise Failure("input", "not valid base64")
            out = convert(line)
            if opts.target == "binary":
                out = base64.b64encode(out)
            stdout.write(out + b"\n")
        except Failure as failure:
            stdout.write(failure.line().encode() + b"\n")
        except reference.Rejected as error:
            stdout.write(Failure("output", str(error)).line().encode() + b"\n")
    stdout.flush()


class Failure(Exception):
    def __init__(self, side, message):
        self.side = side
        self.message = message

    def line(self):
        return "error: %s: %s" % (self.side, self.message.replace("\r", "\\r").replace("\n", "\\n"))


if __name__ == "__main__":
    main()
