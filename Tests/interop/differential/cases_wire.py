"""Binary inputs beyond the generated messages: hand-built wire data for
edgetest.Everything (malformed, unusual but valid, and valid but without a JSON
form) and random mutations of valid messages."""

import struct


def varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def tag(field, wire_type):
    return varint(field << 3 | wire_type)


def ld(field, payload):
    return tag(field, 2) + varint(len(payload)) + payload


def vi(field, value):
    return tag(field, 0) + varint(value)


SCALARS, REPEATED, OPTIONALS, MAPS, ONEOFS, WELL_KNOWN, TREE, CUSTOM, LEGACY, NESTED = range(1, 11)


def ts(seconds, nanos):
    return vi(1, seconds) + vi(2, nanos)


def wk(field, payload):
    return ld(WELL_KNOWN, ld(field, payload))


def tree(depth):
    inner = b""
    for _ in range(depth - 1):
        inner = ld(2, inner)
    return ld(TREE, inner)


def any_of(type_url, value):
    return ld(1, type_url.encode()) + ld(2, value)


# Wire data every conforming parser rejects.
MALFORMED = [
    ("length beyond end", ld(SCALARS, b"")[:-1] + b"\x05\x28\x01"),
    ("truncated varint in submessage", b"\x0a\x02\x28\xff"),
    ("tag without value", b"\x08"), ("field number 0", b"\x00\x01"), ("field number 0 LEN", b"\x02\x00"),
    ("wire type 6", b"\x0e"), ("wire type 7", b"\x0f\x00"), ("end group without start", b"\x0c"),
    ("unterminated group", b"\x0b"), ("group ended by other field", b"\x0b\x14"),
    ("11-byte varint", b"\x08" + b"\xff" * 10 + b"\x01"), ("huge length", b"\x0a\xff\xff\xff\xff\x0f"),
    ("truncated length", b"\x0a\xff"), ("truncated fixed64", b"\x09\x01\x02\x03"), ("truncated fixed32", b"\x0d\x01"),
    ("invalid UTF-8 proto3 string", ld(SCALARS, ld(9, b"\xff"))),
    ("overlong UTF-8 proto3 string", ld(SCALARS, ld(9, b"\xc0\xaf"))),
    ("UTF-8 surrogate proto3 string", ld(SCALARS, ld(9, b"\xed\xa0\x80"))),
    ("invalid UTF-8 map key", ld(MAPS, ld(12, ld(1, b"\xfe") + ld(2, b"a")))),
    ("invalid UTF-8 map value", ld(MAPS, ld(12, ld(1, b"a") + ld(2, b"\xfe")))),
    ("invalid UTF-8 repeated string", ld(REPEATED, ld(9, b"ok") + ld(9, b"\x80"))),
    ("invalid UTF-8 in Struct key", wk(5, ld(1, ld(1, b"\xff") + ld(2, vi(4, 1))))),
    ("truncated packed varint", ld(REPEATED, ld(5, b"\x01\xff"))),
    ("packed fixed32 odd length", ld(REPEATED, ld(7, b"\x01\x02\x03"))),
    ("packed double odd length", ld(REPEATED, ld(1, b"\x00" * 7))),
    ("truncated fixed32 in submessage", ld(SCALARS, b"\x3d\x01\x02")),
    ("field number above max", varint((1 << 29) << 3) + b"\x01"),
    ("submessage length beyond parent", ld(SCALARS, b"\x4a\x05ab")),
    ("garbage", b"\xff\xff\xff"),
]

