import XCTest

@testable import Transcoder

/// Well-known types (Any, Timestamp, Duration, FieldMask, Struct, Value,
/// ListValue, NullValue, Empty, wrappers), byte for byte against Python's protobuf.
final class JSONToWireWellKnownTests: XCTestCase, JSONToWireTesting {
    func testAnyEmpty() throws {
        try assertWire("edgetest.WellKnown", "{\"wAny\": {}}", "0a00")
    }

    func testAnyTypeFirst() throws {
        try assertWire("edgetest.WellKnown", "{\"wAny\": {\"@type\": \"type.googleapis.com/edgetest.Scalars\", \"fInt32\": 3, \"fString\": \"s\"}}", "0a2d0a24747970652e676f6f676c65617069732e636f6d2f65646765746573742e5363616c617273120528034a0173")
    }

    func testAnyTypeLast() throws {
        try assertWire("edgetest.WellKnown", "{\"wAny\": {\"fInt32\": 3, \"fString\": \"s\", \"@type\": \"type.googleapis.com/edgetest.Scalars\"}}", "0a2d0a24747970652e676f6f676c65617069732e636f6d2f65646765746573742e5363616c617273120528034a0173")
    }

    func testAnyDuration() throws {
        try assertWire("edgetest.WellKnown", "{\"wAny\": {\"@type\": \"type.googleapis.com/google.protobuf.Duration\", \"value\": \"1.5s\"}}", "0a380a2c747970652e676f6f676c65617069732e636f6d2f676f6f676c652e70726f746f6275662e4475726174696f6e120808011080cab5ee01")
    }

    func testAnyValueFirst() throws {
        try assertWire("edgetest.WellKnown", "{\"wAny\": {\"value\": {\"a\": 1}, \"@type\": \"type.googleapis.com/google.protobuf.Struct\"}}", "0a3e0a2a747970652e676f6f676c65617069732e636f6d2f676f6f676c652e70726f746f6275662e53747275637412100a0e0a0161120911000000000000f03f")
    }

    func testAnyWrapper() throws {
        try assertWire("edgetest.WellKnown", "{\"wAny\": {\"@type\": \"x/google.protobuf.Int32Value\", \"value\": 5}}", "0a220a1c782f676f6f676c652e70726f746f6275662e496e74333256616c756512020805")
    }

