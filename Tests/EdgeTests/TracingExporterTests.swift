import Foundation
import NIOCore
import NIOPosix
import XCTest

@testable import Edge
@testable import EdgeConfig
@testable import EdgePolicy

/// ``SpanExporter`` against a real OTLP/HTTP receiver (`Tests/otlp/receiver.py`, the reference
/// opentelemetry-proto messages): what arrives, and what happens when the collector is slow or away.
/// No timing assertions: waits are bounded polls.
final class TracingExporterTests: XCTestCase {
    private var loops: MultiThreadedEventLoopGroup!

    override func setUp() {
        loops = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    }

    override func tearDown() {
        try? loops.syncShutdownGracefully()
    }

    private var servingLoops: [any EventLoop] { Array(loops.makeIterator()) }

    private func settings(_ endpoint: String, _ change: (inout TracingExportSettings) -> Void = { _ in }) throws -> TracingExportSettings {
        var settings = try TracingExportSettings(otlpEndpoint: endpoint, serviceName: "edge-test")
        settings.flushInterval = .milliseconds(50)
        settings.retryDelay = .milliseconds(100)
        settings.shutdownTimeout = .seconds(30)
        change(&settings)
        return settings
    }

    private func span(_ spanID: UInt64, name: String = "GET /v1/shelves/{shelf}") -> SpanRecord {
        SpanRecord(traceID: TraceID(high: 0xAB, low: spanID), spanID: spanID, name: name, kind: .server,
                   startUnixNano: 1_000, endUnixNano: 2_000, attributes: [("n", .int(Int64(spanID)))])
    }

    /// Exports `spans` from inside a task on `loop`, as the server does.
    private func export(_ spans: [SpanRecord], with exporter: SpanExporter, on loop: any EventLoop) throws {
        try loop.submit { for span in spans { exporter.export(span, on: loop) } }.wait()
    }

    private func waitUntil(_ what: String, timeout: TimeInterval = 30, _ condition: () throws -> Bool) rethrows {
        let end = Date().addingTimeInterval(timeout)
        while try !condition() {
            if Date() > end {
                XCTFail("gave up waiting until \(what)")
                return
            }
            usleep(10_000)
        }
    }

