import NIOCore
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
}