# Unusual but valid wire data.
UNUSUAL = [
    ("empty", b""), ("unknown varint field", vi(999, 1)), ("unknown fields of every wire type",
        vi(100, 5) + tag(101, 1) + b"\x00" * 8 + ld(102, b"xyz") + tag(103, 5) + b"\x00" * 4 + tag(104, 3) + vi(1, 1) + tag(104, 4)),
    ("unknown field inside submessage", ld(SCALARS, vi(500, 1) + vi(5, 7))),
    ("closed enum unknown value", ld(LEGACY, vi(3, 5))), ("closed enum known value", ld(LEGACY, vi(3, 1))),
    ("closed enum unknown in repeated", ld(LEGACY, vi(5, 1))),
    ("packed encoding of unpacked field", ld(REPEATED, ld(18, varint(1) + varint(2)))),
    ("unpacked encoding of packed field", ld(REPEATED, vi(5, 1) + vi(5, 2))),
    ("mixed packed and unpacked", ld(REPEATED, vi(5, 1) + ld(5, varint(2) + varint(3)) + vi(5, 4))),
    ("wrong wire type for known field", ld(SCALARS, ld(5, b"abc"))),
    ("wrong wire type for message field", vi(SCALARS, 1)),
    ("scalar twice, last wins", ld(SCALARS, vi(5, 1) + vi(5, 2))),
    ("message twice, merged", ld(SCALARS, vi(5, 1)) + ld(SCALARS, vi(11, 2))),
    ("oneof twice, last wins", ld(ONEOFS, ld(1, b"a") + vi(2, 5))),
    ("oneof message merged", ld(ONEOFS, ld(3, vi(5, 1)) + ld(3, vi(11, 2)))),
    ("map entry without key", ld(MAPS, ld(1, ld(2, b"v")))), ("map entry without value", ld(MAPS, ld(1, vi(1, 3)))),
    ("empty map entry", ld(MAPS, ld(12, b""))), ("map entry duplicate key", ld(MAPS, ld(12, ld(1, b"k") + ld(2, b"1")) + ld(12, ld(1, b"k") + ld(2, b"2")))),
    ("map entry value before key", ld(MAPS, ld(1, ld(2, b"v") + vi(1, 9)))),
    ("map entry with unknown field", ld(MAPS, ld(1, vi(1, 3) + vi(7, 1) + ld(2, b"v")))),
    ("map entry key twice", ld(MAPS, ld(1, vi(1, 3) + vi(1, 4) + ld(2, b"v")))),
    ("int32 negative as 10-byte varint", ld(SCALARS, vi(5, -1))),
    ("int32 from oversized varint", ld(SCALARS, vi(5, 1 << 40))),
    ("uint32 low 32 bits zero", ld(SCALARS, vi(11, 1 << 32))), ("enum low 32 bits zero", ld(SCALARS, vi(12, 1 << 33))),
    ("sint32 low 32 bits zero", ld(SCALARS, vi(15, 1 << 32))), ("bool varint 2^32", ld(SCALARS, vi(8, 1 << 32))),
    ("int32 low bits zero after nonzero", ld(SCALARS, vi(5, 3) + vi(5, 1 << 40))),
    ("repeated int32 oversized varints", ld(REPEATED, vi(5, 1 << 40) + vi(5, (1 << 40) + 7))),
    ("map int32 key oversized varint", ld(MAPS, ld(1, vi(1, 1 << 40) + ld(2, b"v")))),
    ("any type URL without slash", wk(1, any_of("edgetest.Scalars", vi(5, 1)))),
    ("bool varint 2", ld(SCALARS, vi(8, 2))), ("enum unknown open value", ld(SCALARS, vi(12, 1000))),
    ("enum negative", ld(SCALARS, vi(12, -3))), ("uint32 oversized varint", ld(SCALARS, vi(11, (1 << 35) + 5))),
    ("proto2 string invalid UTF-8", ld(LEGACY, ld(2, b"\xff"))),
    ("legacy required missing", ld(LEGACY, ld(9, vi(2, 5)))),
    ("extensions", ld(LEGACY, vi(1, 1) + vi(100, 2) + ld(101, b"x") + vi(102, 1) + vi(102, 2) + ld(103, ld(1, b"k"))
                      + vi(104, 1) + vi(110, 0) + ld(111, ld(1, b"a")) + ld(111, b""))),
    ("extension packed", ld(LEGACY, ld(102, varint(1) + varint(300)))),
    ("extension closed enum unknown value", ld(LEGACY, vi(104, 9))),
    ("extension wrong wire type", ld(LEGACY, ld(100, b"ab"))),
    ("extension range field not loaded", ld(LEGACY, vi(150, 1))),
    ("extension inside Any", wk(1, any_of("type.googleapis.com/edgetest.legacy.Legacy", vi(100, 3) + vi(110, 1)))),
    ("legacy defaults explicit", ld(LEGACY, vi(1, 7) + ld(2, b"none") + vi(3, 2) + tag(4, 1) + struct.pack("<d", 0.5) + vi(7, 1))),
    ("NaN with payload", ld(SCALARS, tag(1, 1) + struct.pack("<Q", 0x7FF0000000000001))),
    ("negative NaN float", ld(SCALARS, tag(2, 5) + struct.pack("<I", 0xFFC00000))),
    ("trees 50 deep", tree(50)), ("trees 98 deep", tree(98)), ("trees 99 deep", tree(99)), ("trees 100 deep", tree(100)),
    ("trees 101 deep", tree(101)), ("trees 200 deep", tree(200)),
    ("timestamp min", wk(2, ts(-62135596800, 0))), ("timestamp max", wk(2, ts(253402300799, 999999999))),
    ("duration max", wk(3, vi(1, 315576000000))), ("any with empty value", wk(1, any_of("type.googleapis.com/edgetest.Scalars", b""))),
    ("empty any", wk(1, b"")), ("any of any of int32 wrapper", wk(1, any_of("type.googleapis.com/google.protobuf.Any",
        any_of("type.googleapis.com/google.protobuf.Int32Value", vi(1, 5))))),
    ("any of empty", wk(1, any_of("type.googleapis.com/google.protobuf.Empty", b""))),
    ("any custom host", wk(1, any_of("example.com/x/edgetest.Scalars", vi(5, 1)))),
    ("value with struct", wk(6, ld(5, ld(1, ld(1, b"a") + ld(2, vi(4, 1)))))),
]