    func testSpansArriveWithTheirIdsNamesKindsAttributesEventsAndStatus() throws {
        let receiver = try OTLPTestReceiver()
        defer { receiver.stop() }
        let exporter = SpanExporter(settings: try settings(receiver.endpoint), eventLoops: servingLoops)
        let traceID = TraceID(high: 0x4bf9_2f35_77b3_4da6, low: 0xa3ce_929d_0e0e_4736)
        let long = String(repeating: "x", count: 200)  // a 2-byte length inside a 1-byte guess
        let huge = String(repeating: "y", count: 20_000)  // a 3-byte length
        let server = SpanRecord(
            traceID: traceID, spanID: 0x1111_2222_3333_4444, parentSpanID: 0x00f0_67aa_0ba9_02b7,
            name: "POST /v1/shelves/{shelf}/books", kind: .server,
            startUnixNano: 1_700_000_000_123_456_789, endUnixNano: 1_700_000_000_223_456_789,
            attributes: [
                ("http.request.method", "POST"), ("http.route", "/v1/shelves/{shelf}/books"),
                ("http.response.status_code", 503), ("server.port", .int(-1)), ("sampling.ratio", 0.25),
                ("error", true), ("long", .string(long)), ("huge", .string(huge)), ("unicode", "héllo ✓"),
            ],
            events: [
                SpanEvent(name: "exception", timeUnixNano: 1_700_000_000_200_000_000,
                          attributes: [("exception.type", "UNAVAILABLE"), ("attempt", 2)]),
                SpanEvent(name: "retry", timeUnixNano: 1_700_000_000_210_000_000),
            ],
            status: .error(message: "upstream unavailable"), traceState: "rojo=00f067aa0ba902b7")
        let client = SpanRecord(
            traceID: traceID, spanID: 0x5555_6666_7777_8888, parentSpanID: server.spanID,
            name: "bookstore.Bookstore/CreateBook", kind: .client,
            startUnixNano: 1_700_000_000_130_000_000, endUnixNano: 1_700_000_000_220_000_000,
            attributes: [("rpc.system", "grpc"), ("rpc.grpc.status_code", 14)], status: .ok)
        let root = SpanRecord(
            traceID: TraceID(high: 0, low: 1), spanID: 1, name: "GET /", kind: .server,
            startUnixNano: 5, endUnixNano: 6)

        let (first, second) = (servingLoops[0], servingLoops[1])
        try export([server], with: exporter, on: first)
        try export([client, root], with: exporter, on: second)

        let received = try receiver.waitForSpans(3)
        XCTAssertEqual(received.count, 3)
        let byName = Dictionary(uniqueKeysWithValues: received.map { ($0["name"] as? String ?? "", $0) })

        let serverJSON = try XCTUnwrap(byName["POST /v1/shelves/{shelf}/books"])
        XCTAssertEqual(serverJSON["trace_id"] as? String, "4bf92f3577b34da6a3ce929d0e0e4736")
        XCTAssertEqual(serverJSON["span_id"] as? String, "1111222233334444")
        XCTAssertEqual(serverJSON["parent_span_id"] as? String, "00f067aa0ba902b7")
        XCTAssertEqual(serverJSON["trace_state"] as? String, "rojo=00f067aa0ba902b7")
        XCTAssertEqual(serverJSON["kind"] as? String, "SPAN_KIND_SERVER")
        XCTAssertEqual((serverJSON["start_time_unix_nano"] as? NSNumber)?.uint64Value, 1_700_000_000_123_456_789)
        XCTAssertEqual((serverJSON["end_time_unix_nano"] as? NSNumber)?.uint64Value, 1_700_000_000_223_456_789)
        let attributes = try XCTUnwrap(serverJSON["attributes"] as? [String: Any])
        XCTAssertEqual(attributes.count, 9)
        XCTAssertEqual(attributes["http.request.method"] as? String, "POST")
        XCTAssertEqual(attributes["http.route"] as? String, "/v1/shelves/{shelf}/books")
        XCTAssertEqual((attributes["http.response.status_code"] as? NSNumber)?.int64Value, 503)
        XCTAssertEqual((attributes["server.port"] as? NSNumber)?.int64Value, -1)
        XCTAssertEqual((attributes["sampling.ratio"] as? NSNumber)?.doubleValue, 0.25)
        XCTAssertEqual(attributes["error"] as? Bool, true)
        XCTAssertEqual(attributes["long"] as? String, long)
        XCTAssertEqual(attributes["huge"] as? String, huge)
        XCTAssertEqual(attributes["unicode"] as? String, "héllo ✓")
        let events = try XCTUnwrap(serverJSON["events"] as? [[String: Any]])
        XCTAssertEqual(events.map { $0["name"] as? String }, ["exception", "retry"])
        XCTAssertEqual((events[0]["time_unix_nano"] as? NSNumber)?.uint64Value, 1_700_000_000_200_000_000)
        let eventAttributes = try XCTUnwrap(events[0]["attributes"] as? [String: Any])
        XCTAssertEqual(eventAttributes["exception.type"] as? String, "UNAVAILABLE")
        XCTAssertEqual((eventAttributes["attempt"] as? NSNumber)?.int64Value, 2)
        XCTAssertEqual((events[1]["attributes"] as? [String: Any])?.count, 0)
        XCTAssertEqual(serverJSON["status"] as? [String: String], ["code": "STATUS_CODE_ERROR", "message": "upstream unavailable"])
        XCTAssertEqual(serverJSON["resource"] as? [String: String], ["service.name": "edge-test"])
        XCTAssertEqual(serverJSON["scope"] as? String, "edge")

        let clientJSON = try XCTUnwrap(byName["bookstore.Bookstore/CreateBook"])
        XCTAssertEqual(clientJSON["kind"] as? String, "SPAN_KIND_CLIENT")
        XCTAssertEqual(clientJSON["span_id"] as? String, "5555666677778888")
        XCTAssertEqual(clientJSON["parent_span_id"] as? String, "1111222233334444")
        XCTAssertEqual(clientJSON["trace_state"] as? String, "")
        XCTAssertEqual(clientJSON["status"] as? [String: String], ["code": "STATUS_CODE_OK", "message": ""])
        XCTAssertEqual((clientJSON["attributes"] as? [String: Any])?["rpc.system"] as? String, "grpc")
        XCTAssertEqual(clientJSON["resource"] as? [String: String], ["service.name": "edge-test"])

        let rootJSON = try XCTUnwrap(byName["GET /"])
        XCTAssertEqual(rootJSON["trace_id"] as? String, "00000000000000000000000000000001")
        XCTAssertEqual(rootJSON["span_id"] as? String, "0000000000000001")
        XCTAssertEqual(rootJSON["parent_span_id"] as? String, "")
        XCTAssertEqual(rootJSON["status"] as? [String: String], ["code": "STATUS_CODE_UNSET", "message": ""])

        waitUntil("3 spans are counted exported") { exporter.spansExported == 3 }
        XCTAssertEqual(exporter.spansDropped, 0)
        XCTAssertEqual(exporter.exportFailures, 0)
        XCTAssertEqual(try receiver.stats()["content_types"] as? [String], ["application/x-protobuf"])
        XCTAssertEqual(try receiver.stats()["rejected"] as? Int, 0)
        try exporter.syncShutdown()
    }

