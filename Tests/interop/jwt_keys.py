#!/usr/bin/env python3
"""Key-set server and token minter for the JWT tests (PyJWT + cryptography).

Prints `PORT <n>` when its JWKS server (http://127.0.0.1:<n>/jwks.json) listens,
then answers one JSON command per stdin line with one JSON line:

  {"cmd": "mint", "key": "rsa", "alg": "RS256", "claims": {...}, "headers": {...}}
      a token signed by PyJWT with the named key (its kid in the header unless
      headers override or "no_kid": true drops it).
  {"cmd": "raw", "header": {...}, "claims": {...}, "key": "rsa"|null, "alg": "RS256"}
      a hand-built token for what PyJWT refuses to make (unusual headers); signed
      with jwcrypto-free cryptography primitives by PyJWT's algorithm objects.
  {"cmd": "hs_with_public_key", "key": "rsa", "claims": {...}}
      the classic confusion attack: HS256 keyed with the RSA public key's PEM.
  {"cmd": "rotate", "key": "rsa"}   a new key under a new kid replaces the old one in the served set
  {"cmd": "down"} / {"cmd": "up"}   stop / restart listening on the same port
  {"cmd": "max_age", "seconds": N}  Cache-Control: max-age on the responses (null: none)
  {"cmd": "status", "code": 500}    answer with this status (200 restores)
  {"cmd": "count"}                  JWKS GETs served so far
  {"cmd": "write", "path": P}       write the served set to a file
  {"cmd": "jwks"}                   the served set
"""
import base64
import hashlib
import hmac
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from jwt.algorithms import get_default_algorithms
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa, x25519

ALGORITHMS = get_default_algorithms()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Keys:
    def __init__(self):
        self.generation = {}
        self.private = {}
        self.kids = {}
        for name in ["rsa", "rsa2", "ec", "ec384", "ed"]:
            self.make(name)

    def make(self, name):
        n = self.generation.get(name, 0) + 1
        self.generation[name] = n
        if name.startswith("rsa"):
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        elif name == "ec":
            key = ec.generate_private_key(ec.SECP256R1())
        elif name == "ec384":
            key = ec.generate_private_key(ec.SECP384R1())
        else:
            key = ed25519.Ed25519PrivateKey.generate()
        self.private[name] = key
        self.kids[name] = f"{name}-{n}"

    def jwk(self, name):
        key = self.private[name].public_key()
        if name.startswith("rsa"):
            data = json.loads(ALGORITHMS["RS256"].to_jwk(key))
        elif name.startswith("ec"):
            data = json.loads(ALGORITHMS["ES256"].to_jwk(key))
        else:
            data = json.loads(ALGORITHMS["EdDSA"].to_jwk(key))
        data["kid"] = self.kids[name]
        data["use"] = "sig"
        return data

    def jwks(self):
        keys = [self.jwk(name) for name in ["rsa", "rsa2", "ec", "ec384", "ed"]]
        # Keys the edge must skip without dropping the set: a symmetric key, an
        # X25519 key (OKP, not for signatures), an encryption-only RSA key.
        keys.append({"kty": "oct", "kid": "oct-1", "k": b64(b"0" * 32)})
        xkey = x25519.X25519PrivateKey.generate().public_key()
        raw = xkey.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        keys.append({"kty": "OKP", "crv": "X25519", "kid": "x-1", "x": b64(raw)})
        enc = self.jwk("rsa2")
        enc["kid"] = "enc-1"
        enc["use"] = "enc"
        keys.append(enc)
        return {"keys": keys}

    def pem(self, name, private):
        key = self.private[name]
        if private:
            return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


KEYS = Keys()
STATE = {"count": 0, "max_age": None, "status": 200}
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        with LOCK:
            STATE["count"] += 1
            body = json.dumps(KEYS.jwks()).encode()
            status = STATE["status"]
            max_age = STATE["max_age"]
        if status != 200:
            body = b'{"error": "down"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if max_age is not None:
            self.send_header("Cache-Control", f"public, max-age={max_age}")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server:
    def __init__(self):
        self.port = 0
        self.httpd = None
        self.up()

    def up(self):
        ThreadingHTTPServer.allow_reuse_address = True
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def down(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def sign(key_name, alg, header, claims):
    header_part = b64(json.dumps(header, separators=(",", ":")).encode())
    claims_part = claims if isinstance(claims, str) else b64(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header_part}.{claims_part}".encode()
    if key_name is None:
        return f"{header_part}.{claims_part}."
    algorithm = ALGORITHMS[alg]
    signature = algorithm.sign(signing_input, algorithm.prepare_key(KEYS.pem(key_name, True)))
    return f"{header_part}.{claims_part}.{b64(signature)}"


def handle(command):
    cmd = command["cmd"]
    if cmd == "mint":
        name = command.get("key", "rsa")
        alg = command.get("alg", "RS256")
        headers = {} if command.get("no_kid") else {"kid": KEYS.kids[name]}
        headers.update(command.get("headers", {}))
        if alg.startswith("HS"):
            key = command["secret"].encode()
        else:
            key = KEYS.pem(name, True)
        return {"token": jwt.encode(command.get("claims", {}), key, algorithm=alg, headers=headers)}
    if cmd == "raw":
        name = command.get("key")
        return {"token": sign(name, command.get("alg", "RS256"), command["header"], command.get("claims", {}))}
    if cmd == "hs_with_public_key":
        name = command.get("key", "rsa")
        header = {"alg": "HS256", "typ": "JWT", "kid": KEYS.kids[name]}
        h = b64(json.dumps(header).encode())
        p = b64(json.dumps(command.get("claims", {})).encode())
        mac = hmac.new(KEYS.pem(name, False), f"{h}.{p}".encode(), hashlib.sha256).digest()
        return {"token": f"{h}.{p}.{b64(mac)}"}
    if cmd == "rotate":
        with LOCK:
            KEYS.make(command.get("key", "rsa"))
        return {"kid": KEYS.kids[command.get("key", "rsa")]}
    if cmd == "kid":
        return {"kid": KEYS.kids[command.get("key", "rsa")]}
    if cmd == "down":
        SERVER.down()
        return {"ok": True}
    if cmd == "up":
        SERVER.up()
        return {"ok": True}
    if cmd == "max_age":
        with LOCK:
            STATE["max_age"] = command["seconds"]
        return {"ok": True}
    if cmd == "status":
        with LOCK:
            STATE["status"] = command["code"]
        return {"ok": True}
    if cmd == "count":
        with LOCK:
            return {"count": STATE["count"]}
    if cmd == "write":
        with open(command["path"], "w") as f:
            json.dump(KEYS.jwks(), f)
        return {"ok": True}
    if cmd == "jwks":
        return KEYS.jwks()
    return {"error": f"unknown command {cmd}"}


SERVER = Server()
print(f"PORT {SERVER.port}", flush=True)
for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    try:
        answer = handle(json.loads(line))
    except Exception as error:  # the test sees the error instead of hanging
        answer = {"error": repr(error)}
    print(json.dumps(answer), flush=True)
