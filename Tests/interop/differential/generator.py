"""A seeded random generator of edgetest.Everything messages that exercises every
field kind of the shared test schema with edge values."""

import math
import random
import struct

from google.protobuf import any_pb2, duration_pb2, field_mask_pb2, struct_pb2, timestamp_pb2, wrappers_pb2

I32 = [0, -1, 1, 2**31 - 1, -2**31, 100, -100, 2**24 + 1]
U32 = [0, 1, 2**32 - 1, 2**31, 2**31 - 1, 255]
I64 = [0, -1, 1, 2**63 - 1, -2**63, 2**53 - 1, 2**53, 2**53 + 1, -(2**53 + 1), -(2**53), 10**15]
U64 = [0, 1, 2**64 - 1, 2**63, 2**53 - 1, 2**53 + 1, 2**32]
DOUBLES = [0.0, -0.0, 1.0, -1.0, 0.1, 1e21, 1e-7, 1e-6, 1e20, 1e300, 5e-324, 2.2250738585072014e-308,
           2.225073858507201e-308, 1.7976931348623157e308, -1.7976931348623157e308, 9007199254740993.0,
           123456789012.345, math.pi, float("nan"), float("inf"), float("-inf"), 1.5, -2.5e-10]
FLOATS = [0.0, -0.0, 1.0, 0.1, -0.1, 1.401298464324817e-45, 1.1754943508222875e-38, 1.1754942106924411e-38,
          3.4028234663852886e38, -3.4028234663852886e38, 16777216.0, 16777217.0, 1e-10, 3.14159,
          float("nan"), float("inf"), float("-inf"), 0.3333333432674408, 1e10]
STRINGS = ["", "a", "hello world", "h\u00e9llo w\u00f6rld", "\u65e5\u672c\u8a9e", "\U0001F600\U0001D11E astral",
           "\x00\x01\x1f\x7f ctrl", "quote\" backslash\\ slash/", "\u2028\u2029 separators", "\t\n\r\b\f",
           "<script>&amp;</script>", "\ufeffBOM", "\uffff\U0010FFFF", "x" * 1500]
BYTES = [b"", b"\x00", b"\xff\xfe", b"a", b"ab", b"abc", bytes(range(256)), b"\xfb\xff\xbf"]
COLORS = [0, 1, 2, -3, 7, -100, 2**31 - 1, -2**31]  # open enum: unknown numbers too
ROOT_SECONDS = (-62135596800, 253402300799)  # 0001-01-01 .. 9999-12-31T23:59:59
DURATION_MAX = 315576000000
FIELD_NAMES = ["foo", "foo_bar", "a", "x1", "f_int64", "deep.path.name", "nested_field.sub_field", "abc_def_ghi"]