    func testAnyTypeURLWithoutSlashIsTheTypeName() throws {
        // As Python's json_format and Go's protojson read it (C++ and Java refuse it); the URL is kept as written.
        try assertWire("edgetest.WellKnown", #"{"wAny": {"@type": "edgetest.Scalars", "fInt32": 1}}"#, "0a160a1065646765746573742e5363616c61727312022801")
    }

    func testAnyEmptyMessage() throws {
        try assertWire("edgetest.WellKnown", "{\"wAny\": {\"@type\": \"type.googleapis.com/google.protobuf.Empty\"}}", "0a2b0a29747970652e676f6f676c65617069732e636f6d2f676f6f676c652e70726f746f6275662e456d707479")
    }

    func testAnyNested() throws {
        try assertWire("edgetest.WellKnown", "{\"wAny\": {\"@type\": \"type.googleapis.com/google.protobuf.Any\", \"value\": {\"@type\": \"type.googleapis.com/edgetest.Scalars\", \"fBool\": true}}}", "0a550a27747970652e676f6f676c65617069732e636f6d2f676f6f676c652e70726f746f6275662e416e79122a0a24747970652e676f6f676c65617069732e636f6d2f65646765746573742e5363616c61727312024001")
    }

    func testRepeatedAny() throws {
        try assertWire("edgetest.WellKnown", "{\"rAny\": [{\"@type\": \"type.googleapis.com/google.protobuf.Timestamp\", \"value\": \"1970-01-01T00:00:01Z\"}, {}]}", "a201330a2d747970652e676f6f676c65617069732e636f6d2f676f6f676c652e70726f746f6275662e54696d657374616d7012020801a20100")
    }

    func testTimestampEpoch() throws {
        try assertWire("edgetest.WellKnown", "{\"wTimestamp\": \"1970-01-01T00:00:00Z\"}", "1200")
    }

    func testTimestampMin() throws {
        try assertWire("edgetest.WellKnown", "{\"wTimestamp\": \"0001-01-01T00:00:00Z\"}", "120b088092b8c398feffffff01")
    }

    func testTimestampMax() throws {
        try assertWire("edgetest.WellKnown", "{\"wTimestamp\": \"9999-12-31T23:59:59.999999999Z\"}", "120d08ff82d1ffaf0710ff93ebdc03")
    }

    func testTimestampOffsets() throws {
        try assertWire("edgetest.WellKnown", "{\"rTimestamp\": [\"1972-01-01T10:00:20.021-05:00\", \"1972-01-01T10:00:20.021+05:30\", \"2000-02-29T00:00:00.5Z\", \"1969-12-31T23:59:59.000000001Z\"]}", "9a010a0884f48c1e10c0de810a9a010a08dccc8a1e10c0de810a9a010c088098ecc5031080cab5ee019a010d08ffffffffffffffffff011001")
    }

    func testDurationForms() throws {
        try assertWire("edgetest.WellKnown", "{\"wDuration\": \"-0.5s\"}", "1a0b1080b6ca91feffffffff01")
    }

    func testDurationNanos() throws {
        try assertWire("edgetest.WellKnown", "{\"wDuration\": \"1.000000001s\"}", "1a0408011001")
    }

    func testDurationMin() throws {
        try assertWire("edgetest.WellKnown", "{\"wDuration\": \"-315576000000.999999999s\"}", "1a160880c4d1b1e8f6ffffff011081ec94a3fcffffffff01")
    }

    func testDurationZero() throws {
        try assertWire("edgetest.WellKnown", "{\"wDuration\": \"0s\"}", "1a00")
    }

    func testFieldMask() throws {
        try assertWire("edgetest.WellKnown", "{\"wFieldMask\": \"fooBar,baz.quxQuux\"}", "22170a07666f6f5f6261720a0c62617a2e7175785f71757578")
    }

    func testFieldMaskEmpty() throws {
        try assertWire("edgetest.WellKnown", "{\"wFieldMask\": \"\"}", "2200")
    }

    func testStructNested() throws {
        try assertWire("edgetest.WellKnown", "{\"wStruct\": {\"a\": 1, \"b\": [true, null], \"c\": {\"d\": \"e\"}}}", "2a340a0e0a0161120911000000000000f03f0a0f0a0162120a32080a0220010a0208000a110a0163120c2a0a0a080a016412031a0165")
    }

    func testStructEmpty() throws {
        try assertWire("edgetest.WellKnown", "{\"wStruct\": {}}", "2a00")
    }

    func testValueKinds() throws {
        try assertWire("edgetest.WellKnown", "{\"rValue\": [null, 1, \"a\", true, false, {\"a\": null}, [], -2.5e3]}", "aa01020800aa010911000000000000f03faa01031a0161aa01022001aa01022000aa010b2a090a070a016112020800aa01023200aa010911000000000088a3c0")
    }

    func testValueNull() throws {
        try assertWire("edgetest.WellKnown", "{\"wValue\": null}", "32020800")
    }

    func testListValue() throws {
        try assertWire("edgetest.WellKnown", "{\"wListValue\": [1, [2], {}]}", "3a1e0a0911000000000000f03f0a0d320b0a091100000000000000400a022a00")
    }

    func testNullValueField() throws {
        try assertWire("edgetest.WellKnown", "{\"wNullValue\": null}", "")
    }

    func testNullValueByName() throws {
        try assertWire("edgetest.WellKnown", "{\"wNullValue\": \"NULL_VALUE\"}", "")
    }

    func testEmpty() throws {
        try assertWire("edgetest.WellKnown", "{\"wEmpty\": {}}", "4a00")
    }

    func testWrappersAll() throws {
        try assertWire("edgetest.WellKnown", "{\"wDoubleValue\": 1.5, \"wFloatValue\": \"NaN\", \"wInt64Value\": \"-3\", \"wUint64Value\": \"18446744073709551615\", \"wInt32Value\": 7, \"wUint32Value\": 8, \"wBoolValue\": true, \"wStringValue\": \"s\", \"wBytesValue\": \"AQI=\"}", "520909000000000000f83f5a050d0000c07f620b08fdffffffffffffffff016a0b08ffffffffffffffffff01720208077a02080882010208018a01030a01739201040a020102")
    }

    func testWrappersDefaults() throws {
        try assertWire("edgetest.WellKnown", "{\"wInt32Value\": 0, \"wBoolValue\": false, \"wStringValue\": \"\"}", "72008201008a0100")
    }

    func testWrapperNull() throws {
        try assertWire("edgetest.WellKnown", "{\"wInt32Value\": null}", "")
    }

    func testRepeatedWrappers() throws {
        try assertWire("edgetest.WellKnown", "{\"rInt32Value\": [1, 0]}", "b201020801b20100")
    }

    func testTopLevelTimestamp() throws {
        try assertWire("google.protobuf.Timestamp", "\"2017-01-15T01:30:15.01Z\"", "08a7a1ebc3051080ade204")
    }

    func testTopLevelValue() throws {
        try assertWire("google.protobuf.Value", "[1, \"x\"]", "32100a0911000000000000f03f0a031a0178")
    }

    func testTopLevelValueNull() throws {
        try assertWire("google.protobuf.Value", "null", "0800")
    }

    func testTopLevelWrapper() throws {
        try assertWire("google.protobuf.StringValue", "\"abc\"", "0a03616263")
    }

    func testTopLevelStruct() throws {
        try assertWire("google.protobuf.Struct", "{\"k\": {\"n\": 1}}", "0a170a016b12122a100a0e0a016e120911000000000000f03f")
    }

    func testTopLevelFieldMask() throws {
        try assertWire("google.protobuf.FieldMask", "\"a.bC,d\"", "0a05612e625f630a0164")
    }

    func testIgnoreUnknownInAny() throws {
        try assertWire("edgetest.WellKnown", "{\"wAny\": {\"@type\": \"type.googleapis.com/edgetest.Scalars\", \"zzz\": 1, \"fInt32\": 1}}", "0a2a0a24747970652e676f6f676c65617069732e636f6d2f65646765746573742e5363616c61727312022801", ignoreUnknown: true)
    }
}
