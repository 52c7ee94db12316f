#!/usr/bin/env bash
# The cost of JWTProvider.verify, uncached and cached, for RS256, PS256, ES256 and
# EdDSA tokens minted by PyJWT (Tests/interop/jwt_keys.py): `EdgeBench jwt`.
# Needs a release build of EdgeBench (`swift build -c release --product EdgeBench`),
# or BIN=path to another one.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${BIN:-$ROOT/.build/release/EdgeBench}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
python3 - "$ROOT/Tests/interop/jwt_keys.py" "$WORK" <<'PY'
import json, subprocess, sys, time
script, work = sys.argv[1], sys.argv[2]
p = subprocess.Popen(["python3", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
p.stdout.readline()
def ask(command):
    p.stdin.write(json.dumps(command) + "\n"); p.stdin.flush()
    return json.loads(p.stdout.readline())
ask({"cmd": "write", "path": f"{work}/jwks.json"})
now = int(time.time())
claims = {"iss": "https://id.example.com", "aud": "books", "sub": "user-1", "iat": now, "exp": now + 3600,
          "scope": "catalog.read catalog.write"}
with open(f"{work}/tokens.txt", "w") as f:
    for key, alg in [("rsa", "RS256"), ("rsa", "PS256"), ("ec", "ES256"), ("ed", "EdDSA")]:
        f.write(f"{alg} " + ask({"cmd": "mint", "key": key, "alg": alg, "claims": claims})["token"] + "\n")
p.stdin.close(); p.wait()
PY
"$BIN" jwt --jwks "$WORK/jwks.json" --tokens "$WORK/tokens.txt" "$@"