    func testManySpansFromBothLoopsArriveInBatchesOverOneConnection() throws {
        let receiver = try OTLPTestReceiver()
        defer { receiver.stop() }
        let exporter = SpanExporter(settings: try settings(receiver.endpoint) { $0.maxBatchSpans = 100 }, eventLoops: servingLoops)
        try export((1...1_000).map { span($0) }, with: exporter, on: servingLoops[0])
        try export((1_001...1_550).map { span($0) }, with: exporter, on: servingLoops[1])
        let received = try receiver.waitForSpans(1_550)
        XCTAssertEqual(Set(received.compactMap { $0["span_id"] as? String }), Set((1...1_550).map { TraceHex.spanID($0) }))
        let requests = try XCTUnwrap(try receiver.stats()["requests"] as? Int)
        XCTAssertGreaterThanOrEqual(requests, 16)  // at most 100 spans a request
        XCTAssertLessThan(requests, 1_550)
        waitUntil("all are counted exported") { exporter.spansExported == 1_550 }
        try exporter.syncShutdown()
    }

    func testABatchLargerThanTheQueueKeepsWhatFitsAndCountsTheRestDropped() throws {
        let receiver = try OTLPTestReceiver()
        defer { receiver.stop() }
        let exporter = SpanExporter(
            settings: try settings(receiver.endpoint) {
                $0.maxBatchSpans = 1_000
                $0.maxQueueSpans = 300
                $0.flushInterval = .seconds(60)
            }, eventLoops: servingLoops)
        try export((1...1_000).map { span($0) }, with: exporter, on: servingLoops[0])  // one hand-over of 1000
        let received = try receiver.waitForSpans(300)
        XCTAssertEqual(received.compactMap { $0["span_id"] as? String }, (1...300).map { TraceHex.spanID($0) })
        waitUntil("300 are counted exported") { exporter.spansExported == 300 }
        XCTAssertEqual(exporter.spansDropped, 700)
        XCTAssertEqual(exporter.exportFailures, 0)
        try exporter.syncShutdown()
    }

    func testAStalledCollectorCostsDroppedSpansNotServing() throws {
        let receiver = try OTLPTestReceiver()
        defer { receiver.stop() }
        try receiver.control(delayMilliseconds: 3_000)
        let exporter = SpanExporter(
            settings: try settings(receiver.endpoint) {
                $0.maxBatchSpans = 10
                $0.maxQueueSpans = 20
                $0.flushInterval = .seconds(60)
            }, eventLoops: servingLoops)
        // 10 hand-overs: one request in flight (stalled), 2 batches queued, the rest dropped.
        try export((1...100).map { span($0) }, with: exporter, on: servingLoops[0])
        waitUntil("70 spans are dropped") { exporter.spansDropped >= 70 }
        XCTAssertEqual(try receiver.spanCount(), 0, "the drops happened while the collector was still stalled")
        try receiver.control(delayMilliseconds: 0)
        try exporter.syncShutdown()  // sends what is queued
        XCTAssertEqual(exporter.spansExported + exporter.spansDropped, 100)
        XCTAssertEqual(try receiver.spanCount(), exporter.spansExported)
        XCTAssertGreaterThanOrEqual(exporter.spansExported, 30)
    }

