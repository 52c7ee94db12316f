import DescriptorLoader
import XCTest

@testable import Transcoder

/// Every input a fuzz target (Fuzz/, scripts/fuzz.sh) found breaking a property, kept as a
/// regular test with the input as found. See docs/fuzzing.md for the campaign.
final class FuzzFindingsTests: XCTestCase, JSONToWireTesting {
    private let printer = WireToJSON(schema: JSONToWireFixture.schema)

    /// FuzzWireToJSON, 2026-12-06: an Any whose type URL has no "/" ("edgetest.Maps.MSfixed32Entry")
    /// prints as `{"wAny":{"@type":"edgetest.Maps.MSfixed32Entry"}}` (as Python's json_format
    /// does: WireToJSONTests.testAnyTypeURLWithoutSlashPrintsAsPython and the differential test
    /// want that), but the JSON reader refuses that JSON (it needs the "/", as protobuf's C++
    /// reader does; Python's and Go's readers accept it). So printed JSON does not read back.
    /// Open, for the transcoder's owners to settle (accept it on read, as the reference does, or
    /// refuse it on print); this test pins the current behaviour of both sides, and the fuzz
    /// target tolerates exactly this refusal until then.
    func testAnyTypeURLWithoutSlashPrintsButDoesNotReadBack() throws {
        // WellKnown.w_any = Any{type_url: "edgetest.Maps.MSfixed32Entry", value: 08 05}
        let wire: [UInt8] = [0x0A, 0x22, 0x0A, 0x1C] + Array("edgetest.Maps.MSfixed32Entry".utf8) + [0x12, 0x02, 0x08, 0x05]
        let json = try printer.convert(wire, messageType: "edgetest.WellKnown")
        XCTAssertEqual(String(decoding: json, as: UTF8.self), #"{"wAny":{"@type":"edgetest.Maps.MSfixed32Entry"}}"#)
        assertFails("edgetest.WellKnown", #"{"wAny":{"@type":"edgetest.Maps.MSfixed32Entry"}}"#, .invalidValue, path: "wAny.@type")
        // With the "/", both directions work.
        let good: [UInt8] = [0x0A, 0x23, 0x0A, 0x1D] + Array("/edgetest.Maps.MSfixed32Entry".utf8) + [0x12, 0x02, 0x08, 0x05]
        let printed = try printer.convert(good, messageType: "edgetest.WellKnown")
        XCTAssertNoThrow(try convert("edgetest.WellKnown", String(decoding: printed, as: UTF8.self)))
    }

    /// FuzzWireToJSON, 2026-12-06 (19 inputs, all this one case): a NullValue field holding a
    /// number other than 0 (unknown to the enum) prints as `null`, as protobuf's json_format
    /// does, and `null` reads back as the default (absent), so the first round trip changes the
    /// message. Not a defect of the transcoder (the JSON mapping cannot carry that number); the
    /// target now requires a fixed point from the second round, which this pins down.
    func testNullValueWithAnUnknownNumberPrintsNullThenSettles() throws {
        let wire: [UInt8] = [0x40, 0x08]  // WellKnown.w_null_value (field 8) = 8
        let json = try printer.convert(wire, messageType: "edgetest.WellKnown")
        XCTAssertEqual(String(decoding: json, as: UTF8.self), #"{"wNullValue":null}"#)
        let back = try convert("edgetest.WellKnown", String(decoding: json, as: UTF8.self))
        XCTAssertEqual(back, [])
        let again = try printer.convert(back, messageType: "edgetest.WellKnown")
        XCTAssertEqual(String(decoding: again, as: UTF8.self), "{}")
        XCTAssertEqual(try convert("edgetest.WellKnown", "{}"), back)
    }
}
