"""Walks ProtoJSON values together with their message descriptors, so that
comparisons and input variants know each value's protobuf type (float vs
double, int64 strings, map keys, well-known types)."""

import math
import struct

from google.protobuf import descriptor_pool
from google.protobuf.descriptor import FieldDescriptor as FD

INT64_TYPES = {FD.TYPE_INT64, FD.TYPE_SINT64, FD.TYPE_SFIXED64, FD.TYPE_UINT64, FD.TYPE_FIXED64}
INT32_TYPES = {FD.TYPE_INT32, FD.TYPE_SINT32, FD.TYPE_SFIXED32, FD.TYPE_UINT32, FD.TYPE_FIXED32}
WRAPPERS = {
    "google.protobuf.DoubleValue", "google.protobuf.FloatValue", "google.protobuf.Int64Value",
    "google.protobuf.UInt64Value", "google.protobuf.Int32Value", "google.protobuf.UInt32Value",
    "google.protobuf.BoolValue", "google.protobuf.StringValue", "google.protobuf.BytesValue",
}
# Well-known types whose JSON is a string or untyped JSON: compared as such, not walked.
OPAQUE = {"google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.FieldMask"}
UNTYPED = {"google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue"}


def is_map(field):
    return field.type == FD.TYPE_MESSAGE and field.message_type.GetOptions().map_entry


_FIELDS_BY_KEY = {}


def field_for_key(desc, key):
    """The field a JSON member names, by json name or proto name; an extension by
    its bracketed full name (`[pkg.ext_name]`)."""
    if key.startswith("[") and key.endswith("]"):
        try:
            ext = descriptor_pool.Default().FindExtensionByName(key[1:-1])
        except KeyError:
            return None
        return ext if ext.containing_type is desc else None
    fields = _FIELDS_BY_KEY.get(desc.full_name)
    if fields is None:
        fields = {}
        for field in desc.fields:
            fields[field.name] = field
        for field in desc.fields:
            fields.setdefault(field.json_name, field)
        _FIELDS_BY_KEY[desc.full_name] = fields
    return fields.get(key)


def any_descriptor(type_url):
    name = type_url.rsplit("/", 1)[-1]
    return descriptor_pool.Default().FindMessageTypeByName(name)


def to_float32(value):
    return struct.unpack("<f", struct.pack("<f", value))[0]


# ---------------------------------------------------------------- comparison

class Mismatch(Exception):
    pass


def compare_message(ref, got, desc, path="$"):
    """Raises Mismatch describing the first difference of two ProtoJSON values of `desc`."""
    name = desc.full_name
    if name in WRAPPERS:
        return compare_scalar(ref, got, desc.fields_by_name["value"], path)
    if name in OPAQUE:
        return expect(ref == got and type(ref) is type(got), ref, got, path)
    if name in UNTYPED:
        return compare_untyped(ref, got, path)
    if name == "google.protobuf.Any":
        expect(isinstance(got, dict) and isinstance(ref, dict), ref, got, path)
        expect(ref.get("@type") == got.get("@type"), ref.get("@type"), got.get("@type"), path + ".@type")
        if "@type" not in ref:
            return expect(ref == got, ref, got, path)
        inner = any_descriptor(ref["@type"])
        if inner.full_name in WRAPPERS | OPAQUE | UNTYPED | {"google.protobuf.Any"}:
            expect(set(ref) == set(got), sorted(ref), sorted(got), path + " keys")
            return compare_message(ref["value"], got["value"], inner, path + ".value")
        ref = {k: v for k, v in ref.items() if k != "@type"}
        got = {k: v for k, v in got.items() if k != "@type"}
        desc = inner
    expect(isinstance(ref, dict) and isinstance(got, dict), ref, got, path)
    expect(set(ref) == set(got), sorted(ref), sorted(got), path + " keys")
    for key, value in ref.items():
        field = field_for_key(desc, key)
        if field is None:
            raise Mismatch("%s: reference key %r names no field" % (path, key))
        compare_field(value, got[key], field, path + "." + key)


def compare_field(ref, got, field, path):
    if is_map(field):
        expect(isinstance(got, dict) and set(ref) == set(got), sorted(ref), got if not isinstance(got, dict) else sorted(got), path + " map keys")
        value_field = field.message_type.fields_by_name["value"]
        for key in ref:
            compare_value(ref[key], got[key], value_field, "%s[%r]" % (path, key))
    elif field.is_repeated:
        expect(isinstance(got, list) and len(got) == len(ref), ref, got, path)
        for i, (r, g) in enumerate(zip(ref, got)):
            compare_value(r, g, field, "%s[%d]" % (path, i))
    else:
        compare_value(ref, got, field, path)


def compare_value(ref, got, field, path):
    if field.type == FD.TYPE_MESSAGE:
        if ref is None and field.message_type.full_name != "google.protobuf.Value":
            return expect(got is None, ref, got, path)
        return compare_message(ref, got, field.message_type, path)
    return compare_scalar(ref, got, field, path)


