#!/usr/bin/env python3
"""Compares the edge's converters with Python protobuf's json_format, one JSON
document per line of a cases file (default Benchmarks/parity/product-cases.txt),
as bench.v1.Product:

- JSON->wire: do both accept or both reject? If both accept, is the edge's
  wire the same message (deterministic serializations equal)?
- wire->JSON (for accepted documents): does the edge's JSON of Python's wire
  parse back to the same message, and equal Python's MessageToJson as JSON?

Rows where they disagree are upper-case. Disagreement is not automatically an
edge bug: json_format is lenient in places the ProtoJSON conformance suite is
not (e.g. it accepts a field given twice under its JSON and proto names).
Needs: a release build of EdgeBench, protoc, python3 with protobuf and grpcio-tools.
"""
import json, os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROTOS = os.environ.get('BENCH_PROTOS', os.path.join(ROOT, '..', 'shared', 'bench', 'protos'))
OUT = os.path.join(ROOT, '.build', 'parity')
BIN = os.path.join(ROOT, '.build', 'release', 'EdgeBench')
SCHEMA = os.path.join(OUT, 'catalog.protoset')

os.makedirs(OUT, exist_ok=True)
subprocess.run(['protoc', '-I', PROTOS, '-I', '/usr/include', '--include_imports',
                '--descriptor_set_out=' + SCHEMA, 'bench/v1/catalog.proto'], check=True)
subprocess.run([sys.executable, '-m', 'grpc_tools.protoc', '-I', PROTOS, '-I', '/usr/include',
                '--python_out=' + OUT, 'bench/v1/catalog.proto', 'google/api/annotations.proto',
                'google/api/http.proto'], check=True)
sys.path.insert(0, OUT)
from bench.v1 import catalog_pb2  # noqa: E402
from google.protobuf import json_format  # noqa: E402


def edge(mode, data):
    p = subprocess.run([BIN, 'probe', mode, 'bench.v1.Product', '--schema', SCHEMA], input=data, capture_output=True)
    return p.returncode, p.stdout.decode(errors='replace').strip()


def same(a, b):
    return a.SerializeToString(deterministic=True) == b.SerializeToString(deterministic=True)


def check(doc):
    ref = catalog_pb2.Product()
    try:
        json_format.Parse(doc, ref)
        python_error = None
    except Exception as e:  # json_format raises several types
        python_error = str(e)[:80]
    rc, out = edge('j2w', doc.encode())
    if python_error is not None:
        return 'both reject' if rc != 0 else 'EDGE ACCEPTS (python: %s): %s' % (python_error, out[:60])
    if rc != 0:
        return 'EDGE REJECTS: ' + out[:140]
    mine = catalog_pb2.Product()
    mine.ParseFromString(bytes.fromhex(out))
    status = 'ok' if same(mine, ref) else 'WIRE DIFFERS: edge %s' % mine
    rc, js = edge('w2j', ref.SerializeToString())
    if rc != 0:
        return status + ' | W2J ERROR ' + js[:100]
    back = catalog_pb2.Product()
    try:
        json_format.Parse(js, back)
    except Exception:
        return status + ' | W2J UNPARSABLE ' + js[:100]
    if not same(back, ref):
        return status + ' | W2J DIFFERS ' + js[:100]
    if json.loads(js) != json.loads(json_format.MessageToJson(ref, indent=None)):
        return status + ' | w2j text differs: edge %s' % js[:100]
    return status


path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'Benchmarks', 'parity', 'product-cases.txt')
for line in open(path, encoding='utf-8').read().split('\n'):
    if line.strip():
        print('%-70s %s' % (line[:70], check(line)))
