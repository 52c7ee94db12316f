import XCTest

@testable import Edge
@testable import EdgePolicy

final class AccessLogSamplerTests: XCTestCase {
    private func written(sampling: Double, errorsOnly: Bool = false, successes: Int, errors: Int = 0) -> Int {
        var sampler = AccessLogSampler(sampling: sampling, errorsOnly: errorsOnly)
        var count = 0
        // Errors spread evenly among the successes (`errors` divides the total in these tests).
        let step = errors > 0 ? (successes + errors) / errors : 0
        for index in 0..<(successes + errors) {
            let isError = step > 0 && index % step == 0
            if sampler.admits(isError: isError) { count += 1 }
        }
        return count
    }

    func testEverythingByDefault() {
        XCTAssertEqual(written(sampling: 1, successes: 1000), 1000)
    }

    func testAFractionOfSuccessesExactly() {
        XCTAssertEqual(written(sampling: 0.25, successes: 1000), 250)
        XCTAssertEqual(written(sampling: 0.1, successes: 1000), 100)
        XCTAssertEqual(written(sampling: 0.01, successes: 100_000), 1000)
        XCTAssertEqual(written(sampling: 0, successes: 1000), 0)
    }

    func testEveryFourthWithAQuarter() {
        var sampler = AccessLogSampler(sampling: 0.25, errorsOnly: false)
        let pattern = (0..<8).map { _ in sampler.admits(isError: false) }
        XCTAssertEqual(pattern, [false, false, false, true, false, false, false, true])
    }

    func testErrorsAreNeverSampledAway() {
        XCTAssertEqual(written(sampling: 0, successes: 900, errors: 100), 100)
        XCTAssertEqual(written(sampling: 0.5, successes: 900, errors: 100), 100 + 450)
    }

    func testErrorsOnlyKeepsEveryErrorAndNothingElse() {
        XCTAssertEqual(written(sampling: 1, errorsOnly: true, successes: 900, errors: 100), 100)
        XCTAssertEqual(written(sampling: 1, errorsOnly: true, successes: 1000), 0)
    }

    func testWhatCountsAsAnError() {
        func record(status: Int, grpcCode: Int?) -> AccessLogRecord {
            AccessLogRecord(timeUnixNanos: 0, method: "GET", path: "/", status: status, grpcCode: grpcCode, durationNanos: 0)
        }
        XCTAssertFalse(record(status: 200, grpcCode: nil).isError)
        XCTAssertFalse(record(status: 200, grpcCode: 0).isError)
        XCTAssertFalse(record(status: 399, grpcCode: nil).isError)
        XCTAssertTrue(record(status: 400, grpcCode: nil).isError)
        XCTAssertTrue(record(status: 503, grpcCode: nil).isError)
        XCTAssertTrue(record(status: 200, grpcCode: 14).isError)  // a gRPC error in a 200 (streaming trailers)
    }
}
