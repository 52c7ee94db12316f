import XCTest

@testable import Edge
@testable import EdgeUpstream

final class GRPCMetadataCodingTests: XCTestCase {
    func testPercentDecoding() {
        XCTAssertEqual(GRPCMetadataCoding.percentDecode("plain"), "plain")
        XCTAssertEqual(GRPCMetadataCoding.percentDecode("100%25 wrong"), "100% wrong")
        XCTAssertEqual(GRPCMetadataCoding.percentDecode("caf%C3%A9 %E2%9C%97"), "café ✗")
        // Malformed escapes are kept, not dropped.
        XCTAssertEqual(GRPCMetadataCoding.percentDecode("50% off %zz %4"), "50% off %zz %4")
    }

    func testBase64PaddedAndUnpadded() {
        XCTAssertEqual(GRPCMetadataCoding.base64Decode("CAUSAXg="), [0x08, 0x05, 0x12, 0x01, 0x78])
        XCTAssertEqual(GRPCMetadataCoding.base64Decode("CAUSAXg"), [0x08, 0x05, 0x12, 0x01, 0x78])
        XCTAssertEqual(GRPCMetadataCoding.base64Decode("AA=="), [0])
        XCTAssertEqual(GRPCMetadataCoding.base64Decode("AA"), [0])
        XCTAssertEqual(GRPCMetadataCoding.base64Decode(""), [])
        XCTAssertEqual(GRPCMetadataCoding.base64Decode("+/8"), [0xFB, 0xFF])
        // gRPC's -bin values are standard base64: URL-safe text is refused, as Base64Check refuses it on the way in.
        XCTAssertNil(GRPCMetadataCoding.base64Decode("-_8"))
    }

    func testBase64Malformed() {
        XCTAssertNil(GRPCMetadataCoding.base64Decode("A"))
        XCTAssertNil(GRPCMetadataCoding.base64Decode("AA=A"))
        XCTAssertNil(GRPCMetadataCoding.base64Decode("A*AA"))
    }
}
