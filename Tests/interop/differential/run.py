#!/usr/bin/env python3
"""Differential test of `edge convert` against the reference implementation
(Python protobuf's json_format, with reference.py's corrections).

    run.py --edge .build/debug/edge [--count 10000] [--options-count 2000] [--seed 1]

Generates random edgetest.Everything messages plus hand-written and mutated
inputs, converts them with one `edge convert --lines` process per direction and
option set, computes the reference's answer for each, and compares:
binary -> JSON as typed JSON values (float32/float64 exact, NaN, -0.0, int64
strings, key names), JSON -> binary after canonical re-serialisation, and
rejections by side (`error: input:` / `error: output:`). Prints a per-category
breakdown, the first disagreements, and finally `N passed, M failed`; exits 1 on
any failure. Use --edge fake_convert.py to check the harness itself.
"""

import argparse
import base64
import collections
import json
import os
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)

import protos  # noqa: E402
import reference  # noqa: E402
from reference import Rejected  # noqa: E402

Case = collections.namedtuple("Case", "category label input expect")
# expect: ("json", value, print options) | ("wire", message) | ("error", side, lenient)
Batch = collections.namedtuple("Batch", "name source target flags cases")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edge", required=True, help="the edge binary (or fake_convert.py)")
    parser.add_argument("--protoset", default=protos.PROTOSET)
    parser.add_argument("--count", type=int, default=10000, help="generated messages")
    parser.add_argument("--options-count", type=int, default=2000, help="generated messages per option set")
    parser.add_argument("--same-format-count", type=int, default=500)
    parser.add_argument("--json-mutations", type=int, default=250)
    parser.add_argument("--wire-mutations", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=20, help="disagreements to print")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()

    started = time.time()
    types_pb2, legacy_pb2, _ = protos.compile_and_import()
    import generator
    import typed_json
    import cases_json
    import cases_wire

    cls = types_pb2.Everything
    desc = cls.DESCRIPTOR
    rng = random.Random(args.seed)
    gen = generator.Generator(types_pb2, legacy_pb2, args.seed)
    messages = [gen.everything() for _ in range(args.count)]
    wires = [m.SerializePartialToString(deterministic=True) for m in messages]
    defaults = [reference.print_json(m) for m in messages]
    notes = []

    def expect_wire_input(data, options=None, lenient=False):
        try:
            message = reference.parse_wire(data, cls)
        except Rejected:
            return ("error", "input", False)
        try:
            return ("json", json.loads(reference.print_json(message, **(options or {}))))
        except Rejected:
            return ("error", "output", lenient)

    def expect_json_input(text, **parse_options):
        try:
            return ("wire", reference.parse_json(text, cls(), **parse_options))
        except Rejected:
            return ("error", "input", False)

    def b64(data):
        return base64.b64encode(data)

    def utf8(text):
        return text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")

    batches = []

    # (a) binary -> JSON: generated messages, then hand-built and mutated wire data.
    cases = [Case("binary->json generated", "message %d" % i, b64(w), ("json", json.loads(defaults[i])))
             for i, w in enumerate(wires)]
    for label, data in cases_wire.MALFORMED:
        expect = expect_wire_input(data)
        if expect[0] != "error":
            notes.append("reference accepts malformed wire %r: not tested" % label)
            continue
        cases.append(Case("binary->json malformed (hand-built)", label, b64(data), expect))
    for label, data in cases_wire.UNUSUAL:
        if label in cases_wire.REFERENCE_DEPARTS:
            notes.append("%r: not tested: %s" % (label, cases_wire.REFERENCE_DEPARTS[label]))
            continue
        cases.append(Case("binary->json unusual (hand-built)", label, b64(data), expect_wire_input(data)))
    for label, data in cases_wire.UNREPRESENTABLE:
        expect = expect_wire_input(data)
        if expect != ("error", "output", False):
            notes.append("reference does not refuse to print %r: not tested" % label)
            continue
        cases.append(Case("binary->json unrepresentable (hand-built)", label, b64(data), expect))
    for label, data in cases_wire.mutations(rng, wires, args.wire_mutations):
        expect = expect_wire_input(data, lenient=True)
        category = "binary->json mutated, reference rejects" if expect[0] == "error" else \
            "binary->json mutated, reference accepts"
        cases.append(Case(category, label, b64(data), expect))
    batches.append(Batch("binary->json", "binary", "json", [], cases))

    # (b) JSON -> binary: the reference's JSON in several spellings, then invalid input.
    variants = json_variants(typed_json, desc)
    cases = []
    for i, m in enumerate(messages):
        cases.append(Case("json->binary generated (json names)", "message %d" % i, utf8(defaults[i]), ("wire", m)))
        name, make = variants[i % len(variants)]
        text = make(m, defaults[i])
        cases.append(Case("json->binary generated (%s)" % name, "message %d" % i, utf8(text), ("wire", m)))
    rejected = 0
    for label, text in cases_json.MUST_REJECT:
        expect = expect_json_input(text)
        if expect[0] != "error":
            notes.append("reference accepts invalid JSON %r: not tested" % label)
            continue
        rejected += 1
        cases.append(Case("json->binary invalid (hand-written)", label, utf8(text), expect))
    for label, text in cases_json.VALID:
        expect = expect_json_input(text)
        category = "json->binary edge cases, reference accepts" if expect[0] == "wire" else \
            "json->binary edge cases, reference rejects"
        cases.append(Case(category, label, utf8(text), expect))

    def rejects(text):
        return expect_json_input(text)[0] == "error"

    # Keys sorted: upb iterates maps in a per-process order, mutations must repeat by seed.
    small = [json.dumps(json.loads(d), sort_keys=True) for d in defaults if len(d) < 2000]
    for label, text in cases_json.mutations(rng, small, args.json_mutations, rejects):
        rejected += 1
        cases.append(Case("json->binary invalid (mutated)", label, utf8(text), ("error", "input", False)))
    batches.append(Batch("json->binary", "json", "binary", [], cases))

    # Option sets.
    n = min(args.options_count, len(messages))
    option_sets = [
        ("--emit-unpopulated", {"emit_unpopulated": True}), ("--proto-names", {"proto_names": True}),
        ("--enums-as-ints", {"enums_as_ints": True}),
        ("--emit-unpopulated --proto-names --enums-as-ints",
         {"emit_unpopulated": True, "proto_names": True, "enums_as_ints": True}),
    ]
    for flags, options in option_sets:
        cases = [Case("binary->json " + flags, "message %d" % i, b64(wires[i]),
                      ("json", json.loads(reference.print_json(messages[i], **options)))) for i in range(n)]
        for label, data in cases_wire.UNUSUAL:
            if label in cases_wire.REFERENCE_DEPARTS:
                continue
            cases.append(Case("binary->json %s unusual (hand-built)" % flags, label, b64(data),
                              expect_wire_input(data, options)))
        batches.append(Batch("binary->json " + flags, "binary", "json", flags.split(), cases))

    cases = []
    for i in range(n):
        text = with_unknown_fields(rng, typed_json, desc, defaults[i])
        cases.append(Case("json->binary --ignore-unknown-fields generated", "message %d" % i, utf8(text),
                          expect_json_input(text, ignore_unknown_fields=True)))
    for label, text in cases_json.IGNORE_UNKNOWN:
        cases.append(Case("json->binary --ignore-unknown-fields (hand-written)", label, utf8(text),
                          expect_json_input(text, ignore_unknown_fields=True)))
    batches.append(Batch("json->binary --ignore-unknown-fields", "json", "binary", ["--ignore-unknown-fields"], cases))

    cases = [Case("json->binary --max-depth 5", label, utf8(text), expect_json_input(text, max_depth=5))
             for label, text in cases_json.MAX_DEPTH_5]
    batches.append(Batch("json->binary --max-depth 5", "json", "binary", ["--max-depth", "5"], cases))

    # Same format, through the other one.
    k = min(args.same_format_count, len(messages))
    cases = [Case("json->json", "message %d" % i, utf8(reference.print_json(messages[i], proto_names=True)),
                  ("json", json.loads(defaults[i]))) for i in range(k)]
    batches.append(Batch("json->json", "json", "json", [], cases))
    cases = [Case("binary->binary", "message %d" % i, b64(wires[i]), ("wire", messages[i])) for i in range(k)]
    batches.append(Batch("binary->binary", "binary", "binary", [], cases))

    prepared = time.time()

    # Run and compare.
    tally = collections.OrderedDict()
    disagreements = []
    timings = []
    for batch in batches:
        t0 = time.time()
        outputs, problem = run_edge(args, batch)
        timings.append((batch.name, len(batch.cases), time.time() - t0))
        for i, case in enumerate(batch.cases):
            counts = tally.setdefault(case.category, [0, 0])
            why = problem or check(case, outputs[i], cls, desc, typed_json)
            if why is None:
                counts[0] += 1
            else:
                counts[1] += 1
                disagreements.append((batch, case, why, None if problem else outputs[i]))

    passed = sum(c[0] for c in tally.values())
    failed = sum(c[1] for c in tally.values())
    import google.protobuf
    print("differential test of %s against Python protobuf %s json_format (seed %d)" % (
        args.edge, google.protobuf.__version__, args.seed))
    print("%d generated messages; %d invalid JSON inputs the reference rejects; prepared in %.1fs" % (
        len(messages), rejected, prepared - started))
    for name, count, seconds in timings:
        print("  edge convert %-55s %6d inputs %6.1fs" % (name, count, seconds))
    print("\nper category (passed / failed):")
    for category, (ok, bad) in tally.items():
        print("  %-68s %6d %6d%s" % (category, ok, bad, "  <-- FAILURES" if bad else ""))
    if notes:
        print("\nnot tested (the reference itself departs from the mapping here): %d" % len(notes))
        for note in notes[:10]:
            print("  " + note)
    if disagreements:
        print("\nfirst %d of %d disagreements:" % (min(args.show, len(disagreements)), len(disagreements)))
        for batch, case, why, output in disagreements[:args.show]:
            print("- [%s] %s: %s" % (case.category, case.label, why))
            print("    command: edge convert --from %s --to %s %s" % (batch.source, batch.target, " ".join(batch.flags)))
            print("    input:     %s" % clip(case.input))
            print("    reference: %s" % clip(describe_expect(case.expect)))
            if output is not None:
                print("    edge:      %s" % clip(output))
    print("\ntotal %.1fs" % (time.time() - started))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def json_variants(typed_json, desc):
    """Other spellings of the same message that the mapping accepts."""
    from google.protobuf.descriptor import FieldDescriptor as FD

    def int64_numbers(field, value):
        if field.type in typed_json.INT64_TYPES and isinstance(value, str) and abs(int(value)) <= 2**53:
            return int(value)
        return value

    def quoted_numbers(field, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return value
        if field.type in (FD.TYPE_DOUBLE, FD.TYPE_FLOAT) or field.type in typed_json.INT32_TYPES:
            return json.dumps(value)
        return value

    def retyped(fn):
        return lambda m, default: json.dumps(typed_json.transform(json.loads(default), desc, fn))

    def spaced(m, default):
        text = json.dumps(json.loads(default), separators=(" ,\t", " :\r\t "))
        return " \t" + text + "\r "

    return [
        ("proto names", lambda m, d: reference.print_json(m, proto_names=True)),
        ("enums as ints", lambda m, d: reference.print_json(m, enums_as_ints=True)),
        ("int64 as numbers", retyped(int64_numbers)),
        ("numbers as strings", retyped(quoted_numbers)),
        ("whitespace", spaced),
        ("raw UTF-8", lambda m, d: reference.print_json(m, ensure_ascii=False)),
        ("unpopulated fields printed", lambda m, d: reference.print_json(m, emit_unpopulated=True)),
        ("proto names, enums as ints, raw UTF-8",
         lambda m, d: reference.print_json(m, proto_names=True, enums_as_ints=True, ensure_ascii=False)),
    ]


UNKNOWN_VALUES = [1, "x", None, [1, {"a": []}], {"nested": {"deep": True}}, -2.5, False]


def with_unknown_fields(rng, typed_json, desc, default):
    obj = json.loads(default)

    def visit(node, node_desc, path):
        if rng.random() < 0.3:
            node["zzUnknown%d" % rng.randrange(100)] = rng.choice(UNKNOWN_VALUES)

    typed_json.message_objects(obj, desc, visit)
    return json.dumps(obj)


def run_edge(args, batch):
    """Runs one `edge convert --lines` over the batch; returns (output lines, problem)."""
    edge = args.edge
    command = [sys.executable, edge] if edge.endswith(".py") else [edge]
    command += ["convert", args.protoset, "--type", "edgetest.Everything", "--from", batch.source,
                "--to", batch.target, "--lines"] + batch.flags
    for case in batch.cases:
        assert b"\n" not in case.input, case.label
    data = b"".join(case.input + b"\n" for case in batch.cases)
    try:
        result = subprocess.run(command, input=data, capture_output=True, timeout=args.timeout)
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, "could not run edge: %s" % error
    lines = result.stdout.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if result.returncode != 0 or len(lines) != len(batch.cases):
        return None, "edge convert exited %d after %d output lines for %d inputs; stderr: %s" % (
            result.returncode, len(lines), len(batch.cases), clip(result.stderr))
    return lines, None


def strict_json(line):
    def no_constants(name):
        raise ValueError("%s is not JSON" % name)
    return json.loads(line.decode("utf-8"), parse_constant=no_constants)


def check(case, line, cls, desc, typed_json):
    """None when edge's output line agrees with the reference, else why not."""
    kind = case.expect[0]
    if kind == "error":
        side = case.expect[1]
        if line.startswith(("error: %s:" % side).encode()):
            return None
        if case.expect[2] and line.startswith(b"error: "):
            return None
        return "reference refuses (%s), edge does not say error: %s:" % (side, side)
    if line.startswith(b"error:"):
        return "edge refuses what the reference accepts"
    if kind == "json":
        try:
            got = strict_json(line)
        except ValueError as error:
            return "edge printed invalid JSON: %s" % error
        try:
            typed_json.compare_message(case.expect[1], got, desc)
        except typed_json.Mismatch as mismatch:
            return "JSON differs at %s" % mismatch
        return None
    expected = case.expect[1]
    try:
        got = cls.FromString(base64.b64decode(line, validate=True))
    except Exception as error:
        return "edge wrote wire data the reference cannot read: %s" % error
    if reference.canonical_wire(got) == reference.canonical_wire(expected):
        return None
    try:  # differences that only NaN payloads or unknown fields make
        typed_json.compare_message(reference.json_format.MessageToDict(expected),
                                   reference.json_format.MessageToDict(got), desc)
        return None
    except typed_json.Mismatch as mismatch:
        return "wire data differs at %s" % mismatch
    except Exception as error:
        return "wire data differs (%s)" % error


def describe_expect(expect):
    if expect[0] == "error":
        return "error: %s:" % expect[1] + (" (either side accepted)" if expect[2] else "")
    if expect[0] == "json":
        return json.dumps(expect[1])
    return "wire " + base64.b64encode(reference.canonical_wire(expect[1])).decode() + \
        "  (" + reference.print_json(expect[1]) + ")"


def clip(value, limit=300):
    if isinstance(value, bytes):
        value = value.decode("utf-8", "backslashreplace")
    value = value.replace("\n", "\\n")
    return value if len(value) <= limit else value[:limit] + "... (%d chars)" % len(value)


if __name__ == "__main__":
    sys.exit(main())