    func testCollectorAwayCountsFailuresAndDropsThenExportResumesWhenItIsBack() throws {
        let first = try OTLPTestReceiver()
        let port = first.port
        first.stop()  // nothing listens on `port` now
        let exporter = SpanExporter(settings: try settings("http://127.0.0.1:\(port)"), eventLoops: servingLoops)
        try export((1...50).map { span($0) }, with: exporter, on: servingLoops[0])
        try export((51...100).map { span($0) }, with: exporter, on: servingLoops[1])
        waitUntil("the 100 spans are counted dropped") { exporter.spansDropped == 100 }
        XCTAssertGreaterThanOrEqual(exporter.exportFailures, 1)
        XCTAssertEqual(exporter.spansExported, 0)

        let back = try OTLPTestReceiver(port: port)
        defer { back.stop() }
        // Keep exporting until the retry delay has passed and a request reaches the new receiver.
        var next: UInt64 = 101
        try waitUntil("spans reach the receiver that came back") {
            try export([span(next)], with: exporter, on: servingLoops[0])
            next += 1
            usleep(20_000)
            return try back.spanCount() > 0
        }
        try waitUntil("what reached it is counted exported") { try exporter.spansExported == back.spanCount() }
        // Spans exported since may still be queued: after the flush, every one is counted once.
        try exporter.syncShutdown()
        XCTAssertEqual(exporter.spansExported + exporter.spansDropped, Int(next) - 1)
    }

    func testRejectingCollectorCountsFailures() throws {
        let receiver = try OTLPTestReceiver()
        defer { receiver.stop() }
        try receiver.control(status: 503)
        let exporter = SpanExporter(settings: try settings(receiver.endpoint), eventLoops: servingLoops)
        try export((1...5).map { span($0) }, with: exporter, on: servingLoops[0])
        waitUntil("the request is refused and its spans dropped") { exporter.spansDropped == 5 }
        XCTAssertEqual(exporter.exportFailures, 1)
        XCTAssertEqual(try receiver.stats()["rejected"] as? Int, 1)
        try exporter.syncShutdown()
    }

    func testShutdownSendsBufferedSpansThenDropsLaterOnes() throws {
        let receiver = try OTLPTestReceiver()
        defer { receiver.stop() }
        let exporter = SpanExporter(
            settings: try settings(receiver.endpoint) { $0.flushInterval = .seconds(60) }, eventLoops: servingLoops,
            group: loops)  // the serving group itself is allowed too
        try export((1...5).map { span($0) }, with: exporter, on: servingLoops[0])
        try export((6...7).map { span($0) }, with: exporter, on: servingLoops[1])
        XCTAssertEqual(try receiver.spanCount(), 0, "still buffered: the interval is a minute")
        try exporter.shutdown().wait()
        XCTAssertEqual(try receiver.spanCount(), 7)
        XCTAssertEqual(exporter.spansExported, 7)
        try export([span(8)], with: exporter, on: servingLoops[0])
        try export([span(9)], with: exporter, on: servingLoops[0])  // its buffer is handed over at the interval...
        try exporter.shutdown().wait()  // ...or at a second shutdown, which drops it: the exporter is closed
        XCTAssertEqual(exporter.spansDropped, 2)
        XCTAssertEqual(try receiver.spanCount(), 7)
    }

    func testSpansFromAnUnregisteredLoopAreExportedToo() throws {
        let receiver = try OTLPTestReceiver()
        defer { receiver.stop() }
        let exporter = SpanExporter(settings: try settings(receiver.endpoint), eventLoops: [servingLoops[0]])
        try export([span(1)], with: exporter, on: servingLoops[1])
        XCTAssertEqual(try receiver.waitForSpans(1).count, 1)
        try exporter.syncShutdown()
    }
}
