import XCTest

@testable import Transcoder

/// Rejections: the error kind and the JSON path of the offending value.
/// Python's json_format rejects each of these too, except where noted.
final class JSONToWireErrorTests: XCTestCase, JSONToWireTesting {
    func testInt32Fraction() {
        assertFails("edgetest.Scalars", "{\"fInt32\": 1.5}", .invalidValue, path: "fInt32")
    }

    func testInt32FractionString() {
        assertFails("edgetest.Scalars", "{\"fInt32\": \"1.5\"}", .invalidValue, path: "fInt32")
    }

    func testInt32Overflow() {
        assertFails("edgetest.Scalars", "{\"fInt32\": 2147483648}", .outOfRange, path: "fInt32")
    }

    func testInt32Underflow() {
        assertFails("edgetest.Scalars", "{\"fInt32\": \"-2147483649\"}", .outOfRange, path: "fInt32")
    }

    func testUint32Negative() {
        assertFails("edgetest.Scalars", "{\"fUint32\": -1}", .outOfRange, path: "fUint32")
    }

    func testUint64Negative() {
        assertFails("edgetest.Scalars", "{\"fUint64\": \"-1\"}", .outOfRange, path: "fUint64")
    }

    func testInt64Overflow() {
        assertFails("edgetest.Scalars", "{\"fInt64\": \"9223372036854775808\"}", .outOfRange, path: "fInt64")
    }

    func testUint64Overflow() {
        assertFails("edgetest.Scalars", "{\"fUint64\": \"18446744073709551616\"}", .outOfRange, path: "fUint64")
    }

    func testInt64FromHugeDouble() {
        assertFails("edgetest.Scalars", "{\"fInt64\": 1e19}", .outOfRange, path: "fInt64")
    }

    func testIntNotANumber() {
        assertFails("edgetest.Scalars", "{\"fInt32\": \"abc\"}", .invalidValue, path: "fInt32")
    }

    func testIntHex() {
        assertFails("edgetest.Scalars", "{\"fInt32\": \"0x10\"}", .invalidValue, path: "fInt32")
    }

    func testIntBool() {
        assertFails("edgetest.Scalars", "{\"fInt64\": true}", .invalidValue, path: "fInt64")
    }

    func testIntLeadingSpace() {
        assertFails("edgetest.Scalars", "{\"fInt32\": \" 1\"}", .invalidValue, path: "fInt32")
    }

    func testFloatOverflow() {
        assertFails("edgetest.Scalars", "{\"fFloat\": 3.5e38}", .outOfRange, path: "fFloat")
    }

    func testDoubleOverflow() {
        assertFails("edgetest.Scalars", "{\"fDouble\": 1e400}", .outOfRange, path: "fDouble")
    }

    func testDoubleLowercaseNan() {
        assertFails("edgetest.Scalars", "{\"fDouble\": \"nan\"}", .invalidValue, path: "fDouble")
    }

    func testDoubleObject() {
        assertFails("edgetest.Scalars", "{\"fDouble\": {}}", .invalidValue, path: "fDouble")
    }

    func testBoolString() {
        assertFails("edgetest.Scalars", "{\"fBool\": \"true\"}", .invalidValue, path: "fBool")
    }

    func testBoolNumber() {
        assertFails("edgetest.Scalars", "{\"fBool\": 1}", .invalidValue, path: "fBool")
    }

    func testStringNumber() {
        assertFails("edgetest.Scalars", "{\"fString\": 1}", .invalidValue, path: "fString")
    }

    func testStringLoneHighSurrogate() {
        assertFails("edgetest.Scalars", "{\"fString\": \"\\ud800\"}", .invalidUTF8, path: "fString")
    }

    func testStringLoneLowSurrogate() {
        assertFails("edgetest.Scalars", "{\"fString\": \"a\\udc00\"}", .invalidUTF8, path: "fString")
    }

    func testBytesBadChar() {
        assertFails("edgetest.Scalars", "{\"fBytes\": \"a*b=\"}", .invalidValue, path: "fBytes")  // json_format is lenient here; the ProtoJSON spec rejects it
    }

    func testBytesBadLength() {
        assertFails("edgetest.Scalars", "{\"fBytes\": \"a\"}", .invalidValue, path: "fBytes")
    }

    func testEnumUnknownName() {
        assertFails("edgetest.Scalars", "{\"fEnum\": \"NOPE\"}", .invalidValue, path: "fEnum")
    }

    func testEnumBool() {
        assertFails("edgetest.Scalars", "{\"fEnum\": [1]}", .invalidValue, path: "fEnum")
    }

    func testClosedEnumUnknownNumber() {
        assertFails("edgetest.legacy.Legacy", "{\"level\": 5}", .invalidValue, path: "level")
    }

    func testMapDuplicateKey() {
        assertFails("edgetest.Maps", "{\"mString\": {\"a\": \"1\", \"b\": \"2\", \"a\": \"3\"}}", .duplicateField, path: "mString[\"a\"]")
    }

    func testMapDuplicateKeyEscaped() {
        assertFails("edgetest.Maps", "{\"mInt32\": {\"1\": \"x\", \"\\u0031\": \"y\"}}", .duplicateField, path: "mInt32[\"1\"]")
    }

