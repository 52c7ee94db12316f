import NIOCore
import NIOEmbedded
import XCTest

@testable import Edge
@testable import EdgeCore
@testable import EdgePolicy

/// `OTLPTraceEncoder`'s framing, read back with `ProtoWire.Reader` (no sockets; the field values
/// themselves are checked by the reference receiver in `TracingExporterTests`).
final class TracingEncoderTests: XCTestCase {
    private func fields(_ buffer: ByteBuffer) throws -> [(Int, ProtoWire.Value)] {
        var reader = ProtoWire.Reader(buffer)
        var result: [(Int, ProtoWire.Value)] = []
        while let field = try reader.next() { result.append(field) }
        return result
    }

    private func message(_ value: ProtoWire.Value) throws -> ByteBuffer {
        guard case .bytes(let bytes) = value else { throw ProtoWire.Malformed(reason: "not a message") }
        return bytes
    }

    private func string(_ value: ProtoWire.Value) throws -> String {
        String(buffer: try message(value))
    }

    /// Span sizes around every length-prefix size the encoder guesses: a span under 128 bytes (its
    /// 2-byte guess shrinks), attributes over 127 and 16383 bytes (their 1-byte guesses grow).
    func testNestedLengthsAreRightWhateverTheirSize() throws {
        let sizes = [0, 1, 60, 100, 127, 128, 200, 16_383, 16_384, 20_000, 2_100_000]
        let spans = sizes.enumerated().map { index, size in
            SpanRecord(
                traceID: TraceID(high: 1, low: 2), spanID: UInt64(index + 1), name: "s\(index)", kind: .client,
                startUnixNano: 1, endUnixNano: 2,
                attributes: size == 0 ? [] : [("a", .string(String(repeating: "z", count: size)))])
        }
        let request = OTLPTraceEncoder.encode(serviceName: "svc", spans: spans)
        let top = try fields(request)
        XCTAssertEqual(top.map(\.0), [1])  // one ResourceSpans
        let resourceSpans = try fields(try message(top[0].1))
        XCTAssertEqual(resourceSpans.map(\.0), [1, 2])  // resource, scope_spans
        let resource = try fields(try message(resourceSpans[0].1))
        let serviceName = try fields(try message(resource[0].1))  // KeyValue
        XCTAssertEqual(try string(serviceName[0].1), "service.name")
        XCTAssertEqual(try string(try fields(try message(serviceName[1].1))[0].1), "svc")
        let scopeSpans = try fields(try message(resourceSpans[1].1))
        XCTAssertEqual(scopeSpans.map(\.0), [1] + Array(repeating: 2, count: sizes.count))
        XCTAssertEqual(try string(try fields(try message(scopeSpans[0].1))[0].1), "edge")
        for (index, size) in sizes.enumerated() {
            let span = try fields(try message(scopeSpans[index + 1].1))
            XCTAssertEqual(span.map(\.0), [1, 2, 5, 6, 7, 8] + (size == 0 ? [] : [9]), "span \(index)")
            XCTAssertEqual(try string(span[2].1), "s\(index)")
            guard size > 0 else { continue }
            let attribute = try fields(try message(span[6].1))
            let value = try fields(try message(attribute[1].1))
            XCTAssertEqual(try message(value[0].1).readableBytes, size, "span \(index)")
        }
    }

    func testEmptyBatchIsAValidRequestWithNoSpans() throws {
        let request = OTLPTraceEncoder.encode(serviceName: "svc", batches: [[], []])
        let resourceSpans = try fields(try message(try fields(request)[0].1))
        let scopeSpans = try fields(try message(resourceSpans[1].1))
        XCTAssertEqual(scopeSpans.map(\.0), [1])
    }

    /// A span with every kind of field: parent, trace state, string (one over 127 bytes), literal,
    /// substring and integer attributes, an event, an error status.
    private func record(_ id: UInt64, long: Int = 200) -> SpanRecord {
        SpanRecord(
            traceID: TraceID(high: 0x0102_0304_0506_0708, low: 0x090A_0B0C_0D0E_0F10), spanID: id, parentSpanID: 77,
            name: "GET /v1/things/{id}", kind: id % 2 == 0 ? .client : .server, startUnixNano: 1_000 + id, endUnixNano: 5_000 + id,
            attributes: [
                ("http.request.method", .string("GET")), ("url.path", .string("/v1/things/1")),
                ("network.protocol.version", .string("1.1")), ("http.response.status_code", .int(503)),
                ("user_agent.original", .string(String(repeating: "u", count: long))), ("server.port", .int(-1)),
            ],
            events: [SpanEvent(name: "retry", timeUnixNano: 3_000, attributes: [("edge.upstream.attempt", .int(2))])],
            status: .error(message: "HTTP 503"), traceState: "vendor=1")
    }

