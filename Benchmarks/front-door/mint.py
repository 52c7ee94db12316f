"""Writes a fresh RSA key set (jwks.json), an API-keys file (api-keys.yaml) into a folder and
prints the request headers of a logged-in client (BENCH_HEADERS format): an RS256 token valid
for a day, the API key and an Origin. Needs PyJWT and cryptography (scripts/install-deps.sh)."""
import hashlib, json, secrets, sys, time

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

folder = sys.argv[1]
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
public = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
public.update({"kid": "bench-1", "alg": "RS256", "use": "sig"})
with open(f"{folder}/jwks.json", "w") as f:
    json.dump({"keys": [public]}, f)
api_key = secrets.token_urlsafe(24)
with open(f"{folder}/api-keys.yaml", "w") as f:
    f.write(f"bench-client: {hashlib.sha256(api_key.encode()).hexdigest()}\n")
now = int(time.time())
token = jwt.encode(
    {"iss": "https://id.example.com", "aud": "books", "sub": "user-42", "iat": now, "exp": now + 86400, "scope": "catalog.read"},
    key, algorithm="RS256", headers={"kid": "bench-1"})
print(f"Authorization: Bearer {token}\nX-Api-Key: {api_key}\nOrigin: https://app.example.com")