    func testMapDuplicateKeyNested() {
        assertFails("edgetest.Tree", "{\"byName\": {\"x\": {\"byName\": {\"x\": {}, \"y\": {}}}, \"y\": {}, \"x\": {}}}", .duplicateField, path: "byName[\"x\"]")
    }

    func testStructDuplicateKey() {
        assertFails("edgetest.WellKnown", "{\"wStruct\": {\"a\": 1, \"b\": {\"a\": 1}, \"a\": 2}}", .duplicateField, path: "wStruct[\"a\"]")
    }

    func testUnknownField() {
        assertFails("edgetest.Scalars", "{\"fInt32\": 1, \"nope\": 2}", .unknownField, path: "nope")
    }

    func testDuplicateField() {
        assertFails("edgetest.Scalars", "{\"fInt32\": 1, \"fInt32\": 2}", .duplicateField, path: "fInt32")
    }

    func testDuplicateNull() {
        assertFails("edgetest.Scalars", "{\"fInt32\": null, \"fInt32\": 2}", .duplicateField, path: "fInt32")
    }

    func testTwoOneofMembers() {
        assertFails("edgetest.Oneofs", "{\"oString\": \"a\", \"oInt32\": 1}", .duplicateField, path: "oInt32")
    }

    func testNullInRepeated() {
        assertFails("edgetest.Repeated", "{\"rInt32\": [1, null]}", .invalidValue, path: "rInt32[1]")
    }

    func testNullInRepeatedMessage() {
        assertFails("edgetest.Repeated", "{\"rMessage\": [null]}", .invalidValue, path: "rMessage[0]")
    }

    func testNullInRepeatedWrapper() {
        assertFails("edgetest.WellKnown", "{\"rInt32Value\": [null]}", .invalidValue, path: "rInt32Value[0]")
    }

    func testNullMapValue() {
        assertFails("edgetest.Maps", "{\"mString\": {\"k\": null}}", .invalidValue, path: "mString[\"k\"]")
    }

    func testNullMapMessage() {
        assertFails("edgetest.Maps", "{\"mMessage\": {\"k\": null}}", .invalidValue, path: "mMessage[\"k\"]")
    }

    func testRepeatedNotArray() {
        assertFails("edgetest.Repeated", "{\"rInt32\": 1}", .invalidValue, path: "rInt32")
    }

    func testMapNotObject() {
        assertFails("edgetest.Maps", "{\"mInt32\": [1]}", .invalidValue, path: "mInt32")
    }

    func testMapBoolKey() {
        assertFails("edgetest.Maps", "{\"mBool\": {\"True\": \"x\"}}", .invalidValue, path: "mBool[\"True\"]")
    }

    func testMapIntKey() {
        assertFails("edgetest.Maps", "{\"mInt32\": {\"x\": \"y\"}}", .invalidValue, path: "mInt32[\"x\"]")
    }

    func testMapIntKeyRange() {
        assertFails("edgetest.Maps", "{\"mUint32\": {\"4294967296\": \"y\"}}", .outOfRange, path: "mUint32[\"4294967296\"]")
    }

    func testNestedPath() {
        assertFails("edgetest.Everything", "{\"nested\": [{}, {\"repeated\": {\"rMessage\": [{}, {}, {\"fUint32\": -1}]}}]}", .outOfRange, path: "nested[1].repeated.rMessage[2].fUint32")
    }

    func testMapPath() {
        assertFails("edgetest.Maps", "{\"mMessage\": {\"a\\\"b\": {\"fBool\": 1}}}", .invalidValue, path: "mMessage[\"a\\\"b\"].fBool")
    }

    func testMessageNotObject() {
        assertFails("edgetest.Everything", "{\"scalars\": 1}", .invalidValue, path: "scalars")
    }

    func testTopLevelNotObject() {
        assertFails("edgetest.Scalars", "[]", .invalidValue, path: "")  // json_format is lenient here; the ProtoJSON spec rejects it
    }

    func testTimestampNoOffset() {
        assertFails("edgetest.WellKnown", "{\"wTimestamp\": \"1970-01-01T00:00:00\"}", .invalidValue, path: "wTimestamp")
    }

    func testTimestampLowercase() {
        assertFails("edgetest.WellKnown", "{\"wTimestamp\": \"1970-01-01t00:00:00z\"}", .invalidValue, path: "wTimestamp")
    }

    func testTimestampBadDay() {
        assertFails("edgetest.WellKnown", "{\"wTimestamp\": \"2023-02-29T00:00:00Z\"}", .invalidValue, path: "wTimestamp")
    }

    func testTimestampTenDigits() {
        assertFails("edgetest.WellKnown", "{\"wTimestamp\": \"1970-01-01T00:00:00.0000000001Z\"}", .invalidValue, path: "wTimestamp")
    }

    func testTimestampBeforeMin() {
        assertFails("edgetest.WellKnown", "{\"wTimestamp\": \"0001-01-01T00:00:00+01:00\"}", .outOfRange, path: "wTimestamp")
    }

