#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (Fuzz/corpus/<Target>/) from the unit tests' inputs.

Run from the repository root: python3 scripts/fuzz-seeds.py. The seeds are committed (small);
libFuzzer's own finds go to .build-fuzz/corpus/ (not committed). Input layouts are described
at the top of each target's source (Fuzz/<Target>/<Target>.swift).
"""
import glob
import hashlib
import os
import re
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MESSAGES = [
    "edgetest.Everything", "edgetest.Scalars", "edgetest.Repeated", "edgetest.Optionals", "edgetest.Maps",
    "edgetest.Oneofs", "edgetest.WellKnown", "edgetest.Tree", "edgetest.CustomNames", "edgetest.legacy.Legacy",
    "google.protobuf.Value", "google.protobuf.Struct", "google.protobuf.Any", "google.protobuf.Timestamp",
    "google.protobuf.Duration", "google.protobuf.FieldMask",
]


def swift_string(raw, literal):
    """The value of a Swift string literal's body (raw #"..."# or an escaped "...")."""
    if raw:
        return literal
    return bytes(literal, "utf-8").decode("unicode_escape")


def write(target, data):
    directory = os.path.join(ROOT, "Fuzz", "corpus", target)
    os.makedirs(directory, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def sources(pattern):
    for path in sorted(glob.glob(os.path.join(ROOT, pattern))):
        with open(path, encoding="utf-8") as f:
            yield f.read()


# assertWire("type", json, "hex"): JSON seeds for JSON -> wire, wire seeds for wire -> JSON.
STRING = r'(?:#"(.*?)"#|"((?:[^"\\]|\\.)*)")'
for text in sources("Tests/TranscoderTests/JSONToWire*Tests.swift"):
    for m in re.finditer(r'assertWire\(\s*"([\w.]+)",\s*' + STRING + r',\s*"([0-9a-f]*)"', text):
        type_name, raw, escaped, hexwire = m.group(1), m.group(2), m.group(3), m.group(4)
        if type_name not in MESSAGES:
            continue
        index = MESSAGES.index(type_name)
        json = swift_string(raw is not None, raw if raw is not None else escaped).encode("utf-8")
        write("FuzzJSONToWire", bytes([index]) + json)
        write("FuzzWireToJSON", bytes([index]) + bytes.fromhex(hexwire))

# Path templates.
for text in sources("Tests/TranscoderTests/PathTemplateTests.swift"):
    for m in re.finditer(r'PathTemplate\(parsing: "([^"]*)"\)', text):
        write("FuzzPathTemplate", m.group(1).encode())

# Route matching on routing/library.proto: method byte, target, NUL, body.
METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS", "get"]
for text in sources("Tests/TranscoderTests/RequestBinderTests.swift"):
    for m in re.finditer(r'bind\("(\w+)", "([^"]*)"(?:, body: ' + STRING + r')?\)', text):
        method, target = m.group(1), m.group(2)
        body = b""
        if m.group(3) is not None or m.group(4) is not None:
            body = swift_string(m.group(3) is not None, m.group(3) if m.group(3) is not None else m.group(4)).encode()
        data = bytes([METHODS.index(method)]) + target.encode() + ((b"\0" + body) if body else b"")
        write("FuzzRouteMatch", data)

# Splitter: framing byte (0 lines, 1 array, 2 automatic), chunk seed, body.
for text in sources("Tests/TranscoderTests/JSONStreamSplitterTests.swift"):
    for m in re.finditer(r'assertSplits\(' + STRING + r', framing: \.(\w+)', text):
        body = swift_string(m.group(1) is not None, m.group(1) if m.group(1) is not None else m.group(2)).encode()
        framing = {"lines": 0, "array": 1, "automatic": 2}[m.group(3)]
        write("FuzzJSONStreamSplitter", bytes([framing, 7]) + body)

# Request heads (raw HTTP/1.1 bytes).
for head in [
    b"GET /v1/shelves HTTP/1.1\r\nHost: x\r\n\r\n",
    b"POST /v1/shelves/1/books HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\n{\"title\":1}\n",
    b"POST /v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    b"POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 3\r\n\r\nabc",
    b"POST /v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
    b"GET / HTTP/1.0\r\n\r\nGET /a HTTP/1.1\r\nHost: y\r\nConnection: close\r\n\r\n",
]:
    write("FuzzHeadValidator", head)


# gRPC response scripts: HEADERS = op (bit0 0, bit1 END_STREAM), count, (name index, length, value)...;
# DATA = op (bit0 1, bit1 END_STREAM), length, bytes. Names: see FuzzGRPCResponseDecoder.swift.
def headers(pairs, end=False):
    out = bytes([2 if end else 0, len(pairs)])
    for index, value in pairs:
        out += bytes([index, len(value)]) + value
    return out


def data(payload, end=False):
    return bytes([3 if end else 1, len(payload)]) + payload


def frame(message, flag=0):
    return bytes([flag]) + struct.pack(">I", len(message)) + message


ok = headers([(0, b"200"), (1, b"application/grpc+proto"), (5, b"v")])
write("FuzzGRPCResponseDecoder", ok + data(frame(b"\x0a\x03abc")) + headers([(2, b"0"), (5, b"t")], end=True))
write("FuzzGRPCResponseDecoder", ok + data(frame(b"\x08\x01")[:3]) + data(frame(b"\x08\x01")[3:]) + headers([(2, b"0")], end=True))
write("FuzzGRPCResponseDecoder", headers([(0, b"200"), (1, b"application/grpc"), (2, b"5"), (3, b"not%20found")], end=True))
write("FuzzGRPCResponseDecoder", headers([(0, b"503")], end=True))
write("FuzzGRPCResponseDecoder", ok + data(frame(b"x") + frame(b"y")) + headers([(2, b"0")], end=True))
write("FuzzGRPCResponseDecoder", ok + data(frame(b"abc", flag=1)))
write("FuzzGRPCResponseDecoder", ok + data(frame(b"ab"), end=True))


# RESP replies: byte 0 = limits (bit 7: the small ones) and chunk seed, then the bytes. Every string
# literal of the parser's tests that looks like a reply (or a piece of one), with each set of limits.
for text in sources("Tests/EdgeRedisTests/RESPParserTests.swift"):
    for m in re.finditer(r'"((?:[^"\\]|\\.)*)"', text):
        body = swift_string(False, m.group(1)).encode("latin-1", "replace")
        if not body or body[:1] not in b"+-:$*?" or (b"\r" not in body and len(body) > 3 and body[:1] != b"+"):
            continue
        write("FuzzRESPReply", bytes([5]) + body)
        write("FuzzRESPReply", bytes([0x85]) + body)
write("FuzzRESPReply", bytes([9]) + b"*3\r\n$5\r\nhello\r\n*2\r\n:1\r\n-ERR x\r\n+OK\r\n" * 2)


# JWT: byte 0 = mode (0 HS256-signed, 1 ES256-signed, 2 the input's signature, 3 the token text,
# 4/5 as 0/1 with a bit flipped); then header length, header JSON, signature length, signature,
# claims JSON. The claims mirror JWTVerificationTests' (issuer, audience, times around 1.8e9).
def jwt(mode, header, claims, signature=b""):
    header = header.encode()
    return bytes([mode, len(header)]) + header + bytes([len(signature)]) + signature + claims.encode()


CLAIMS = [
    '{"iss":"https://issuer.example","aud":"fuzz","sub":"user-1","iat":1799999000,"exp":1800000600}',
    '{"iss":"https://issuer.example","aud":["other","fuzz"],"sub":"u","exp":1800000600,"nbf":1799999990,'
    '"scope":"read write","scp":["a"],"realm":{"roles":["admin",1,true,null]},"n":1.5e3}',
    '{"iss":"https://issuer.example","aud":"fuzz","exp":1799999000}',
    '{"iss":"https://issuer.example","aud":"fuzz","exp":1800000600,"nbf":1800009000,"iat":1800009000}',
    '{"iss":"https://other.example","aud":"fuzz","exp":1800000600}',
    '{"iss":"https://issuer.example","aud":"nope","exp":1800000600}',
    '{"iss":"https://issuer.example","aud":"fuzz"}',
    '{"iss":"https://issuer.example","aud":"fuzz","exp":"1800000600"}',
    '{"iss":"https://issuer.example","aud":"fuzz","exp":1800000600,"x":"\\u00e9\\ud83d\\ude00\\n"}',
]
HEADERS = [
    (0, '{"alg":"HS256","typ":"JWT"}'), (1, '{"alg":"ES256","kid":"es"}'), (1, '{"alg":"ES256"}'),
    (0, '{"alg":"HS256","kid":"es"}'), (1, '{"alg":"HS256"}'), (0, '{"alg":"ES256","kid":"es"}'),
    (1, '{"alg":"ES256","kid":"nope"}'), (0, '{"alg":"none"}'), (0, '{"alg":"HS256","crit":["b64"]}'),
    (0, '{"alg":"HS512"}'), (1, '{"alg":"ES256","kid":1}'), (4, '{"alg":"HS256"}'), (5, '{"alg":"ES256","kid":"es"}'),
]
for mode, header in HEADERS:
    for claims in CLAIMS[:2]:
        write("FuzzJWT", jwt(mode, header, claims, b"\x01\x02"))
for claims in CLAIMS:
    write("FuzzJWT", jwt(0, '{"alg":"HS256"}', claims))
# FuzzFindingsTests (Edge): a zero with an exponent, which Foundation's JSONDecoder does not read.
write("FuzzJWT", jwt(1, '{"alg":"ES256"}', '{"iss":"https://issuer.example","aud":["other","fuzz"],"sub":"u~",'
                     '"exp":1800000600,"nbf":17999,"scope":0e3}', b"\x01\x02"))
write("FuzzJWT", jwt(2, '{"alg":"HS256"}', CLAIMS[0], bytes(range(32))))
write("FuzzJWT", jwt(2, '{"alg":"ES256","kid":"es"}', CLAIMS[0], bytes(range(64))))
for token in [b"a.b.c", b"e30.e30.", b"e30.e30.e30", b"a.b.c.d.e", b"eyJhbGciOiJub25lIn0.e30.", b"....",
              b"eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ4In0.AAAA", b"eyJhbGciOiJIUzI1NiJ9=.e30.AA"]:
    write("FuzzJWT", bytes([3]) + token)