def compare_scalar(ref, got, field, path):
    t = field.type
    if t in (FD.TYPE_DOUBLE, FD.TYPE_FLOAT):
        if isinstance(ref, str):  # "NaN", "Infinity", "-Infinity"
            return expect(got == ref, ref, got, path)
        expect(isinstance(got, (int, float)) and not isinstance(got, bool), ref, got, path)
        try:
            r, g = float(ref), float(got)
            if t == FD.TYPE_FLOAT:
                r, g = to_float32(r), to_float32(g)
        except OverflowError:
            raise Mismatch("%s: float out of range: reference %r, edge %r" % (path, ref, got))
        return expect(r == g and math.copysign(1, r) == math.copysign(1, g), ref, got, path)
    if t in INT32_TYPES:
        return expect(type(got) is int and got == ref, ref, got, path)
    if t == FD.TYPE_ENUM and isinstance(ref, int) and not isinstance(ref, bool):
        return expect(type(got) is int and got == ref, ref, got, path)
    if t == FD.TYPE_ENUM and ref is None:  # google.protobuf.NullValue
        return expect(got is None, ref, got, path)
    return expect(type(got) is type(ref) and got == ref, ref, got, path)


def compare_untyped(ref, got, path):
    if isinstance(ref, dict):
        expect(isinstance(got, dict) and set(ref) == set(got), ref, got, path)
        for key in ref:
            compare_untyped(ref[key], got[key], "%s[%r]" % (path, key))
    elif isinstance(ref, list):
        expect(isinstance(got, list) and len(ref) == len(got), ref, got, path)
        for i, (r, g) in enumerate(zip(ref, got)):
            compare_untyped(r, g, "%s[%d]" % (path, i))
    elif isinstance(ref, bool) or ref is None or isinstance(ref, str):
        expect(type(got) is type(ref) and got == ref, ref, got, path)
    else:  # a double
        expect(isinstance(got, (int, float)) and not isinstance(got, bool), ref, got, path)
        expect(float(ref) == float(got) and math.copysign(1, float(ref)) == math.copysign(1, float(got)), ref, got, path)


def expect(ok, ref, got, path):
    if not ok:
        raise Mismatch("%s: reference %s, edge %s" % (path, short(ref), short(got)))


def short(value, limit=160):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


# ---------------------------------------------------------------- transformation

def transform(js, desc, fn):
    """A copy of the ProtoJSON value `js` of `desc` where every scalar field value v of
    field f (also map values and wrapper contents) is replaced by fn(f, v)."""
    name = desc.full_name
    if name in WRAPPERS:
        return fn(desc.fields_by_name["value"], js) if js is not None else js
    if name in OPAQUE or name in UNTYPED or not isinstance(js, dict):
        return js
    if name == "google.protobuf.Any":
        if "@type" not in js:
            return js
        inner = any_descriptor(js["@type"])
        if "value" in js and len(js) == 2 and inner.full_name in WRAPPERS | OPAQUE | UNTYPED | {
                "google.protobuf.Any"}:
            return {"@type": js["@type"], "value": transform(js["value"], inner, fn)}
        out = {"@type": js["@type"]}
        out.update(transform({k: v for k, v in js.items() if k != "@type"}, inner, fn))
        return out
    out = {}
    for key, value in js.items():
        field = field_for_key(desc, key)
        if field is None or value is None:
            out[key] = value
        elif is_map(field):
            vf = field.message_type.fields_by_name["value"]
            out[key] = {k: transform_value(v, vf, fn) for k, v in value.items()}
        elif field.is_repeated:
            out[key] = [transform_value(v, field, fn) for v in value]
        else:
            out[key] = transform_value(value, field, fn)
    return out


def transform_value(value, field, fn):
    if field.type == FD.TYPE_MESSAGE:
        return transform(value, field.message_type, fn)
    return fn(field, value)


def message_objects(js, desc, visit, path="$"):
    """Calls visit(obj, desc, path) for every JSON object that is a regular message."""
    name = desc.full_name
    if name in WRAPPERS or name in OPAQUE or name in UNTYPED or not isinstance(js, dict):
        return
    if name == "google.protobuf.Any":
        return
    visit(js, desc, path)
    for key, value in list(js.items()):
        field = field_for_key(desc, key)
        if field is None or field.type != FD.TYPE_MESSAGE or value is None:
            continue
        if is_map(field):
            vf = field.message_type.fields_by_name["value"]
            if vf.type == FD.TYPE_MESSAGE:
                for k, v in value.items():
                    message_objects(v, vf.message_type, visit, "%s.%s[%r]" % (path, key, k))
        elif field.is_repeated:
            for i, v in enumerate(value):
                message_objects(v, field.message_type, visit, "%s.%s[%d]" % (path, key, i))
        else:
            message_objects(value, field.message_type, visit, path + "." + key)
