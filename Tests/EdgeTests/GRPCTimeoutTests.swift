import NIOCore
import XCTest

@testable import Edge
@testable import EdgeUpstream

final class GRPCTimeoutTests: XCTestCase {
    func testPicksSmallestUnitThatFitsEightDigits() {
        XCTAssertEqual(GRPCTimeout.encode(.nanoseconds(1)), "1n")
        XCTAssertEqual(GRPCTimeout.encode(.nanoseconds(99_999_999)), "99999999n")
        XCTAssertEqual(GRPCTimeout.encode(.milliseconds(100)), "100000u")
        XCTAssertEqual(GRPCTimeout.encode(.seconds(5)), "5000000u")
        XCTAssertEqual(GRPCTimeout.encode(.seconds(100)), "100000m")
        XCTAssertEqual(GRPCTimeout.encode(.seconds(200_000)), "200000S")
        XCTAssertEqual(GRPCTimeout.encode(.hours(10_000)), "36000000S")
        XCTAssertEqual(GRPCTimeout.encode(.hours(100_000)), "6000000M")
        XCTAssertEqual(GRPCTimeout.encode(.hours(2_000_000)), "2000000H")
    }

    func testRoundsUpSoTheServerNeverGetsLess() {
        XCTAssertEqual(GRPCTimeout.encode(.nanoseconds(100_000_001)), "100001u")
        XCTAssertEqual(GRPCTimeout.encode(.nanoseconds(100_000_000_001)), "100001m")
    }

    func testNonPositiveIsOneNanosecond() {
        XCTAssertEqual(GRPCTimeout.encode(.zero), "1n")
        XCTAssertEqual(GRPCTimeout.encode(.seconds(-3)), "1n")
    }

    func testAlwaysAtMostEightDigits() {
        for exponent in 0..<19 {
            var nanos: Int64 = 1
            for _ in 0..<exponent { nanos *= 10 }
            let value = GRPCTimeout.encode(.nanoseconds(nanos - 1 > 0 ? nanos - 1 : 1))
            XCTAssertLessThanOrEqual(value.count, 9, value)
        }
    }
}
