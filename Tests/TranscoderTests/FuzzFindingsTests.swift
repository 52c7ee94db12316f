import DescriptorLoader
import XCTest

@testable import Transcoder

/// Every input a fuzz target (Fuzz/, scripts/fuzz.sh) found breaking a property, kept as a
/// regular test with the input as found. See docs/fuzzing.md for the campaign.
final class FuzzFindingsTests: XCTestCase, JSONToWireTesting {
    private let printer = WireToJSON(schema: JSONToWireFixture.schema)

    /// FuzzWireToJSON, 2026-12-06: an Any whose type URL has no "/" ("edgetest.Maps.MSfixed32Entry")
    /// printed as `{"wAny":{"@type":"edgetest.Maps.MSfixed32Entry"}}`, which the JSON reader
    /// refuses (it needs the "/"), so printed JSON did not read back. The printer now refuses it too.
    func testAnyTypeURLWithoutSlashIsRefusedByThePrinterAsByTheReader() throws {
        // WellKnown.w_any = Any{type_url: "edgetest.Maps.MSfixed32Entry", value: 08 05}
        let wire: [UInt8] = [0x0A, 0x22, 0x0A, 0x1C] + Array("edgetest.Maps.MSfixed32Entry".utf8) + [0x12, 0x02, 0x08, 0x05]
        XCTAssertThrowsError(try printer.convert(wire, messageType: "edgetest.WellKnown")) { error in
            XCTAssertTrue("\(error)".contains("no \"/\""), "\(error)")
        }
        assertFails("edgetest.WellKnown", #"{"wAny":{"@type":"edgetest.Maps.MSfixed32Entry"}}"#, .invalidValue, path: "wAny.@type")
        // With the "/", both directions work.
        let good: [UInt8] = [0x0A, 0x23, 0x0A, 0x1D] + Array("/edgetest.Maps.MSfixed32Entry".utf8) + [0x12, 0x02, 0x08, 0x05]
        let json = try printer.convert(good, messageType: "edgetest.WellKnown")
        XCTAssertNoThrow(try convert("edgetest.WellKnown", String(decoding: json, as: UTF8.self)))
    }
}
