"""The reference implementation: Python protobuf's json_format, with the two
places where it departs from the proto3 JSON mapping corrected, so that
disagreements found by the differential test are edge's, not Python's.

1. json_format rejects floats above FLT_MAX as a double, but prints FLT_MAX as
   3.4028235e+38, which is above it: it cannot read its own output. Per IEEE 754
   a decimal rounds to FLT_MAX up to half an ulp above it, so that is the limit here.
2. Python's json module accepts the non-JSON tokens NaN, Infinity, -Infinity
   (e.g. as a google.protobuf.Value); RFC 8259 does not, so they are rejected here.
"""

import json
import math

from google.protobuf import json_format
from google.protobuf.internal import type_checkers

# Half an ulp (2^103) above FLT_MAX rounds to infinity; anything below rounds to FLT_MAX.
_FLOAT32_LIMIT = math.nextafter(3.4028234663852886e38 + 2.0**103, 0.0)
type_checkers._FLOAT_MAX = _FLOAT32_LIMIT
type_checkers._FLOAT_MIN = -_FLOAT32_LIMIT


class Rejected(Exception):
    """The reference refuses the input (reading) or cannot print it (writing)."""


def _no_constants(name):
    raise ValueError("%s is not JSON" % name)


def parse_json(text, message, ignore_unknown_fields=False, max_depth=100, descriptor_pool=None):
    """json_format.Parse with the corrections above; raises Rejected."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        js = json.loads(text, object_pairs_hook=json_format._DuplicateChecker, parse_constant=_no_constants)
        json_format.ParseDict(js, message, ignore_unknown_fields, descriptor_pool=descriptor_pool,
                              max_recursion_depth=max_depth)
    except Exception as error:  # any failure is a rejection
        raise Rejected("%s: %s" % (type(error).__name__, error)) from None
    return message


def parse_wire(data, cls):
    try:
        return cls.FromString(data)
    except Exception as error:
        raise Rejected("%s: %s" % (type(error).__name__, error)) from None


def print_json(message, emit_unpopulated=False, proto_names=False, enums_as_ints=False,
               ensure_ascii=True, descriptor_pool=None):
    """MessageToJson on one line; raises Rejected."""
    try:
        return json_format.MessageToJson(
            message, preserving_proto_field_name=proto_names, indent=None,
            use_integers_for_enums=enums_as_ints, always_print_fields_with_no_presence=emit_unpopulated,
            ensure_ascii=ensure_ascii, descriptor_pool=descriptor_pool)
    except Exception as error:
        raise Rejected("%s: %s" % (type(error).__name__, error)) from None


def canonical_wire(message):
    return message.SerializePartialToString(deterministic=True)
