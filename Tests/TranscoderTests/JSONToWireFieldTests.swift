import DescriptorLoader
import XCTest

@testable import Transcoder

/// `convertField` (an HTTP rule's `body: "field"`), the buffer-based entry
/// point, depth limits, offsets, and robustness against arbitrary input.
final class JSONToWireFieldTests: XCTestCase, JSONToWireTesting {
    let converter = JSONToWireFixture.converter
    let schema = JSONToWireFixture.schema

    func field(_ type: String, _ number: Int32, _ json: String, ignoreUnknown: Bool = false) throws -> String {
        let ordinal = try XCTUnwrap(schema.ordinal(of: type))
        var out: [UInt8] = []
        let bytes = Array(json.utf8)
        try bytes.withUnsafeBytes { buffer in
            try converter.convertField(
                buffer, message: ordinal, fieldNumber: number,
                options: JSONParseOptions(ignoreUnknownFields: ignoreUnknown), into: &out)
        }
        return JSONToWireFixture.hex(out)
    }

    func testFieldMessage() throws {
        XCTAssertEqual(try field("edgetest.Everything", 1, #"{"fInt32": 1}"#), "0a022801")
    }

    func testFieldEmptyMessageIsWritten() throws {
        XCTAssertEqual(try field("edgetest.Everything", 1, "{}"), "0a00")
    }

    func testFieldRepeated() throws {
        XCTAssertEqual(try field("edgetest.Everything", 10, "[{}, {}]"), "52005200")
        XCTAssertEqual(try field("edgetest.Repeated", 5, "[1, 2]"), "2a020102")
    }

    func testFieldMap() throws {
        XCTAssertEqual(try field("edgetest.Maps", 12, #"{"a": "b"}"#), "62060a0161120162")
    }

    func testFieldScalarAndWellKnown() throws {
        XCTAssertEqual(try field("edgetest.Scalars", 9, #""hi""#), "4a026869")
        XCTAssertEqual(try field("edgetest.WellKnown", 2, #""1970-01-01T00:00:01Z""#), "12020801")
        XCTAssertEqual(try field("edgetest.WellKnown", 14, "3"), "72020803")
    }

    func testFieldNull() throws {
        XCTAssertEqual(try field("edgetest.Everything", 1, "null"), "")
        XCTAssertEqual(try field("edgetest.WellKnown", 6, "null"), "32020800")
    }

    func testFieldErrorPathIsRelative() throws {
        let ordinal = try XCTUnwrap(schema.ordinal(of: "edgetest.Repeated"))
        let json = Array(#"[{}, {"fInt32": "x"}]"#.utf8)
        var out: [UInt8] = []
        XCTAssertThrowsError(
            try json.withUnsafeBytes {
                try converter.convertField($0, message: ordinal, fieldNumber: 17, options: .defaults, into: &out)
            }
        ) { error in
            XCTAssertEqual((error as? TranscodeError)?.path, "[1].fInt32")
            XCTAssertEqual((error as? TranscodeError)?.kind, .invalidValue)
        }
    }

    func testFieldUnknownNumber() throws {
        let ordinal = try XCTUnwrap(schema.ordinal(of: "edgetest.Scalars"))
        var out: [UInt8] = []
        XCTAssertThrowsError(
            try Array("1".utf8).withUnsafeBytes {
                try converter.convertField($0, message: ordinal, fieldNumber: 99, options: .defaults, into: &out)
            })
    }

    func testBufferEntryPointAppends() throws {
        let ordinal = try XCTUnwrap(schema.ordinal(of: "edgetest.Scalars"))
        var out: [UInt8] = [0xAA]
        try Array(#"{"fInt32": 1}"#.utf8).withUnsafeBytes {
            try converter.convert($0, message: ordinal, options: .defaults, into: &out)
        }
        XCTAssertEqual(out, [0xAA, 0x28, 0x01])
    }

    func testOutputUntouchedOnError() throws {
        let ordinal = try XCTUnwrap(schema.ordinal(of: "edgetest.Everything"))
        var out: [UInt8] = [1, 2, 3]
        XCTAssertThrowsError(
            try Array(#"{"scalars": {"fInt32": 1, "fBool": 2}}"#.utf8).withUnsafeBytes {
                try converter.convert($0, message: ordinal, options: .defaults, into: &out)
            })
        XCTAssertEqual(out, [1, 2, 3])
    }

    func testBadOrdinalAndType() {
        var out: [UInt8] = []
        XCTAssertThrowsError(
            try Array("{}".utf8).withUnsafeBytes {
                try converter.convert($0, message: -1, options: .defaults, into: &out)
            })
        XCTAssertThrowsError(try converter.convert(Array("{}".utf8), messageType: "nope.Nope"))
    }

    func testErrorMessagesNameExpectationAndValue() {
        XCTAssertThrowsError(try convert("edgetest.Scalars", #"{"fInt32": "abc"}"#)) { error in
            XCTAssertEqual((error as? TranscodeError)?.message, #"expected int32, got "abc""#)
            XCTAssertEqual((error as? TranscodeError)?.description, #"fInt32: expected int32, got "abc""#)
        }
        XCTAssertThrowsError(try convert("edgetest.Repeated", #"{"rMessage": [{}, {"fUint32": 5000000000}]}"#)) { error in
            XCTAssertEqual((error as? TranscodeError)?.message, "value out of range for uint32: 5000000000")
            XCTAssertEqual((error as? TranscodeError)?.path, "rMessage[1].fUint32")
        }
        XCTAssertThrowsError(try convert("edgetest.Scalars", #"{"fEnum": "COLOR_PURPLE"}"#)) { error in
            XCTAssertEqual((error as? TranscodeError)?.message, #"unknown value "COLOR_PURPLE" for enum edgetest.Color"#)
        }
    }

    func testDepthCeilingAppliesOverLargeOptions() {
        let deep = String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000)
        XCTAssertThrowsError(try convert("google.protobuf.Value", deep, maxDepth: Int.max)) { error in
            XCTAssertEqual((error as? TranscodeError)?.kind, .tooDeep)
        }
    }

    func testLargeMapKeysAreCheckedForDuplicates() throws {
        let members = (0..<100).map { #""k\#($0)": "v""# }
        let unique = #"{"mString": {"# + members.joined(separator: ", ") + "}}"
        let bytes = try convert("edgetest.Maps", unique)
        XCTAssertEqual(bytes.count, 10 * 9 + 90 * 10)  // entries `62 len 0a len k.. 12 01 76`
        let duplicated = #"{"mString": {"# + (members + [#""k7": "w""#]).joined(separator: ", ") + "}}"
        assertFails("edgetest.Maps", duplicated, .duplicateField, path: #"mString["k7"]"#)
        let escaped = #"{"mString": {"# + (members + [#""\u006b42": "w""#]).joined(separator: ", ") + "}}"
        assertFails("edgetest.Maps", escaped, .duplicateField, path: #"mString["k42"]"#)
    }

    func testSameKeyInSiblingMapsIsFine() throws {
        try assertWire("edgetest.Tree", #"{"byName": {"a": {"byName": {"a": {}}}}}"#, "220c0a0161120722050a01611200")
    }

    func testEmptyInput() {
        assertFails("edgetest.Scalars", "", .malformedJSON, path: "")
        assertFails("edgetest.Scalars", "   ", .malformedJSON, path: "")
    }

    func testMalformedOffset() {
        XCTAssertThrowsError(try convert("edgetest.Scalars", #"{"fInt32": 1,}"#)) { error in
            XCTAssertEqual((error as? TranscodeError)?.offset, 13)
        }
        XCTAssertThrowsError(try convert("edgetest.Scalars", #"{"fInt32": 1 "x"}"#)) { error in
            XCTAssertEqual((error as? TranscodeError)?.offset, 13)
        }
    }

    func testInvalidUTF8() {
        let bad: [UInt8] = Array(#"{"fString": "a"#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        XCTAssertThrowsError(try converter.convert(bad, messageType: "edgetest.Scalars")) { error in
            XCTAssertEqual((error as? TranscodeError)?.kind, .invalidUTF8)
        }
        let surrogate: [UInt8] = Array(#"{"fString": ""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8)
        XCTAssertThrowsError(try converter.convert(surrogate, messageType: "edgetest.Scalars"))
        let overlong: [UInt8] = Array(#"{"nope": ""#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8)
        XCTAssertThrowsError(
            try converter.convert(overlong, messageType: "edgetest.Scalars", options: JSONParseOptions(ignoreUnknownFields: true)))
    }

    func testDepthLimitMessages() throws {
        let deep = String(repeating: #"{"left": "#, count: 5) + "{}" + String(repeating: "}", count: 5)
        XCTAssertNoThrow(try convert("edgetest.Tree", deep, maxDepth: 6))
        assertFails("edgetest.Tree", deep, .tooDeep, path: "left.left.left.left.left", maxDepth: 5)
    }

    func testDepthCountsMessagesNotArrays() throws {
        // json_format's count: Value 1, ListValue 2, Value 3, ListValue 4, …
        assertFails("google.protobuf.Value", "[[[[1]]]]", .tooDeep, path: "[0]", maxDepth: 3)
        XCTAssertNoThrow(try convert("google.protobuf.Value", "[[1]]", maxDepth: 5))
        assertFails("google.protobuf.Value", "[[1]]", .tooDeep, path: "[0][0]", maxDepth: 4)
        assertFails("google.protobuf.Value", #"{"a": {"b": 1}}"#, .tooDeep, path: #"["a"]"#, maxDepth: 3)
        // Arrays of repeated fields and map objects are no level of their own.
        let children = #"{"children": [{"byName": {"k": {}}}]}"#
        XCTAssertNoThrow(try convert("edgetest.Tree", children, maxDepth: 3))
        assertFails("edgetest.Tree", children, .tooDeep, path: #"children[0].byName["k"]"#, maxDepth: 2)
        // Scalar well-known types count too, but a wrapper packed in an Any is read as a scalar.
        assertFails("edgetest.WellKnown", #"{"wInt32Value": 1}"#, .tooDeep, path: "wInt32Value", maxDepth: 1)
        let anyWrapper = #"{"wAny": {"@type": "type.googleapis.com/google.protobuf.Int32Value", "value": 1}}"#
        XCTAssertNoThrow(try convert("edgetest.WellKnown", anyWrapper, maxDepth: 2))
        let anyStruct = #"{"wAny": {"@type": "type.googleapis.com/google.protobuf.Struct", "value": {}}}"#
        XCTAssertNoThrow(try convert("edgetest.WellKnown", anyStruct, maxDepth: 3))
        assertFails("edgetest.WellKnown", anyStruct, .tooDeep, path: "wAny.value", maxDepth: 2)
    }

    func testSkippedValuesAreBoundedOnlyByTheCeiling() {
        // Unknown fields hold no messages: maxDepth does not apply, the stack ceiling does.
        XCTAssertNoThrow(try convert("edgetest.Scalars", #"{"nope": [[[1]]]}"#, ignoreUnknown: true, maxDepth: 1))
        let deep = #"{"nope": "# + String(repeating: "[", count: 2_000) + String(repeating: "]", count: 2_000) + "}"
        assertFails("edgetest.Scalars", deep, .tooDeep, path: "", ignoreUnknown: true)
    }

    func testDeepInputDoesNotOverflowTheStack() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        // Level 101 is the Value at [0] x 50 (each array is a ListValue and a Value).
        assertFails("google.protobuf.Value", deep, .tooDeep, path: String(repeating: "[0]", count: 50))
    }

    func testProtoAndJSONNameOfOneFieldIsDuplicate() {
        assertFails("edgetest.Scalars", #"{"f_int32": 1, "fInt32": 2}"#, .duplicateField, path: "fInt32")
        assertFails("edgetest.CustomNames", #"{"renamed": "a", "customJson": "b"}"#, .duplicateField, path: "customJson")
    }

    func testSecondOneofIndependent() throws {
        try assertWire("edgetest.Oneofs", #"{"oInt32": 1, "sInt64": "2"}"#, "10015002")
        assertFails("edgetest.Oneofs", #"{"sInt64": 1, "sBool": true}"#, .duplicateField, path: "sBool")
    }

    func testNullValueEnumInRepeatedIsRejected() {
        assertFails("edgetest.Repeated", #"{"rEnum": [null]}"#, .invalidValue, path: "rEnum[0]")
    }

    func testSkippedValueMustBeWellFormed() {
        assertFails("edgetest.Scalars", #"{"nope": [1, }"#, .malformedJSON, path: "", ignoreUnknown: true)
    }

    func testUnknownFieldValueIsValidated() {
        assertFails("edgetest.Scalars", #"{"nope": "\ud800"}"#, .invalidUTF8, path: "", ignoreUnknown: true)
    }

    /// Truncations and byte flips of valid documents must throw or succeed, never trap.
    func testArbitraryInputNeverCrashes() {
        let seeds = [
            #"{"scalars": {"fInt32": -1, "fDouble": 1.5e3, "fString": "a\u00e9\ud83d\ude00", "fBytes": "AQI="}, "repeated": {"rInt64": ["1", 2], "rMessage": [{}]}}"#,
            #"{"maps": {"mBool": {"true": "x"}, "mValue": {"k": [null, {"a": 1}]}}, "oneofs": {"oWrapper": 5}}"#,
            #"{"wellKnown": {"wAny": {"fInt32": 1, "@type": "type.googleapis.com/edgetest.Scalars"}, "wTimestamp": "2020-01-01T00:00:00.5+01:00", "wDuration": "-1.5s", "wFieldMask": "aB,c"}}"#,
        ]
        var rng = SplitMix64(seed: 42)
        for seed in seeds {
            let bytes = Array(seed.utf8)
            XCTAssertNoThrow(try converter.convert(bytes, messageType: "edgetest.Everything"), seed)
            for cut in 0..<bytes.count {
                _ = try? converter.convert(Array(bytes[..<cut]), messageType: "edgetest.Everything")
            }
            for _ in 0..<2000 {
                var mutated = bytes
                for _ in 0..<Int(rng.next() % 3 + 1) {
                    let i = Int(rng.next() % UInt64(mutated.count))
                    mutated[i] = UInt8(truncatingIfNeeded: rng.next())
                }
                _ = try? converter.convert(mutated, messageType: "edgetest.Everything")
                _ = try? converter.convert(mutated, messageType: "edgetest.Everything", options: JSONParseOptions(ignoreUnknownFields: true))
            }
        }
    }
}

/// A small deterministic generator for the robustness tests.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