    /// The same span as `record(_:long:)`, written field by field as the tracer does.
    private func write(_ id: UInt64, long: Int = 200, into buffer: LoopSpanBuffer) {
        let target = "/v1/things/1?key=secret"
        buffer.append { writer in
            writer.spanHeader(
                traceID: TraceID(high: 0x0102_0304_0506_0708, low: 0x090A_0B0C_0D0E_0F10), spanID: id, parentSpanID: 77,
                traceState: "vendor=1", name: "GET /v1/things/{id}", kind: id % 2 == 0 ? .client : .server, start: 1_000 + id,
                end: 5_000 + id)
            writer.attribute("http.request.method", "GET")
            writer.attribute("url.path", target[..<target.firstIndex(of: "?")!])
            writer.attribute("network.protocol.version", literal: "1.1")
            writer.attribute("http.response.status_code", 503)
            writer.attribute("user_agent.original", String(repeating: "u", count: long))
            writer.attribute("server.port", -1)
            writer.event(SpanEvent(name: "retry", timeUnixNano: 3_000, attributes: [("edge.upstream.attempt", .int(2))]))
            writer.status(.error(message: "HTTP 503"))
        }
    }

    func testSpansWrittenFieldByFieldEncodeExactlyLikeTheirRecords() throws {
        let loop = EmbeddedEventLoop()
        let buffer = LoopSpanBuffer(eventLoop: loop, capacity: 4)
        let longs = [0, 100, 200, 20_000]
        for (index, long) in longs.enumerated() { write(UInt64(index + 1), long: long, into: buffer) }
        let encoded = buffer.takeAll()
        XCTAssertEqual(encoded.count, 4)
        XCTAssertEqual(buffer.count, 0)
        let records = longs.enumerated().map { record(UInt64($0 + 1), long: $1) }
        XCTAssertEqual(
            OTLPTraceEncoder.encode(serviceName: "svc", encoded: [encoded]), OTLPTraceEncoder.encode(serviceName: "svc", spans: records))
        // The buffer is reused: the next batch holds only what was written after the hand-over.
        write(9, into: buffer)
        XCTAssertEqual(
            OTLPTraceEncoder.encode(serviceName: "svc", encoded: [buffer.takeAll()]),
            OTLPTraceEncoder.encode(serviceName: "svc", spans: [record(9)]))
    }

    func testEncodedBatchesQueueAndSplitOnSpanBoundaries() throws {
        let loop = EmbeddedEventLoop()
        let buffer = LoopSpanBuffer(eventLoop: loop, capacity: 8)
        var queue = SpanExportQueue<EncodedSpans>(maxSpans: 7)
        for id in 1...5 { write(UInt64(id), long: id * 50, into: buffer) }
        XCTAssertEqual(queue.append(buffer.takeAll()), 0)
        for id in 6...9 { write(UInt64(id), long: id * 50, into: buffer) }
        XCTAssertEqual(queue.append(buffer.takeAll()), 2)  // 6 and 7 fit, 8 and 9 do not
        let first = queue.take(upTo: 3)  // the first batch alone is larger: split
        XCTAssertEqual(first.map(\.count), [3])
        let rest = queue.take(upTo: 10)
        XCTAssertEqual(rest.map(\.count), [2, 2])
        XCTAssertTrue(queue.isEmpty)
        let spans = { (ids: ClosedRange<UInt64>) in ids.map { self.record($0, long: Int($0) * 50) } }
        XCTAssertEqual(OTLPTraceEncoder.encode(serviceName: "svc", encoded: first), OTLPTraceEncoder.encode(serviceName: "svc", spans: spans(1...3)))
        XCTAssertEqual(OTLPTraceEncoder.encode(serviceName: "svc", encoded: rest), OTLPTraceEncoder.encode(serviceName: "svc", spans: spans(4...7)))
    }
}