    func testTimestampYearZero() {
        assertFails("edgetest.WellKnown", "{\"wTimestamp\": \"0000-01-01T00:00:00Z\"}", .invalidValue, path: "wTimestamp")
    }

    func testTimestampNumber() {
        assertFails("edgetest.WellKnown", "{\"wTimestamp\": 0}", .invalidValue, path: "wTimestamp")
    }

    func testDurationNoSuffix() {
        assertFails("edgetest.WellKnown", "{\"wDuration\": \"1.5\"}", .invalidValue, path: "wDuration")
    }

    func testDurationTooLong() {
        assertFails("edgetest.WellKnown", "{\"wDuration\": \"315576000001s\"}", .outOfRange, path: "wDuration")
    }

    func testDurationTenDigits() {
        assertFails("edgetest.WellKnown", "{\"wDuration\": \"1.0000000001s\"}", .invalidValue, path: "wDuration")  // json_format is lenient here; the ProtoJSON spec rejects it
    }

    func testFieldMaskUnderscore() {
        assertFails("edgetest.WellKnown", "{\"wFieldMask\": \"foo_bar\"}", .invalidValue, path: "wFieldMask")
    }

    func testAnyMissingType() {
        assertFails("edgetest.WellKnown", "{\"wAny\": {\"fInt32\": 1}}", .invalidValue, path: "wAny")
    }

    func testAnyTypeURLWithoutSlashNamingNoTypeIsUnknown() {
        // A URL without "/" is read as the type name itself (JSONToWireWellKnownTests); one that names no type is refused.
        assertFails("edgetest.WellKnown", #"{"wAny": {"@type": "Scalars"}}"#, .invalidValue, path: "wAny.@type")
        assertFails("edgetest.WellKnown", #"{"wAny": {"@type": "edgetest.Scalars/"}}"#, .invalidValue, path: "wAny.@type")
    }

    func testAnyUnknownType() {
        assertFails("edgetest.WellKnown", "{\"wAny\": {\"@type\": \"type.googleapis.com/edgetest.Nope\"}}", .invalidValue, path: "wAny.@type")
    }

    func testAnyBadField() {
        assertFails("edgetest.WellKnown", "{\"wAny\": {\"@type\": \"type.googleapis.com/edgetest.Scalars\", \"fInt32\": \"x\"}}", .invalidValue, path: "wAny.fInt32")
    }

    func testAnyWellKnownBadValue() {
        assertFails("edgetest.WellKnown", "{\"wAny\": {\"@type\": \"type.googleapis.com/google.protobuf.Duration\", \"value\": \"x\"}}", .invalidValue, path: "wAny.value")
    }

    func testAnyWellKnownMissingValue() {
        assertFails("edgetest.WellKnown", "{\"wAny\": {\"@type\": \"type.googleapis.com/google.protobuf.Duration\"}}", .invalidValue, path: "wAny")
    }

    func testStructNotObject() {
        assertFails("edgetest.WellKnown", "{\"wStruct\": [1]}", .invalidValue, path: "wStruct")
    }

    func testStructPath() {
        assertFails("edgetest.WellKnown", "{\"wStruct\": {\"a\": {\"b\": [1, 1e999]}}}", .outOfRange, path: "wStruct[\"a\"][\"b\"][1]")  // json_format is lenient here; the ProtoJSON spec rejects it
    }

    func testListValueNotArray() {
        assertFails("edgetest.WellKnown", "{\"wListValue\": {}}", .invalidValue, path: "wListValue")
    }

    func testWrapperWrongType() {
        assertFails("edgetest.WellKnown", "{\"wBoolValue\": \"true\"}", .invalidValue, path: "wBoolValue")
    }

    func testWrapperObject() {
        assertFails("edgetest.WellKnown", "{\"wInt32Value\": {\"value\": 1}}", .invalidValue, path: "wInt32Value")
    }

    func testTrailingComma() {
        assertFails("edgetest.Scalars", "{\"fInt32\": 1,}", .malformedJSON, path: "")
    }

    func testMissingColon() {
        assertFails("edgetest.Scalars", "{\"fInt32\" 1}", .malformedJSON, path: "")
    }

    func testUnterminated() {
        assertFails("edgetest.Scalars", "{\"fString\": \"abc", .malformedJSON, path: "fString")
    }

    func testTrailingData() {
        assertFails("edgetest.Scalars", "{} x", .malformedJSON, path: "")
    }

    func testLeadingZero() {
        assertFails("edgetest.Scalars", "{\"fInt32\": 01}", .malformedJSON, path: "")
    }

    func testBadLiteral() {
        assertFails("edgetest.Scalars", "{\"fBool\": tru}", .malformedJSON, path: "fBool")
    }

    func testSingleQuotes() {
        assertFails("edgetest.Scalars", "{'fInt32': 1}", .malformedJSON, path: "")
    }

    func testControlCharInString() {
        assertFails("edgetest.Scalars", "{\"fString\": \"a\tb\"}", .malformedJSON, path: "fString")
    }

    func testBadEscape() {
        assertFails("edgetest.Scalars", "{\"fString\": \"\\x\"}", .malformedJSON, path: "fString")
    }
}