class Generator:
    def __init__(self, types_pb2, legacy_pb2, seed):
        self.t = types_pb2
        self.legacy = legacy_pb2
        self.r = random.Random(seed)

    def chance(self, p):
        return self.r.random() < p

    # ------------------------------------------------------------ scalars

    def i32(self):
        return self.r.choice(I32) if self.chance(0.6) else self.r.randint(-2**31, 2**31 - 1)

    def u32(self):
        return self.r.choice(U32) if self.chance(0.6) else self.r.randint(0, 2**32 - 1)

    def i64(self):
        return self.r.choice(I64) if self.chance(0.6) else self.r.randint(-2**63, 2**63 - 1)

    def u64(self):
        return self.r.choice(U64) if self.chance(0.6) else self.r.randint(0, 2**64 - 1)

    def double(self):
        if self.chance(0.6):
            return self.r.choice(DOUBLES)
        if self.chance(0.5):
            return struct.unpack("<d", self.r.getrandbits(64).to_bytes(8, "little"))[0]
        return self.r.uniform(-1e6, 1e6)

    def float(self):
        if self.chance(0.6):
            return self.r.choice(FLOATS)
        return struct.unpack("<f", self.r.getrandbits(32).to_bytes(4, "little"))[0]

    def finite_double(self):
        while True:
            value = self.double()
            if math.isfinite(value):
                return value

    def string(self):
        if self.chance(0.6):
            return self.r.choice(STRINGS)
        chars = []
        for _ in range(self.r.randint(0, 30)):
            kind = self.r.random()
            if kind < 0.5:
                chars.append(chr(self.r.randint(0x20, 0x7e)))
            elif kind < 0.6:
                chars.append(chr(self.r.randint(0, 0x1f)))
            elif kind < 0.85:
                code = self.r.randint(0x80, 0xffff)
                chars.append(chr(code) if not 0xd800 <= code <= 0xdfff else "?")
            else:
                chars.append(chr(self.r.randint(0x10000, 0x10ffff)))
        return "".join(chars)

    def bytes(self):
        if self.chance(0.5):
            return self.r.choice(BYTES)
        return self.r.randbytes(self.r.randint(0, 40))

    def color(self):
        return self.r.choice(COLORS) if self.chance(0.3) else self.r.choice([0, 1, 2, -3])

    def count(self, most=4):
        return self.r.randint(0, most)

    # ------------------------------------------------------------ messages

    def scalars(self, m):
        setters = [
            lambda: setattr(m, "f_double", self.double()),
            lambda: setattr(m, "f_float", self.float()),
            lambda: setattr(m, "f_int64", self.i64()),
            lambda: setattr(m, "f_uint64", self.u64()),
            lambda: setattr(m, "f_int32", self.i32()),
            lambda: setattr(m, "f_fixed64", self.u64()),
            lambda: setattr(m, "f_fixed32", self.u32()),
            lambda: setattr(m, "f_bool", self.chance(0.5)),
            lambda: setattr(m, "f_string", self.string()),
            lambda: setattr(m, "f_bytes", self.bytes()),
            lambda: setattr(m, "f_uint32", self.u32()),
            lambda: setattr(m, "f_enum", self.color()),
            lambda: setattr(m, "f_sfixed32", self.i32()),
            lambda: setattr(m, "f_sfixed64", self.i64()),
            lambda: setattr(m, "f_sint32", self.i32()),
            lambda: setattr(m, "f_sint64", self.i64()),
        ]
        for setter in setters:
            if self.chance(0.6):
                setter()
        return m

    def repeated(self, m):
        lists = [
            (m.r_double, self.double), (m.r_float, self.float), (m.r_int64, self.i64), (m.r_uint64, self.u64),
            (m.r_int32, self.i32), (m.r_fixed64, self.u64), (m.r_fixed32, self.u32),
            (m.r_bool, lambda: self.chance(0.5)), (m.r_string, self.string), (m.r_bytes, self.bytes),
            (m.r_uint32, self.u32), (m.r_enum, self.color), (m.r_sfixed32, self.i32), (m.r_sfixed64, self.i64),
            (m.r_sint32, self.i32), (m.r_sint64, self.i64), (m.r_unpacked_int32, self.i32),
        ]
        for target, make in lists:
            if self.chance(0.5):
                target.extend(make() for _ in range(self.count()))
        for _ in range(self.count(2)):
            self.scalars(m.r_message.add())
        return m

    def optionals(self, m):
        # Presence fields, often set to their default value (which must still be printed).
        values = [("o_double", self.double, 0.0), ("o_int64", self.i64, 0), ("o_int32", self.i32, 0),
                  ("o_bool", lambda: self.chance(0.5), False), ("o_string", self.string, ""),
                  ("o_bytes", self.bytes, b""), ("o_enum", self.color, 0), ("o_uint32", self.u32, 0),
                  ("o_float", self.float, 0.0)]
        for name, make, default in values:
            if self.chance(0.5):
                setattr(m, name, default if self.chance(0.4) else make())
        return m

    def maps(self, m):
        keyed = [(m.m_int32, self.i32), (m.m_int64, self.i64), (m.m_uint32, self.u32), (m.m_uint64, self.u64),
                 (m.m_sint32, self.i32), (m.m_sint64, self.i64), (m.m_fixed32, self.u32),
                 (m.m_fixed64, self.u64), (m.m_sfixed32, self.i32), (m.m_sfixed64, self.i64),
                 (m.m_bool, lambda: self.chance(0.5)), (m.m_string, self.string)]
        for target, key in keyed:
            if self.chance(0.4):
                for _ in range(self.count(3)):
                    target[key()] = self.string()
        if self.chance(0.3):
            for _ in range(self.count(2)):
                self.scalars(m.m_message[self.string()])
        if self.chance(0.3):
            for _ in range(self.count(3)):
                m.m_enum[self.string()] = self.color()
        if self.chance(0.3):
            for _ in range(self.count(3)):
                m.m_bytes[self.string()] = self.bytes()
        if self.chance(0.3):
            for _ in range(self.count(3)):
                m.m_double[self.string()] = self.double()
        if self.chance(0.3):
            for _ in range(self.count(3)):
                self.value(m.m_value[self.string()], 2)
        if self.chance(0.3):
            for _ in range(self.count(2)):
                self.timestamp(m.m_timestamp[self.string()])
        return m

    def oneofs(self, m):
        choice = self.r.randint(0, 7)
        if choice == 1:
            m.o_string = self.string() if self.chance(0.7) else ""
        elif choice == 2:
            m.o_int32 = self.i32() if self.chance(0.7) else 0
        elif choice == 3:
            m.o_message.SetInParent()
            self.scalars(m.o_message)
        elif choice == 4:
            m.o_enum = self.color() if self.chance(0.7) else 0
        elif choice == 5:
            m.o_null = 0
        elif choice == 6:
            m.o_wrapper.value = self.i32() if self.chance(0.7) else 0
        elif choice == 7:
            m.o_bytes = self.bytes()
        second = self.r.randint(0, 2)
        if second == 1:
            m.s_int64 = self.i64() if self.chance(0.7) else 0
        elif second == 2:
            m.s_bool = self.chance(0.5)
        if self.chance(0.5):
            m.outside = self.string()
        return m

    # ------------------------------------------------------------ well-known types

    def timestamp(self, ts):
        ts.seconds = self.r.randint(*ROOT_SECONDS) if self.chance(0.8) else self.r.choice(
            [ROOT_SECONDS[0], ROOT_SECONDS[1], 0, -1, 1])
        ts.nanos = self.nanos(positive=True)
        return ts

    def nanos(self, positive):
        digits = self.r.randint(0, 9)
        nanos = self.r.randint(0, 10**digits - 1) * 10**(9 - digits) if digits else 0
        if self.chance(0.1):
            nanos = self.r.choice([0, 1, 999999999, 500000000, 1000])
        return nanos

    def duration(self, d):
        if self.chance(0.2):
            d.seconds = self.r.choice([0, DURATION_MAX, -DURATION_MAX, 1, -1])
        else:
            d.seconds = self.r.randint(-DURATION_MAX, DURATION_MAX)
        nanos = self.nanos(positive=True)
        if d.seconds < 0 or (d.seconds == 0 and self.chance(0.5)):
            nanos = -nanos
        if abs(d.seconds) == DURATION_MAX:
            nanos = 0
        d.nanos = nanos
        return d

    def field_mask(self, fm):
        fm.paths.extend(self.r.choice(FIELD_NAMES) for _ in range(self.count(3)))
        return fm

    def value(self, v, depth):
        kind = self.r.randint(0, 5 if depth > 0 else 3)
        if kind == 0:
            v.null_value = 0
        elif kind == 1:
            v.bool_value = self.chance(0.5)
        elif kind == 2:
            v.number_value = self.finite_double() if self.chance(0.7) else float(self.r.choice(I64[:9]))
        elif kind == 3:
            v.string_value = self.string()
        elif kind == 4:
            self.struct(v.struct_value, depth - 1)
        else:
            self.list_value(v.list_value, depth - 1)
        return v

    def struct(self, s, depth):
        s.SetInParent() if hasattr(s, "SetInParent") else None
        for _ in range(self.count(3)):
            self.value(s.fields[self.string()], depth)
        return s

    def list_value(self, lv, depth):
        lv.SetInParent() if hasattr(lv, "SetInParent") else None
        for _ in range(self.count(3)):
            self.value(lv.values.add(), depth)
        return lv

    def wrapper(self):
        kind = self.r.randint(0, 8)
        if kind == 0:
            return wrappers_pb2.DoubleValue(value=self.double())
        if kind == 1:
            return wrappers_pb2.FloatValue(value=self.float())
        if kind == 2:
            return wrappers_pb2.Int64Value(value=self.i64())
        if kind == 3:
            return wrappers_pb2.UInt64Value(value=self.u64())
        if kind == 4:
            return wrappers_pb2.Int32Value(value=self.i32())
        if kind == 5:
            return wrappers_pb2.UInt32Value(value=self.u32())
        if kind == 6:
            return wrappers_pb2.BoolValue(value=self.chance(0.5))
        if kind == 7:
            return wrappers_pb2.StringValue(value=self.string())
        return wrappers_pb2.BytesValue(value=self.bytes())

    def any(self, a, depth=2):
        kind = self.r.randint(0, 9 if depth > 0 else 8)
        if kind == 0:
            inner = self.scalars(self.t.Scalars())
        elif kind == 1:
            inner = self.timestamp(timestamp_pb2.Timestamp())
        elif kind == 2:
            inner = self.duration(duration_pb2.Duration())
        elif kind == 3:
            inner = self.struct(struct_pb2.Struct(), 2)
        elif kind == 4:
            inner = self.value(struct_pb2.Value(), 2)
        elif kind in (5, 6):
            inner = self.wrapper()
        elif kind == 7:
            inner = self.field_mask(field_mask_pb2.FieldMask())
        elif kind == 8:
            inner = self.oneofs(self.t.Oneofs())
        else:
            inner = self.any(any_pb2.Any(), depth - 1)
        a.Pack(inner, deterministic=True)  # Struct maps in a stable order: runs repeat by seed
        return a

    def well_known(self, m):
        if self.chance(0.4):
            self.any(m.w_any)
        if self.chance(0.5):
            self.timestamp(m.w_timestamp)
        if self.chance(0.5):
            self.duration(m.w_duration)
        if self.chance(0.4):
            self.field_mask(m.w_field_mask)
        if self.chance(0.4):
            self.struct(m.w_struct, 3)
        if self.chance(0.4):
            self.value(m.w_value, 3)
        if self.chance(0.3):
            self.list_value(m.w_list_value, 3)
        if self.chance(0.2):
            m.w_empty.SetInParent()
        wrappers = [("w_double_value", self.double), ("w_float_value", self.float), ("w_int64_value", self.i64),
                    ("w_uint64_value", self.u64), ("w_int32_value", self.i32), ("w_uint32_value", self.u32),
                    ("w_bool_value", lambda: self.chance(0.5)), ("w_string_value", self.string),
                    ("w_bytes_value", self.bytes)]
        for name, make in wrappers:
            if self.chance(0.3):
                getattr(m, name).value = make() if self.chance(0.7) else type(make())()
        for _ in range(self.count(2)):
            self.timestamp(m.r_timestamp.add())
        for _ in range(self.count(2) if self.chance(0.4) else 0):
            self.any(m.r_any.add(), 1)
        for _ in range(self.count(3) if self.chance(0.4) else 0):
            self.value(m.r_value.add(), 1)
        for _ in range(self.count(3) if self.chance(0.4) else 0):
            m.r_int32_value.add().value = self.i32()
        return m

    def tree(self, m, depth):
        if self.chance(0.7):
            m.name = self.string()
        if depth > 0 and self.chance(0.4):
            self.tree(m.left, depth - 1)
        if depth > 0:
            for _ in range(self.count(2) if self.chance(0.3) else 0):
                self.tree(m.children.add(), depth - 1)
            for _ in range(self.count(2) if self.chance(0.3) else 0):
                self.tree(m.by_name[self.string()], depth - 1)
        if self.chance(0.3):
            self.scalars(m.payload)
        return m

    def custom_names(self, m):
        for name in ("plain_field", "renamed", "_leading_underscore"):
            if self.chance(0.6):
                setattr(m, name, self.string())
        if self.chance(0.6):
            m.field_with_2_digits = self.i32()
        m.SetInParent()
        return m

    def legacy_message(self, m):
        # proto2: explicit presence, defaults that must be printed when set.
        fields = [("count", lambda: self.r.choice([7, 0, self.i32()])),
                  ("label", lambda: self.r.choice(["none", "", self.string()])),
                  ("level", lambda: self.r.choice([1, 2])),
                  ("ratio", lambda: self.r.choice([0.5, 0.0, self.double()])),
                  ("flag", lambda: self.chance(0.5)),
                  ("blob", lambda: self.r.choice([b"a\x01b", b"", self.bytes()]))]
        for name, make in fields:
            if self.chance(0.5):
                setattr(m, name, make())
        if self.chance(0.4):
            m.values.extend(self.i32() for _ in range(self.count()))
        if self.chance(0.4):
            m.packed_values.extend(self.i32() for _ in range(self.count()))
        if self.chance(0.5):
            m.inner.key = self.string()  # required
            if self.chance(0.5):
                m.inner.amount = self.i64()
        self.legacy_extensions(m)
        m.SetInParent()
        return m

    def legacy_extensions(self, m):
        # proto2 extensions: printed and parsed as "[edgetest.legacy.ext_count]".
        lp = self.legacy
        if self.chance(0.3):
            m.Extensions[lp.ext_count] = self.r.choice([0, self.i32()])
        if self.chance(0.3):
            m.Extensions[lp.ext_label] = self.r.choice(["ext", "", self.string()])
        if self.chance(0.3):
            # At least one: Python prints an extension given an empty list, which the wire cannot carry.
            m.Extensions[lp.ext_values].extend(self.i32() for _ in range(max(1, self.count())))
        if self.chance(0.2):
            m.Extensions[lp.ext_inner].key = self.string()
        if self.chance(0.2):
            m.Extensions[lp.ext_level] = self.r.choice([1, 2])
        if self.chance(0.3):
            m.Extensions[lp.Holder.ext_flag] = self.chance(0.5)
        if self.chance(0.2):
            for _ in range(max(1, self.count(3))):
                holder = m.Extensions[lp.Holder.ext_holders].add()
                if self.chance(0.5):
                    holder.note = self.string()

    def everything(self, depth=1):
        m = self.t.Everything()
        parts = [(lambda: self.scalars(m.scalars), 0.6), (lambda: self.repeated(m.repeated), 0.35),
                 (lambda: self.optionals(m.optionals), 0.4), (lambda: self.maps(m.maps), 0.3),
                 (lambda: self.oneofs(m.oneofs), 0.4), (lambda: self.well_known(m.well_known), 0.5),
                 (lambda: self.tree(m.tree, 3), 0.25), (lambda: self.custom_names(m.custom_names), 0.2),
                 (lambda: self.legacy_message(m.legacy), 0.3)]
        for build, p in parts:
            if self.chance(p):
                build()
        if depth > 0 and self.chance(0.15):
            for _ in range(self.count(2)):
                m.nested.append(self.everything(depth - 1))
        return m
