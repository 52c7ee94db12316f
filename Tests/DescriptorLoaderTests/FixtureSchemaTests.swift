import XCTest
@testable import DescriptorLoader

/// The shared fixture descriptor set (Tests/Fixtures/edgetest.protoset) resolves.
final class FixtureSchemaTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    func testLoadsTestTypes() throws {
        let schema = try SchemaLoader.load(sources: [Self.fixtures.appendingPathComponent("edgetest.protoset").path])
        let scalars = try XCTUnwrap(schema.message("edgetest.Scalars"))
        XCTAssertEqual(scalars.fields.count, 16)
        XCTAssertEqual(scalars.field(number: 3)?.jsonName, "fInt64")
        let maps = try XCTUnwrap(schema.message("edgetest.Maps"))
        XCTAssertEqual(maps.field(named: "m_bool")?.mapEntryTypeName, "edgetest.Maps.MBoolEntry")
        let custom = try XCTUnwrap(schema.message("edgetest.CustomNames"))
        XCTAssertEqual(custom.field(named: "renamed")?.jsonName, "customJson")
        let optionals = try XCTUnwrap(schema.message("edgetest.Optionals"))
        XCTAssertTrue(optionals.fields.allSatisfy { $0.hasPresence && $0.oneofIndex == nil })
        XCTAssertEqual(optionals.oneofs, [])
        let oneofs = try XCTUnwrap(schema.message("edgetest.Oneofs"))
        XCTAssertEqual(oneofs.oneofs, ["choice", "second"])
        let legacy = try XCTUnwrap(schema.message("edgetest.legacy.Legacy"))
        XCTAssertEqual(legacy.syntax, .proto2)
        XCTAssertEqual(legacy.field(named: "count")?.defaultValue, "7")
        XCTAssertFalse(legacy.field(named: "values")!.isPacked)
        XCTAssertTrue(legacy.field(named: "packed_values")!.isPacked)
        XCTAssertTrue(try XCTUnwrap(schema.enumType("edgetest.legacy.Level")).isClosed)
        XCTAssertEqual(schema.message("google.protobuf.Timestamp")?.wellKnownType, .timestamp)
    }
}
