import DescriptorLoader
import XCTest

@testable import Transcoder

/// Proto2 extensions (`Tests/Fixtures/protos/edgetest/legacy.proto`): ProtoJSON
/// names them by their bracketed full name, both ways, inside `Any` too, and
/// query parameters may name them. Expected bytes and text are what Python's
/// json_format gives for the same schema.
final class ExtensionTests: XCTestCase, JSONToWireTesting {
    typealias F = RouteFixtures
    let legacy = "edgetest.legacy.Legacy"

    private func json(_ type: String, _ wire: [UInt8]) throws -> String {
        String(decoding: try WireToJSONTestSupport.converter().convert(wire, messageType: type, options: .defaults), as: UTF8.self)
    }

    func testSchemaListsExtensionsAsFieldsOfTheExtendedMessage() throws {
        let message = try XCTUnwrap(JSONToWireFixture.schema.message(legacy))
        let ext = try XCTUnwrap(message.field(number: 100))
        XCTAssertTrue(ext.isExtension)
        XCTAssertEqual(ext.name, "[edgetest.legacy.ext_count]")
        XCTAssertEqual(ext.jsonName, "[edgetest.legacy.ext_count]")
        XCTAssertTrue(ext.hasPresence)
        XCTAssertEqual(message.field(number: 110)?.name, "[edgetest.legacy.Holder.ext_flag]")
        XCTAssertEqual(message.field(number: 103)?.typeName, "edgetest.legacy.Legacy.Inner")
        XCTAssertEqual(message.field(named: "[edgetest.legacy.ext_level]")?.typeName, "edgetest.legacy.Level")
        XCTAssertFalse(try XCTUnwrap(message.field(number: 1)).isExtension)
    }

    func testJSONToWireWritesExtensions() throws {
        try assertWire(legacy, #"{"[edgetest.legacy.ext_count]": 1}"#, "a00601")
        try assertWire(legacy, #"{"[edgetest.legacy.Holder.ext_flag]": true}"#, "f00601")
        try assertWire(legacy, #"{"[edgetest.legacy.ext_values]": [1, 2]}"#, "b00601b00602")
        try assertWire(legacy, #"{"[edgetest.legacy.ext_inner]": {"key": "k"}}"#, "ba06030a016b")
        try assertWire(legacy, #"{"[edgetest.legacy.ext_level]": "LEVEL_LOW"}"#, "c00601")
        // An extension set to its default is still written (extensions have presence).
        try assertWire(legacy, #"{"count": 2, "[edgetest.legacy.ext_count]": 0}"#, "0802a00600")
        try assertWire(
            legacy, #"{"[edgetest.legacy.Holder.ext_holders]": [{"note": "a"}, {}]}"#, "fa06030a0161fa0600")
    }

    func testJSONToWireRejectsUnknownAndDuplicateExtensions() throws {
        assertFails(legacy, #"{"[edgetest.legacy.nope]": 1}"#, .unknownField, path: "[edgetest.legacy.nope]")
        assertFails(legacy, #"{"[ext_count]": 1}"#, .unknownField, path: "[ext_count]")
        assertFails(legacy, #"{"[edgetest.legacy.ext_count]": "x"}"#, .invalidValue, path: "[edgetest.legacy.ext_count]")
        try assertWire(legacy, #"{"[edgetest.legacy.nope]": 1}"#, "", ignoreUnknown: true)
    }

    func testWireToJSONPrintsExtensionsByBracketedName() throws {
        XCTAssertEqual(try json(legacy, [0xa0, 0x06, 0x01]), #"{"[edgetest.legacy.ext_count]":1}"#)
        XCTAssertEqual(
            try json(legacy, Wire.int(1, 3) + Wire.varint(110, 1) + Wire.ld(103, Wire.string(1, "k"))),
            #"{"count":3,"[edgetest.legacy.ext_inner]":{"key":"k"},"[edgetest.legacy.Holder.ext_flag]":true}"#)
        XCTAssertEqual(
            try json(legacy, Wire.int(102, 1) + Wire.int(102, 2) + Wire.int(104, 2)),
            #"{"[edgetest.legacy.ext_values]":[1,2],"[edgetest.legacy.ext_level]":"LEVEL_HIGH"}"#)
    }

    func testExtensionsInsideAny() throws {
        let payload = Wire.string(1, "type.googleapis.com/edgetest.legacy.Legacy") + Wire.ld(2, Wire.int(100, 5))
        let wire = Wire.ld(1, payload)
        let text = #"{"wAny":{"@type":"type.googleapis.com/edgetest.legacy.Legacy","[edgetest.legacy.ext_count]":5}}"#
        XCTAssertEqual(try json("edgetest.WellKnown", wire), text)
        XCTAssertEqual(try convert("edgetest.WellKnown", text), wire)
    }

    func testQueryParametersNameExtensions() throws {
        let table = try F.table([F.rule("GET", "/x")], input: legacy, options: .init(defaultRoutes: false))
        let match = table.match(method: "GET", path: "/x", query: "%5Bedgetest.legacy.ext_count%5D=5&[edgetest.legacy.ext_values]=1")
        XCTAssertEqual(match.json, #"{"[edgetest.legacy.ext_count]":"5","[edgetest.legacy.ext_values]":["1"]}"#, match.summary)
        let nested = try F.table([F.rule("GET", "/x")], input: "edgetest.Everything", options: .init(defaultRoutes: false))
        let inner = nested.match(method: "GET", path: "/x", query: "legacy.[edgetest.legacy.Holder.ext_flag]=true")
        XCTAssertEqual(inner.json, #"{"legacy":{"[edgetest.legacy.Holder.ext_flag]":true}}"#, inner.summary)
        let unknown = table.match(method: "GET", path: "/x", query: "[edgetest.legacy.nope]=1")
        XCTAssertEqual(unknown.error?.kind, .badBinding, unknown.summary)
        XCTAssertTrue(unknown.error?.message.contains("'[edgetest.legacy.nope]' is not a field") ?? false, unknown.summary)
    }
}

/// The conformance suite's `Recommended.Proto2.JsonInput.FieldNameExtension`
/// case, on its own message (`Tests/Fixtures/protos/conformance`).
final class ConformanceExtensionTests: XCTestCase {
    func testFieldNameExtensionBothWays() throws {
        let schema = try RouteFixtures.compile("conformance/test_messages_proto2.proto")
        let type = "protobuf_test_messages.proto2.TestAllTypesProto2"
        let wire = try JSONToWire(schema: schema).convert(
            Array(#"{"[protobuf_test_messages.proto2.extension_int32]": 1}"#.utf8), messageType: type, options: .defaults)
        XCTAssertEqual(wire, [0xc0, 0x07, 0x01])
        let json = try WireToJSON(schema: schema).convert([0xc0, 0x07, 0x01], messageType: type, options: .defaults)
        XCTAssertEqual(String(decoding: json, as: UTF8.self), #"{"[protobuf_test_messages.proto2.extension_int32]":1}"#)
    }
}
