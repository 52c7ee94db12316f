import XCTest

@testable import Edge
@testable import EdgeConfig
@testable import EdgePolicy

/// The exporter's bounded queue, without sockets.
final class TracingExportQueueTests: XCTestCase {
    private func spans(_ count: Int, from first: UInt64 = 1) -> [SpanRecord] {
        (0..<UInt64(count)).map {
            SpanRecord(traceID: TraceID(high: 1, low: 1), spanID: first + $0, name: "s", kind: .server, startUnixNano: 1, endUnixNano: 2)
        }
    }

    func testBatchesQueueUpToTheBoundAndTheExcessIsRefused() {
        var queue = SpanExportQueue<[SpanRecord]>(maxSpans: 10)
        XCTAssertEqual(queue.append(spans(4)), 0)
        XCTAssertEqual(queue.append(spans(4, from: 5)), 0)
        XCTAssertEqual(queue.append(spans(4, from: 9)), 2)  // 9 and 10 fit, 11 and 12 do not
        XCTAssertEqual(queue.spanCount, 10)
        XCTAssertEqual(queue.append(spans(1, from: 13)), 1)
        let taken = queue.take(upTo: 100).flatMap { $0 }.map(\.spanID)
        XCTAssertEqual(taken, Array(1...10))
        XCTAssertTrue(queue.isEmpty)
    }

    func testABatchLargerThanTheQueueKeepsItsFirstSpans() {
        var queue = SpanExportQueue<[SpanRecord]>(maxSpans: 3)
        XCTAssertEqual(queue.append(spans(5)), 2)
        XCTAssertEqual(queue.take(upTo: 10).flatMap { $0 }.map(\.spanID), [1, 2, 3])
    }

    func testTakeStopsAtTheLimitOnBatchBoundariesAndSplitsOnlyAnOversizedFirstBatch() {
        var queue = SpanExportQueue<[SpanRecord]>(maxSpans: 100)
        _ = queue.append(spans(3))
        _ = queue.append(spans(3, from: 4))
        _ = queue.append(spans(9, from: 7))
        XCTAssertEqual(queue.take(upTo: 7).map { $0.map(\.spanID) }, [[1, 2, 3], [4, 5, 6]])
        XCTAssertEqual(queue.take(upTo: 4).map { $0.map(\.spanID) }, [[7, 8, 9, 10]])
        XCTAssertEqual(queue.spanCount, 5)
        XCTAssertEqual(queue.take(upTo: 100).map { $0.map(\.spanID) }, [[11, 12, 13, 14, 15]])
        XCTAssertTrue(queue.take(upTo: 100).isEmpty)
    }

    func testRemoveAllReportsWhatWasQueued() {
        var queue = SpanExportQueue<[SpanRecord]>(maxSpans: 100)
        _ = queue.append(spans(7))
        XCTAssertEqual(queue.removeAll(), 7)
        XCTAssertTrue(queue.isEmpty)
        XCTAssertEqual(queue.append([]), 0)
        XCTAssertTrue(queue.isEmpty)
    }

    func testEndpointSettings() throws {
        let settings = try TracingExportSettings(otlpEndpoint: "http://127.0.0.1:4318", serviceName: "edge")
        XCTAssertEqual(settings.host, "127.0.0.1")
        XCTAssertEqual(settings.port, 4318)
        XCTAssertEqual(settings.path, "/v1/traces")
        XCTAssertEqual(settings.hostHeader, "127.0.0.1:4318")
        let prefixed = try TracingExportSettings(otlpEndpoint: "http://collector/otlp/", serviceName: "edge")
        XCTAssertEqual(prefixed.port, 80)
        XCTAssertEqual(prefixed.path, "/otlp/v1/traces")
        XCTAssertEqual(prefixed.hostHeader, "collector")
        let v6 = try TracingExportSettings(otlpEndpoint: "http://[::1]:4318", serviceName: "edge")
        XCTAssertEqual(v6.host, "::1")
        XCTAssertEqual(v6.hostHeader, "[::1]:4318")
        for bad in ["127.0.0.1:4318", "https://c:4318", "http://", "http://:4318", "http://c:0", "http://c:70000", "http://c:x",
                    "http://u@c:1", "http://c:1/?q", "http://[::1:4318"] {
            XCTAssertThrowsError(try TracingExportSettings(otlpEndpoint: bad, serviceName: "edge"), bad) { error in
                XCTAssertTrue("\(error)".contains(bad), "\(error)")
            }
        }
        XCTAssertThrowsError(try TracingExportSettings(otlpEndpoint: "http://c:1", serviceName: ""))
    }
}
