"""Compiles the shared test schema (Tests/Fixtures/protos/edgetest) with grpc_tools'
protoc into a temporary directory and imports the generated Python modules."""

import atexit
import importlib
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
PROTO_DIR = os.path.join(ROOT, "Tests", "Fixtures", "protos")
PROTOSET = os.path.join(ROOT, "Tests", "Fixtures", "edgetest.protoset")


def compile_and_import():
    """Returns (types_pb2, legacy_pb2, workdir)."""
    import grpc_tools

    wkt_dir = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    out = tempfile.mkdtemp(prefix="edge-difftest-")
    atexit.register(shutil.rmtree, out, True)
    sources = sorted(
        os.path.join(PROTO_DIR, "edgetest", name)
        for name in os.listdir(os.path.join(PROTO_DIR, "edgetest"))
        if name.endswith(".proto")
    )
    cmd = [sys.executable, "-m", "grpc_tools.protoc", "-I" + PROTO_DIR, "-I" + wkt_dir,
           "--python_out=" + out] + sources
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit("grpc_tools.protoc failed:\n" + result.stderr)
    sys.path.insert(0, out)
    types_pb2 = importlib.import_module("edgetest.types_pb2")
    legacy_pb2 = importlib.import_module("edgetest.legacy_pb2")
    return types_pb2, legacy_pb2, out
