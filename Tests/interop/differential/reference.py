"""The reference implementation: Python protobuf's json_format, with the two
places where it departs from the proto3 JSON mapping corrected, so that
disagreements found by the differential test are edge's, not Python's.

1. json_format rejects floats above FLT_MAX as a double, but prints FLT_MAX as
   3.4028235e+38, which is above it: it cannot read its own output. Per IEEE 754
   a decimal rounds to FLT_MAX up to half an ulp above it, so that is the limit here.
2. Python's json module accepts the non-JSON tokens NaN, Infinity, -Infinity
   (e.g. as a google.protobuf.Value); RFC 8259 does not, so they are rejected here.
3. json_format is lenient where the mapping (and the C++ and Java parsers) are
   strict; `_strict` rejects before json_format sees the input: one field given
   twice by json name and proto name, a message given as something else than an
   object (json_format takes `[]` as an empty message), true/false as a number or
   enum, a fraction as an enum, bytes that are not base64 (json_format drops bad
   characters), Timestamps and Durations outside RFC 3339 / `<seconds>[.<1-9
   digits>]s` (json_format takes an offset of +25:00, an empty fraction, 10
   fraction digits, `1 s`), google.protobuf.Empty given as something else than
   an object. (An Any @type without a slash is read as the type name itself, by
   json_format and by Go's protojson alike; C++ and Java refuse it. edge follows
   Python and Go, so that what it prints it reads back.)
"""

import json
import math
import re

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
        _strict(js, message.DESCRIPTOR, descriptor_pool)
        json_format.ParseDict(js, message, ignore_unknown_fields, descriptor_pool=descriptor_pool,
                              max_recursion_depth=max_depth)
    except Exception as error:  # any failure is a rejection
        raise Rejected("%s: %s" % (type(error).__name__, error)) from None
    return message


_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)\Z")
_DURATION = re.compile(r"-?\d+(\.\d{1,9})?s\Z")
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]*\Z")


def _strict(js, desc, pool):
    """Raises ValueError for the inputs of correction 3 above."""
    import typed_json
    from google.protobuf import descriptor_pool as pools
    from google.protobuf.descriptor import FieldDescriptor as FD

    name = desc.full_name
    if js is None:
        return
    if name in typed_json.WRAPPERS:
        return _strict_scalar(js, desc.fields_by_name["value"], FD)
    if name == "google.protobuf.Timestamp":
        if isinstance(js, str) and not _TIMESTAMP.match(js):
            raise ValueError("not an RFC 3339 timestamp: %r" % js)
        return
    if name == "google.protobuf.Duration":
        if isinstance(js, str) and not _DURATION.match(js):
            raise ValueError("not a duration: %r" % js)
        return
    if name in typed_json.OPAQUE or name in typed_json.UNTYPED:
        return
    if not isinstance(js, dict):
        raise ValueError("%s must be a JSON object" % name)
    if name == "google.protobuf.Any":
        type_url = js.get("@type")
        if not isinstance(type_url, str):
            return
        try:
            inner = (pool or pools.Default()).FindMessageTypeByName(type_url.rsplit("/", 1)[-1])
        except KeyError:
            return
        if inner.full_name in typed_json.WRAPPERS | typed_json.OPAQUE | typed_json.UNTYPED | {"google.protobuf.Any"}:
            return _strict(js.get("value"), inner, pool)
        return _strict({k: v for k, v in js.items() if k != "@type"}, inner, pool)
    seen = set()
    for key, value in js.items():
        field = typed_json.field_for_key(desc, key)
        if field is None:
            continue
        if field.number in seen:
            raise ValueError("field %s given twice" % field.name)
        seen.add(field.number)
        if value is None:
            continue
        if typed_json.is_map(field):
            if isinstance(value, dict):
                value_field = field.message_type.fields_by_name["value"]
                for item in value.values():
                    _strict_value(item, value_field, pool, FD)
        elif field.is_repeated:
            if isinstance(value, list):
                for item in value:
                    _strict_value(item, field, pool, FD)
        else:
            _strict_value(value, field, pool, FD)


def _strict_value(value, field, pool, FD):
    if field.type == FD.TYPE_MESSAGE:
        return _strict(value, field.message_type, pool)
    return _strict_scalar(value, field, FD)


def _strict_scalar(value, field, FD):
    if field.type in (FD.TYPE_DOUBLE, FD.TYPE_FLOAT, FD.TYPE_ENUM) and isinstance(value, bool):
        raise ValueError("true/false for %s" % field.name)
    if field.type == FD.TYPE_ENUM and isinstance(value, float) and not value.is_integer():
        raise ValueError("fraction for enum %s" % field.name)
    if field.type == FD.TYPE_BYTES and isinstance(value, str):
        body = value.rstrip("=")
        padding = len(value) - len(body)
        if not _BASE64.match(body) or len(body) % 4 == 1 or padding > 2 or (padding and len(value) % 4):
            raise ValueError("not base64: %r" % value)


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