# Read fine, but with no JSON form: edge must answer `error: output:`.
UNREPRESENTABLE = [
    ("timestamp year 10000", wk(2, ts(253402300800, 0))), ("timestamp before year 1", wk(2, ts(-62135596801, 0))),
    ("timestamp nanos 1e9", wk(2, ts(0, 1000000000))), ("timestamp negative nanos", wk(2, ts(0, -1))),
    ("duration above max", wk(3, vi(1, 315576000001))), ("duration below min", wk(3, vi(1, -315576000001))),
    ("duration mixed signs", wk(3, vi(1, 1) + vi(2, -1))), ("duration nanos 1e9", wk(3, vi(2, 1000000000))),
    ("field mask uppercase path", wk(4, ld(1, b"fooBar"))), ("field mask digit after underscore", wk(4, ld(1, b"foo_1"))),
    ("field mask double underscore", wk(4, ld(1, b"foo__bar"))),
    ("value NaN", wk(6, tag(2, 1) + struct.pack("<d", float("nan")))),
    ("value Infinity", wk(6, tag(2, 1) + struct.pack("<d", float("inf")))),
    ("value without kind", wk(6, b"")), ("value set without kind in list", wk(7, ld(1, b""))),
    ("any unknown type", wk(1, any_of("type.googleapis.com/nope.Nope", b""))),
    ("any without type url", wk(1, ld(2, vi(5, 1)))),
    ("any with garbage value", wk(1, any_of("type.googleapis.com/edgetest.Scalars", b"\xff\xff"))),
    ("any of timestamp out of range", wk(1, any_of("type.googleapis.com/google.protobuf.Timestamp", ts(253402300800, 0)))),
    ("timestamp in map out of range", ld(MAPS, ld(18, ld(1, b"k") + ld(2, ts(-62135596801, 0))))),
    ("repeated timestamp out of range", wk(19, ts(0, 0)) + wk(19, ts(253402300800, 0))),
]


# UNUSUAL inputs where the reference (upb, behind Python's json_format) departs
# from protobuf's other implementations: listed as not tested, with the reason.
REFERENCE_DEPARTS = {
    "map entry with unknown field": "upb drops the whole entry; the C++ and Go parsers (and edge) keep it",
    "proto2 string invalid UTF-8": "json_format prints a Python bytes repr (\"b'\\\\xff'\"), not a faithful JSON string; "
                                   "edge refuses it as invalid UTF-8",
}


def mutations(rng, wires, wanted):
    """Random truncations, byte flips, insertions and deletions of valid wire data."""
    out = []
    candidates = [w for w in wires if len(w) > 2]
    for _ in range(wanted):
        data = bytearray(rng.choice(candidates))
        kind = rng.randint(0, 3)
        at = rng.randrange(len(data))
        if kind == 0:
            label = "truncated at %d of %d" % (at, len(data))
            data = data[:at]
        elif kind == 1:
            old = data[at]
            data[at] ^= 1 << rng.randrange(8)
            label = "byte %d flipped %02x->%02x" % (at, old, data[at])
        elif kind == 2:
            byte = rng.randrange(256)
            data.insert(at, byte)
            label = "inserted %02x at %d" % (byte, at)
        else:
            label = "deleted byte %d" % at
            del data[at]
        out.append(("mutation: " + label, bytes(data)))
    return out
