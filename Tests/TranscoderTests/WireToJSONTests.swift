import XCTest
import DescriptorLoader
@testable import Transcoder

/// Exact output, errors (kind and path), options and `convertField`.
final class WireToJSONTests: XCTestCase {
    private func json(_ type: String, _ wire: [UInt8], _ options: JSONPrintOptions = .defaults) throws -> String {
        String(decoding: try WireToJSONTestSupport.converter().convert(wire, messageType: type, options: options), as: UTF8.self)
    }

    private func assertError(
        _ type: String, _ wire: [UInt8], _ kind: TranscodeError.Kind, path: String, options: JSONPrintOptions = .defaults,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        do {
            let output = try json(type, wire, options)
            XCTFail("expected \(kind) at \(path), got \(output)", file: file, line: line)
        } catch let error as TranscodeError {
            XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
            XCTAssertEqual(error.path, path, "\(error)", file: file, line: line)
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
        }
    }

    private func field(_ type: String, _ number: Int32, _ wire: [UInt8], _ options: JSONPrintOptions = .defaults) throws -> String {
        let (schema, converter) = try WireToJSONTestSupport.schemaAndConverter()
        var out: [UInt8] = []
        try wire.withUnsafeBytes {
            try converter.convertField($0, message: schema.ordinal(of: type)!, fieldNumber: number, options: options, into: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: Exact output

    func testCompactOutputInFieldNumberOrder() throws {
        let wire = Wire.string(9, "x") + Wire.int(5, -1) + Wire.double(1, 2.5) + Wire.varint(8, 1)
        XCTAssertEqual(try json("edgetest.Scalars", wire), #"{"fDouble":2.5,"fInt32":-1,"fBool":true,"fString":"x"}"#)
    }

    func testSixtyFourBitIntegersAreStrings() throws {
        let wire = Wire.int(3, -5) + Wire.varint(4, UInt64.max) + Wire.fixed64(6, 7) + Wire.int(16, 1)
        XCTAssertEqual(try json("edgetest.Scalars", wire), #"{"fInt64":"-5","fUint64":"18446744073709551615","fFixed64":"7","fSint64":"-1"}"#)
    }

    func testIntegralDoublesPrintWithoutFraction() throws {
        XCTAssertEqual(try json("edgetest.Scalars", Wire.double(1, 42)), #"{"fDouble":42}"#)
        XCTAssertEqual(try json("edgetest.Scalars", Wire.double(1, -0.0)), #"{"fDouble":-0.0}"#)
        XCTAssertEqual(try json("edgetest.Scalars", Wire.double(1, 1e300)), #"{"fDouble":1e+300}"#)
    }

    func testNonFiniteNumbersAreStrings() throws {
        XCTAssertEqual(try json("edgetest.Scalars", Wire.double(1, .nan)), #"{"fDouble":"NaN"}"#)
        XCTAssertEqual(try json("edgetest.Scalars", Wire.double(1, .infinity)), #"{"fDouble":"Infinity"}"#)
        XCTAssertEqual(try json("edgetest.Scalars", Wire.double(1, -.infinity)), #"{"fDouble":"-Infinity"}"#)
    }

    func testFloatPrintsItsOwnShortestForm() throws {
        let wire = Wire.tag(2, 5) + withUnsafeBytes(of: Float(0.1).bitPattern.littleEndian, Array.init)
        XCTAssertEqual(try json("edgetest.Scalars", wire), #"{"fFloat":0.1}"#)
    }

    func testStringEscapes() throws {
        let wire = Wire.ld(9, Array("a\"b\\c\u{0}\u{1F}\n\t\r\u{8}\u{C}é😀/".utf8))
        XCTAssertEqual(try json("edgetest.Scalars", wire), #"{"fString":"a\"b\\c\u0000\u001f\n\t\r\b\fé😀/"}"#)
    }

    func testBytesBase64() throws {
        XCTAssertEqual(try json("edgetest.Scalars", Wire.ld(10, [0xFB, 0xFF])), #"{"fBytes":"+/8="}"#)
        XCTAssertEqual(try json("edgetest.Scalars", Wire.ld(10, Array("hello".utf8))), #"{"fBytes":"aGVsbG8="}"#)
    }

    func testEnumNamesNumbersAndEnumsAsInts() throws {
        XCTAssertEqual(try json("edgetest.Scalars", Wire.int(12, -3)), #"{"fEnum":"COLOR_BLUE"}"#)
        XCTAssertEqual(try json("edgetest.Scalars", Wire.int(12, 42)), #"{"fEnum":42}"#)
        XCTAssertEqual(try json("edgetest.Scalars", Wire.int(12, 2), JSONPrintOptions(enumsAsInts: true)), #"{"fEnum":2}"#)
    }

    func testProtoNames() throws {
        let wire = Wire.string(2, "r") + Wire.string(4, "u")
        XCTAssertEqual(try json("edgetest.CustomNames", wire), #"{"customJson":"r","LeadingUnderscore":"u"}"#)
        XCTAssertEqual(
            try json("edgetest.CustomNames", wire, JSONPrintOptions(useProtoNames: true)),
            #"{"renamed":"r","_leading_underscore":"u"}"#)
    }

    func testEmitUnpopulatedOmitsMessagesAndPresenceFields() throws {
        XCTAssertEqual(
            try json("edgetest.Oneofs", [], JSONPrintOptions(emitUnpopulated: true)), #"{"outside":""}"#)
        XCTAssertEqual(try json("edgetest.Optionals", [], JSONPrintOptions(emitUnpopulated: true)), "{}")
        XCTAssertEqual(
            try json("edgetest.Tree", [], JSONPrintOptions(emitUnpopulated: true)), #"{"name":"","children":[],"byName":{}}"#)
    }

    func testZeroValueWithoutPresenceIsAbsent() throws {
        XCTAssertEqual(try json("edgetest.Scalars", Wire.int(5, 7) + Wire.int(5, 0)), "{}")
        XCTAssertEqual(try json("edgetest.Scalars", Wire.string(9, "")), "{}")
        XCTAssertEqual(try json("edgetest.Optionals", Wire.int(3, 0)), #"{"oInt32":0}"#)
    }

    func testThirtyTwoBitVarintsAreTruncatedBeforeTheZeroCheck() throws {
        // Parsers keep the low 32 bits of an int32/uint32/sint32/enum varint: 2^40 is 0, so absent.
        for field in [5, 11, 12, 15] {
            XCTAssertEqual(try json("edgetest.Scalars", Wire.varint(field, 1 << 40)), "{}", "field \(field)")
            XCTAssertEqual(try json("edgetest.Scalars", Wire.int(field, 3) + Wire.varint(field, 1 << 40)), "{}", "field \(field)")
        }
        XCTAssertEqual(try json("edgetest.Scalars", Wire.varint(5, (1 << 40) + 7)), #"{"fInt32":7}"#)
        XCTAssertEqual(try json("edgetest.Scalars", Wire.varint(8, 1 << 32)), #"{"fBool":true}"#)
        XCTAssertEqual(try json("edgetest.Scalars", Wire.varint(8, 2)), #"{"fBool":true}"#)
        XCTAssertEqual(try json("edgetest.Scalars", Wire.varint(3, 1 << 40)), #"{"fInt64":"1099511627776"}"#)
        XCTAssertEqual(try json("edgetest.Optionals", Wire.varint(3, 1 << 40)), #"{"oInt32":0}"#)
        XCTAssertEqual(try json("edgetest.Repeated", Wire.varint(5, 1 << 40) + Wire.varint(5, (1 << 40) + 7)), #"{"rInt32":[0,7]}"#)
        XCTAssertEqual(try json("edgetest.Maps", Wire.ld(1, Wire.varint(1, 1 << 40) + Wire.string(2, "v"))), #"{"mInt32":{"0":"v"}}"#)
    }

    func testMapKeysAreStrings() throws {
        let wire = Wire.ld(11, Wire.varint(1, 1) + Wire.string(2, "t")) + Wire.ld(6, Wire.varint(1, 3) + Wire.string(2, "s"))
        XCTAssertEqual(try json("edgetest.Maps", wire), #"{"mSint64":{"-2":"s"},"mBool":{"true":"t"}}"#)
    }

    func testMapDuplicateKeysKeepTheLast() throws {
        var wire: [UInt8] = []
        for i in 0..<40 { wire += Wire.ld(12, Wire.string(1, "k\(i % 7)") + Wire.string(2, "v\(i)")) }
        let parsed = WireToJSONTestSupport.parse(try json("edgetest.Maps", wire))
        var expected: [String: WireToJSONTestSupport.JSON] = [:]
        for i in 0..<40 { expected["k\(i % 7)"] = .string("v\(i)") }
        XCTAssertEqual(parsed, .object(["mString": .object(expected)]))
    }

    func testAnyExact() throws {
        let any = Wire.string(1, "type.googleapis.com/edgetest.Scalars") + Wire.ld(2, Wire.int(5, 5))
        XCTAssertEqual(try json("edgetest.WellKnown", Wire.ld(1, any)), #"{"wAny":{"@type":"type.googleapis.com/edgetest.Scalars","fInt32":5}}"#)
        let ts = Wire.string(1, "type.googleapis.com/google.protobuf.Timestamp") + Wire.ld(2, Wire.int(1, 1))
        XCTAssertEqual(
            try json("edgetest.WellKnown", Wire.ld(1, ts)),
            #"{"wAny":{"@type":"type.googleapis.com/google.protobuf.Timestamp","value":"1970-01-01T00:00:01Z"}}"#)
    }

    func testAnyTypeURLWithoutSlashPrintsAsPython() throws {
        // Python's json_format takes the whole URL as the type name (C++ would refuse).
        let any = Wire.string(1, "edgetest.Scalars") + Wire.ld(2, Wire.int(5, 5))
        XCTAssertEqual(try json("edgetest.WellKnown", Wire.ld(1, any)), #"{"wAny":{"@type":"edgetest.Scalars","fInt32":5}}"#)
    }

    func testTimestampFractionDigits() throws {
        func ts(_ s: Int64, _ n: Int64) throws -> String { try json("edgetest.WellKnown", Wire.ld(2, Wire.int(1, s) + Wire.int(2, n))) }
        XCTAssertEqual(try ts(0, 0), #"{"wTimestamp":"1970-01-01T00:00:00Z"}"#)
        XCTAssertEqual(try ts(1_700_000_000, 10_000_000), #"{"wTimestamp":"2023-11-14T22:13:20.010Z"}"#)
        XCTAssertEqual(try ts(-1, 999_999_000), #"{"wTimestamp":"1969-12-31T23:59:59.999999Z"}"#)
        XCTAssertEqual(try ts(951_782_400, 1), #"{"wTimestamp":"2000-02-29T00:00:00.000000001Z"}"#)
    }

    func testDurationForms() throws {
        func d(_ s: Int64, _ n: Int64) throws -> String { try json("edgetest.WellKnown", Wire.ld(3, Wire.int(1, s) + Wire.int(2, n))) }
        XCTAssertEqual(try d(1, 500_000_000), #"{"wDuration":"1.500s"}"#)
        XCTAssertEqual(try d(0, -1), #"{"wDuration":"-0.000000001s"}"#)
        XCTAssertEqual(try d(-315_576_000_000, 0), #"{"wDuration":"-315576000000s"}"#)
        XCTAssertEqual(try d(2, 1000), #"{"wDuration":"2.000001s"}"#)
    }

    func testFieldMaskExact() throws {
        let mask = Wire.string(1, "foo_bar.baz") + Wire.string(1, "x")
        XCTAssertEqual(try json("edgetest.WellKnown", Wire.ld(4, mask)), #"{"wFieldMask":"fooBar.baz,x"}"#)
    }

    func testStructValueListExact() throws {
        let structWire = Wire.ld(1, Wire.string(1, "a") + Wire.ld(2, Wire.double(2, 1)))
        let list = Wire.ld(1, Wire.ld(5, structWire)) + Wire.ld(1, Wire.ld(6, Wire.ld(1, Wire.varint(4, 1))))
        XCTAssertEqual(try json("edgetest.WellKnown", Wire.ld(6, Wire.ld(6, list))), #"{"wValue":[{"a":1},[true]]}"#)
    }

    func testOutputIsAppended() throws {
        let (schema, converter) = try WireToJSONTestSupport.schemaAndConverter()
        var out = Array("prefix:".utf8)
        try Wire.int(5, 1).withUnsafeBytes {
            try converter.convert($0, message: schema.ordinal(of: "edgetest.Scalars")!, options: .defaults, into: &out)
        }
        XCTAssertEqual(String(decoding: out, as: UTF8.self), #"prefix:{"fInt32":1}"#)
    }

    func testOutputRestoredOnError() throws {
        let (schema, converter) = try WireToJSONTestSupport.schemaAndConverter()
        var out = Array("keep".utf8)
        let wire = Wire.int(5, 1) + Wire.ld(9, [0xFF])
        XCTAssertThrowsError(
            try wire.withUnsafeBytes {
                try converter.convert($0, message: schema.ordinal(of: "edgetest.Scalars")!, options: .defaults, into: &out)
            })
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "keep")
    }

    func testLongMessagesUseHeapRuns() throws {
        // More runs than the stack buffer holds, out of order, with duplicates.
        var wire: [UInt8] = []
        for i in 0..<200 { wire += Wire.int(i % 2 == 0 ? 5 : 11, Int64(i)) + Wire.string(9, "s\(i)") }
        XCTAssertEqual(try json("edgetest.Scalars", wire), #"{"fInt32":198,"fString":"s199","fUint32":199}"#)
        var repeated: [UInt8] = []
        for i in 0..<100 { repeated += Wire.int(5, Int64(i)) + Wire.string(9, "\(i)") }
        let parsed = WireToJSONTestSupport.parse(try json("edgetest.Repeated", repeated))
        XCTAssertEqual(
            parsed,
            .object([
                "rInt32": .array((0..<100).map { .number(Double($0)) }), "rString": .array((0..<100).map { .string("\($0)") }),
            ]))
    }

    // MARK: Errors

    func testTruncatedVarint() {
        assertError("edgetest.Scalars", [0x28, 0xFF], .malformedWire, path: "")
    }

    func testLengthPastEnd() {
        assertError("edgetest.Scalars", [0x4A, 0x05, 0x61], .malformedWire, path: "")
    }

    func testFieldNumberZero() {
        assertError("edgetest.Scalars", [0x00, 0x01], .malformedWire, path: "")
    }

    func testInvalidWireTypes() {
        assertError("edgetest.Scalars", [0x2E, 0x01], .malformedWire, path: "")
        assertError("edgetest.Scalars", [0x2F, 0x01], .malformedWire, path: "")
    }

    func testStrayEndGroup() {
        assertError("edgetest.Scalars", [0x28, 0x07, 0xFC, 0x01], .malformedWire, path: "")
    }

    func testEndGroupMismatch() {
        assertError("edgetest.Scalars", [0xFB, 0x01, 0x08, 0x01, 0xF4, 0x01], .malformedWire, path: "")
    }

    func testUnterminatedGroup() {
        assertError("edgetest.Scalars", [0xFB, 0x01, 0x08, 0x01], .malformedWire, path: "")
    }

    func testVarintTooLong() {
        assertError("edgetest.Scalars", [0x28] + [UInt8](repeating: 0xFF, count: 10) + [0x01], .malformedWire, path: "")
    }

    func testFieldNumberTooLarge() {
        assertError("edgetest.Scalars", Wire.varint(UInt64(1 << 29) << 3) + [0x01], .malformedWire, path: "")
    }

    func testPackedTruncated() {
        assertError("edgetest.Repeated", [0x2A, 0x02, 0x01, 0xFF], .malformedWire, path: "rInt32[1]")
        assertError("edgetest.Repeated", [0x3A, 0x03, 0x01, 0x00, 0x00], .malformedWire, path: "rFixed32[0]")
    }

    func testMalformedNestedMessageNamesThePath() {
        let inner = Wire.ld(17, Wire.int(5, 1)) + Wire.ld(17, [0x28])
        assertError("edgetest.Everything", Wire.ld(2, inner), .malformedWire, path: "repeated.rMessage[1]")
        assertError(
            "edgetest.Everything", Wire.ld(2, inner), .malformedWire, path: "repeated.r_message[1]",
            options: JSONPrintOptions(useProtoNames: true))
    }

    func testInvalidUTF8() {
        assertError("edgetest.Scalars", Wire.ld(9, [0x61, 0xC3, 0x28]), .invalidUTF8, path: "fString")
        assertError("edgetest.Scalars", Wire.ld(9, [0xED, 0xA0, 0x80]), .invalidUTF8, path: "fString")  // surrogate
        assertError("edgetest.Scalars", Wire.ld(9, [0xC0, 0x80]), .invalidUTF8, path: "fString")  // overlong
        assertError("edgetest.Scalars", Wire.ld(9, [0xF4, 0x90, 0x80, 0x80]), .invalidUTF8, path: "fString")  // > U+10FFFF
        assertError("edgetest.Repeated", Wire.string(9, "ok") + Wire.ld(9, [0xFF]), .invalidUTF8, path: "rString[1]")
        assertError("edgetest.legacy.Legacy", Wire.ld(2, [0xFF]), .invalidUTF8, path: "label")
    }

    func testInvalidUTF8InMapKey() {
        assertError("edgetest.Maps", Wire.ld(12, Wire.ld(1, [0xFF]) + Wire.string(2, "v")), .invalidUTF8, path: #"mString["?"]"#)
    }

    func testErrorInMapValueNamesTheKey() {
        let entry = Wire.string(1, "k") + Wire.ld(2, Wire.ld(9, [0xFF]))
        assertError("edgetest.Maps", Wire.ld(13, entry), .invalidUTF8, path: #"mMessage["k"].fString"#)
        let intEntry = Wire.int(1, -4) + Wire.ld(2, [0xFF])
        assertError("edgetest.Maps", Wire.ld(1, intEntry), .invalidUTF8, path: #"mInt32["-4"]"#)
    }

    func testTimestampOutOfRange() {
        assertError("edgetest.WellKnown", Wire.ld(2, Wire.int(1, -62_135_596_801)), .unrepresentable, path: "wTimestamp")
        assertError("edgetest.WellKnown", Wire.ld(2, Wire.int(1, 253_402_300_800)), .unrepresentable, path: "wTimestamp")
        assertError("edgetest.WellKnown", Wire.ld(2, Wire.int(2, -1)), .unrepresentable, path: "wTimestamp")
        assertError("edgetest.WellKnown", Wire.ld(2, Wire.int(2, 1_000_000_000)), .unrepresentable, path: "wTimestamp")
        assertError("edgetest.WellKnown", Wire.ld(19, []) + Wire.ld(19, Wire.int(2, -5)), .unrepresentable, path: "rTimestamp[1]")
    }

    func testDurationOutOfRangeAndSignMismatch() {
        assertError("edgetest.WellKnown", Wire.ld(3, Wire.int(1, 315_576_000_001)), .unrepresentable, path: "wDuration")
        assertError("edgetest.WellKnown", Wire.ld(3, Wire.int(1, 1) + Wire.int(2, -1)), .unrepresentable, path: "wDuration")
        assertError("edgetest.WellKnown", Wire.ld(3, Wire.int(1, -1) + Wire.int(2, 1)), .unrepresentable, path: "wDuration")
        assertError("edgetest.WellKnown", Wire.ld(3, Wire.int(2, 1_000_000_000)), .unrepresentable, path: "wDuration")
    }

    func testFieldMaskThatCannotRoundTrip() {
        for path in ["fooBar", "foo__bar", "foo_1", "foo_", "a_.b"] {
            assertError("edgetest.WellKnown", Wire.ld(4, Wire.string(1, path)), .unrepresentable, path: "wFieldMask")
        }
    }

    func testAnyOfUnknownType() {
        let any = Wire.string(1, "type.googleapis.com/foo.Bar") + Wire.ld(2, [])
        assertError("edgetest.WellKnown", Wire.ld(1, any), .unrepresentable, path: "wAny")
        assertError("edgetest.WellKnown", Wire.ld(1, Wire.ld(2, [0x08, 0x01])), .unrepresentable, path: "wAny")
    }

    func testErrorInsideAny() {
        // The Any was read; bytes in its `value` that are not the named type make it unprintable.
        let any = Wire.string(1, "type.googleapis.com/edgetest.Scalars") + Wire.ld(2, Wire.ld(9, [0xFF]))
        assertError("edgetest.WellKnown", Wire.ld(20, any), .unrepresentable, path: "rAny[0].fString")
        let garbage = Wire.string(1, "type.googleapis.com/edgetest.Scalars") + Wire.ld(2, [0xFF, 0xFF])
        assertError("edgetest.WellKnown", Wire.ld(1, garbage), .unrepresentable, path: "wAny")
        let wrapper = Wire.string(1, "type.googleapis.com/google.protobuf.Int32Value") + Wire.ld(2, [0x08])
        assertError("edgetest.WellKnown", Wire.ld(1, wrapper), .unrepresentable, path: "wAny.value")
        // A malformed Any itself is still unreadable input.
        assertError("edgetest.WellKnown", Wire.ld(1, Wire.string(1, "type.googleapis.com/edgetest.Scalars") + [0x12, 0x05]), .malformedWire, path: "wAny")
        let ts = Wire.string(1, "type.googleapis.com/google.protobuf.Timestamp") + Wire.ld(2, Wire.int(2, -1))
        assertError("edgetest.WellKnown", Wire.ld(1, ts), .unrepresentable, path: "wAny.value")
    }

    func testValueNonFiniteNumber() {
        assertError("edgetest.WellKnown", Wire.ld(6, Wire.double(2, .nan)), .unrepresentable, path: "wValue")
        let structWire = Wire.ld(1, Wire.string(1, "k") + Wire.ld(2, Wire.double(2, .infinity)))
        assertError("edgetest.WellKnown", Wire.ld(5, structWire), .unrepresentable, path: #"wStruct["k"]"#)
        assertError("edgetest.WellKnown", Wire.ld(21, Wire.double(2, 1)) + Wire.ld(21, Wire.double(2, -.infinity)), .unrepresentable, path: "rValue[1]")
    }

    func testTooDeep() throws {
        var wire: [UInt8] = []
        for _ in 0..<10 { wire = Wire.ld(2, wire) }
        assertError("edgetest.Tree", wire, .tooDeep, path: "left.left.left.left", options: JSONPrintOptions(maxDepth: 3))
        XCTAssertNoThrow(try json("edgetest.Tree", wire, JSONPrintOptions(maxDepth: 10)))
        assertError("edgetest.Tree", wire, .tooDeep, path: "left.left.left.left.left.left.left.left.left.left", options: JSONPrintOptions(maxDepth: 9))
    }

    func testDeepRecursionInStructIsBounded() {
        var value = Wire.varint(4, 1)
        for _ in 0..<300 { value = Wire.ld(6, Wire.ld(1, value)) }
        XCTAssertThrowsError(try json("edgetest.WellKnown", Wire.ld(6, value))) { error in
            XCTAssertEqual((error as? TranscodeError)?.kind, .tooDeep)
        }
    }

    func testUnknownMessageType() {
        XCTAssertThrowsError(try json("edgetest.Nope", []))
    }

    func testNeverCrashesOnMutatedInput() throws {
        let converter = try WireToJSONTestSupport.converter()
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            seed &+= 0x9E37_79B9_7F4A_7C15
            var z = seed
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let seeds: [(String, [UInt8])] = [
            ("edgetest.Everything", WireToJSONTestSupport.bytes(hex: everythingHex)),
            ("edgetest.Maps", Wire.ld(13, Wire.string(1, "k") + Wire.ld(2, Wire.int(5, 1))) + Wire.ld(11, Wire.varint(1, 1))),
            ("edgetest.WellKnown", Wire.ld(5, Wire.ld(1, Wire.string(1, "k") + Wire.ld(2, Wire.ld(6, Wire.ld(1, Wire.varint(4, 1))))))),
        ]
        var outcomes = (ok: 0, failed: 0)
        for (type, original) in seeds {
            for _ in 0..<1500 {
                var wire = original
                for _ in 0..<(1 + Int(next() % 4)) {
                    guard !wire.isEmpty else { break }
                    let i = Int(next() % UInt64(wire.count))
                    switch next() % 4 {
                    case 0: wire[i] = UInt8(truncatingIfNeeded: next())
                    case 1: wire.removeSubrange(i...)
                    case 2: wire.insert(UInt8(truncatingIfNeeded: next()), at: i)
                    default: wire[i] ^= 0x80
                    }
                }
                for options in [JSONPrintOptions.defaults, JSONPrintOptions(emitUnpopulated: true, enumsAsInts: true)] {
                    do {
                        let out = try converter.convert(wire, messageType: type, options: options)
                        if case .invalid = WireToJSONTestSupport.parse(String(decoding: out, as: UTF8.self)) {
                            XCTFail("invalid JSON for \(wire): \(String(decoding: out, as: UTF8.self))")
                        }
                        outcomes.ok += 1
                    } catch is TranscodeError {
                        outcomes.failed += 1
                    }
                }
            }
        }
        XCTAssertGreaterThan(outcomes.ok, 100)
        XCTAssertGreaterThan(outcomes.failed, 100)
    }

    func testMapEntryUnknownFieldsAreSkipped() throws {
        // protobuf (C++, Go) keeps such an entry; Python's upb drops it.
        let entry = Wire.varint(1, 1) + Wire.varint(3, 9) + Wire.string(2, "a")
        XCTAssertEqual(try json("edgetest.Maps", Wire.ld(1, entry)), #"{"mInt32":{"1":"a"}}"#)
    }

    func testGroupsSparseFieldNumbersAndSparseEnums() throws {
        func field(_ name: String, _ number: Int32, _ type: FieldType, _ typeName: String? = nil) -> FieldSchema {
            FieldSchema(
                name: name, jsonName: name, number: number, type: type, cardinality: .optional, typeName: typeName,
                oneofIndex: nil, isProto3Optional: false, hasPresence: true, isPacked: false, defaultValue: nil,
                mapEntryTypeName: nil)
        }
        let item = MessageSchema(fullName: "t.G.Item", fields: [field("a", 2, .int32)], oneofs: [], isMapEntry: false, syntax: .proto2, file: "t.proto")
        let g = MessageSchema(
            fullName: "t.G",
            fields: [field("far", 100_000, .int32), field("item", 1, .group, "t.G.Item"), field("e", 3, .enum, "t.E")],
            oneofs: [], isMapEntry: false, syntax: .proto2, file: "t.proto")
        let e = EnumSchema(
            fullName: "t.E", values: [.init(name: "ZERO", number: 0), .init(name: "NEG", number: -1000), .init(name: "BIG", number: 5000)],
            isClosed: false, file: "t.proto")
        let schema = Schema(messages: ["t.G": g, "t.G.Item": item], enums: ["t.E": e], services: [:], files: ["t.proto"])
        let converter = WireToJSON(schema: schema)
        let wire = Wire.varint(100_000, 7) + Wire.tag(1, 3) + Wire.varint(2, 5) + Wire.varint(9, 1) + Wire.tag(1, 4) + Wire.varint(3, 5000)
        XCTAssertEqual(String(decoding: try converter.convert(wire, messageType: "t.G"), as: UTF8.self), #"{"item":{"a":5},"e":"BIG","far":7}"#)
        let negative = Wire.int(3, -1000) + Wire.int(3, 4999)
        XCTAssertEqual(String(decoding: try converter.convert(negative, messageType: "t.G"), as: UTF8.self), #"{"e":4999}"#)
        XCTAssertEqual(String(decoding: try converter.convert(Wire.int(3, -1000), messageType: "t.G"), as: UTF8.self), #"{"e":"NEG"}"#)
        XCTAssertThrowsError(try converter.convert(Wire.tag(1, 3) + Wire.varint(2, 5) + Wire.tag(2, 4), messageType: "t.G")) { error in
            XCTAssertEqual((error as? TranscodeError)?.kind, .malformedWire)
        }
    }

    // MARK: convertField

    func testConvertFieldRepeated() throws {
        XCTAssertEqual(try field("edgetest.Repeated", 5, [0x2A, 0x02, 0x01, 0x02]), "[1,2]")
        XCTAssertEqual(try field("edgetest.Repeated", 5, []), "null")
        XCTAssertEqual(try field("edgetest.Repeated", 5, [], JSONPrintOptions(emitUnpopulated: true)), "[]")
        XCTAssertEqual(try field("edgetest.Repeated", 17, Wire.ld(17, Wire.int(5, 3)) + Wire.ld(17, [])), #"[{"fInt32":3},{}]"#)
    }

    func testConvertFieldMap() throws {
        XCTAssertEqual(try field("edgetest.Maps", 12, Wire.ld(12, Wire.string(1, "a") + Wire.string(2, "b"))), #"{"a":"b"}"#)
        XCTAssertEqual(try field("edgetest.Maps", 12, []), "{}")
    }

    func testConvertFieldScalars() throws {
        XCTAssertEqual(try field("edgetest.Scalars", 9, Wire.string(9, "x") + Wire.int(5, 1)), #""x""#)
        XCTAssertEqual(try field("edgetest.Scalars", 9, Wire.int(5, 1)), #""""#)
        XCTAssertEqual(try field("edgetest.Scalars", 3, Wire.int(3, 5)), #""5""#)
        XCTAssertEqual(try field("edgetest.Scalars", 3, []), #""0""#)
        XCTAssertEqual(try field("edgetest.Scalars", 5, []), "0")
        XCTAssertEqual(try field("edgetest.Scalars", 8, []), "false")
        XCTAssertEqual(try field("edgetest.Scalars", 12, []), #""COLOR_UNSPECIFIED""#)
        XCTAssertEqual(try field("edgetest.Scalars", 12, [], JSONPrintOptions(enumsAsInts: true)), "0")
    }

    func testConvertFieldMessage() throws {
        XCTAssertEqual(try field("edgetest.Everything", 1, Wire.ld(1, Wire.int(5, 2)) + Wire.ld(1, Wire.varint(8, 1))), #"{"fInt32":2,"fBool":true}"#)
        XCTAssertEqual(try field("edgetest.Everything", 1, []), "{}")
        XCTAssertEqual(try field("edgetest.WellKnown", 2, []), #""1970-01-01T00:00:00Z""#)
        XCTAssertEqual(try field("edgetest.WellKnown", 6, []), "null")
        XCTAssertEqual(try field("edgetest.WellKnown", 14, Wire.ld(14, Wire.int(1, 9))), "9")
    }

    func testConvertFieldErrors() throws {
        XCTAssertThrowsError(try field("edgetest.Scalars", 99, [])) { error in
            XCTAssertEqual((error as? TranscodeError)?.kind, .unknownField)
        }
        XCTAssertThrowsError(try field("edgetest.Repeated", 17, Wire.ld(17, Wire.ld(9, [0xFF])))) { error in
            XCTAssertEqual((error as? TranscodeError)?.kind, .invalidUTF8)
            XCTAssertEqual((error as? TranscodeError)?.path, "rMessage[0].fString")
        }
    }
}

private let everythingHex =
    "0a02280112034a01781a021800220862060a01611201622a02580032041a0208013a030a017442031201724a02080752025200"
