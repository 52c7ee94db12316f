import Foundation
import NIOCore
import XCTest

@testable import Edge
@testable import EdgeConfig
@testable import EdgePolicy

/// Every field of both formats, byte for byte where it matters: JSON lines are parsed back
/// with Foundation's JSONSerialization (here only, never in the edge) and checked key by key.
final class AccessLogFormatterTests: XCTestCase {
    /// 2026-12-06T05:45:04.123Z plus 456789 ns that the format does not show.
    static let sampleTime: Int64 = 1_796_535_904_123_456_789

    static let full = AccessLogRecord(
        timeUnixNanos: sampleTime, requestID: "req-1", traceID: "4bf92f3577b34da6a3ce929d0e0e4736",
        clientAddress: "10.0.0.1", consumer: "alice", subject: "CN=client,O=Acme", httpProtocol: "HTTP/1.1",
        method: "GET", path: "/v1/shelves/1", route: "GET /v1/shelves/{shelf}",
        grpcMethod: "/bookstore.Bookstore/GetShelf", upstreamCluster: "books", status: 200, grpcCode: 0,
        bytesIn: 12, bytesOut: 312, durationNanos: 1_234_567, upstreamDurationNanos: 1_100_000, retries: 1,
        refusedBy: nil, userAgent: "curl/8.5.0")

    func testJSONWritesEveryFieldInOrderWithItsValue() throws {
        let line = Self.line(Self.full, format: .json)
        XCTAssertTrue(line.hasSuffix("}\n"))
        XCTAssertEqual(line.filter { $0 == "\n" }.count, 1)
        let object = try Self.parse(line)
        XCTAssertEqual(object["time"] as? String, "2026-12-06T05:45:04.123Z")
        XCTAssertEqual(object["request_id"] as? String, "req-1")
        XCTAssertEqual(object["trace_id"] as? String, "4bf92f3577b34da6a3ce929d0e0e4736")
        XCTAssertEqual(object["client_address"] as? String, "10.0.0.1")
        XCTAssertEqual(object["consumer"] as? String, "alice")
        XCTAssertEqual(object["subject"] as? String, "CN=client,O=Acme")
        XCTAssertEqual(object["protocol"] as? String, "HTTP/1.1")
        XCTAssertEqual(object["method"] as? String, "GET")
        XCTAssertEqual(object["path"] as? String, "/v1/shelves/1")
        XCTAssertEqual(object["route"] as? String, "GET /v1/shelves/{shelf}")
        XCTAssertEqual(object["grpc_method"] as? String, "/bookstore.Bookstore/GetShelf")
        XCTAssertEqual(object["upstream_cluster"] as? String, "books")
        XCTAssertEqual(object["status"] as? Int, 200)
        XCTAssertEqual(object["grpc_code"] as? Int, 0)
        XCTAssertEqual(object["bytes_in"] as? Int, 12)
        XCTAssertEqual(object["bytes_out"] as? Int, 312)
        XCTAssertEqual(object["retries"] as? Int, 1)
        XCTAssertTrue(object["refused_by"] is NSNull)
        XCTAssertEqual(object["user_agent"] as? String, "curl/8.5.0")
        // Durations: milliseconds, three decimals (microseconds, rounded).
        XCTAssertTrue(line.contains("\"duration_ms\":1.235,"), line)
        XCTAssertTrue(line.contains("\"upstream_duration_ms\":1.100,"), line)
        XCTAssertEqual(object["duration_ms"] as? Double, 1.235)
        XCTAssertEqual(Set(object.keys), Set(AccessLogField.allCases.map(\.rawValue)))
        XCTAssertEqual(Self.keyOrder(line), AccessLogField.allCases.map(\.rawValue))
    }

    func testJSONWritesNullForWhatTheExchangeDoesNotHave() throws {
        let record = AccessLogRecord(
            timeUnixNanos: 0, method: "POST", path: "/v1/books", status: 401, durationNanos: 0, refusedBy: "jwt")
        let object = try Self.parse(Self.line(record, format: .json))
        for key in ["request_id", "trace_id", "client_address", "consumer", "subject", "protocol", "route", "grpc_method",
                    "upstream_cluster", "grpc_code", "upstream_duration_ms", "user_agent"] {
            XCTAssertTrue(object[key] is NSNull, "\(key): \(String(describing: object[key]))")
        }
        XCTAssertEqual(object["time"] as? String, "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(object["status"] as? Int, 401)
        XCTAssertEqual(object["refused_by"] as? String, "jwt")
        XCTAssertEqual(object["bytes_in"] as? Int, 0)
        XCTAssertEqual(object["retries"] as? Int, 0)
        XCTAssertEqual(object["duration_ms"] as? Double, 0)
    }

    func testJSONEscapesQuotesBackslashesControlsAndKeepsNonASCII() throws {
        let path = "/v1/\"quoted\"/back\\slash/tab\there/nl\nx/cr\r/\u{01}\u{1F}\u{7F}/é/日本/🎉"
        let agent = "Mozilla \"5.0\" \u{08}\u{0C}\u{2028}"
        var record = Self.full
        record.path = path
        record.userAgent = agent
        record.requestID = "id\u{00}nul"
        let line = Self.line(record, format: .json)
        XCTAssertEqual(line.filter { $0 == "\n" }.count, 1, "a raw newline escaped into the line")
        XCTAssertTrue(line.contains(#""path":"/v1/\"quoted\"/back\\slash/tab\there/nl\nx/cr\r/\u0001\u001F"#), line)
        XCTAssertTrue(line.contains(#""user_agent":"Mozilla \"5.0\" \b\f"#), line)
        XCTAssertTrue(line.contains(#""request_id":"id\u0000nul""#), line)
        let object = try Self.parse(line)
        XCTAssertEqual(object["path"] as? String, path)
        XCTAssertEqual(object["user_agent"] as? String, agent)
        XCTAssertEqual(object["request_id"] as? String, "id\u{00}nul")
        // Non-ASCII is written as UTF-8, not escaped.
        XCTAssertTrue(line.contains("/é/日本/🎉"), line)
    }

    func testInvalidUTF8BecomesReplacementCharactersSoTheLineStaysValidJSON() throws {
        // A path received with invalid UTF-8 reaches the server as a String that NIO repaired...
        let received: [UInt8] = Array("/v1/".utf8) + [0xFF, 0x61, 0xC3, 0x28, 0xED, 0xA0, 0x80, 0xF0, 0x9F, 0x98]
        var record = Self.full
        record.path = String(decoding: received, as: UTF8.self)
        let object = try Self.parse(Self.line(record, format: .json))
        XCTAssertEqual(object["path"] as? String, String(decoding: received, as: UTF8.self))

        // ...and the escaper repairs raw bytes itself: one U+FFFD per byte that starts no
        // valid sequence (overlongs, surrogates, truncated sequences, stray continuations).
        let cases: [([UInt8], String)] = [
            ([0x61, 0xFF, 0x62], "a\u{FFFD}b"),
            ([0xC0, 0xAF], "\u{FFFD}\u{FFFD}"),  // overlong "/"
            ([0xED, 0xA0, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}"),  // a UTF-16 surrogate
            ([0xF4, 0x90, 0x80, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"),  // past U+10FFFF
            ([0xE2, 0x82], "\u{FFFD}\u{FFFD}"),  // truncated
            ([0x80], "\u{FFFD}"),
            ([0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80], "€😀"),
        ]
        for (bytes, expected) in cases {
            let json = Self.written { writer in bytes.withUnsafeBufferPointer { writer.jsonString(bytes: $0) } }
            let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8), options: .fragmentsAllowed) as? String
            XCTAssertEqual(decoded, expected, "\(bytes)")
        }
    }

    func testTheQueryStringIsNeverWritten() throws {
        var record = Self.full
        record.path = "/v1/shelves?api_key=s3cr3t&page=2"
        for format in [AccessLogSettings.Format.json, .text] {
            let line = Self.line(record, format: format)
            XCTAssertFalse(line.contains("s3cr3t"), line)
            XCTAssertFalse(line.contains("?"), line)
        }
        XCTAssertEqual(try Self.parse(Self.line(record, format: .json))["path"] as? String, "/v1/shelves")
    }

    func testTimesAreRFC3339UTCWithMilliseconds() {
        let cases: [(Int64, String)] = [
            (0, "1970-01-01T00:00:00.000Z"),
            (Self.sampleTime, "2026-12-06T05:45:04.123Z"),
            (951_868_799_999_999_999, "2000-02-29T23:59:59.999Z"),  // a leap day of a leap century
            (4_107_542_400_000_000_000, "2100-03-01T00:00:00.000Z"),  // 2100 is no leap year
            (-1, "1969-12-31T23:59:59.999Z"),
            (-2_208_988_800_000_000_000, "1900-01-01T00:00:00.000Z"),
            (1_709_251_199_500_000_000, "2024-02-29T23:59:59.500Z"),
        ]
        for (nanos, expected) in cases {
            XCTAssertEqual(Self.written { $0.rfc3339(unixNanos: nanos) }, expected, "\(nanos)")
        }
    }

    func testDurationsAreMillisecondsWithThreeDecimals() {
        let cases: [(Int64, String)] = [
            (0, "0.000"), (-5, "0.000"), (499, "0.000"), (500, "0.001"), (999, "0.001"), (1_000_000, "1.000"),
            (1_234_567, "1.235"), (12_345_678_901, "12345.679"), (60_000_000_000, "60000.000"),
        ]
        for (nanos, expected) in cases {
            XCTAssertEqual(Self.written { $0.milliseconds(nanoseconds: nanos) }, expected, "\(nanos)")
        }
        XCTAssertEqual(Self.written { $0.decimal(Int64.min) }, "-9223372036854775808")
        XCTAssertEqual(Self.written { $0.decimal(Int64.max) }, "9223372036854775807")
        XCTAssertEqual(Self.written { $0.decimal(0) }, "0")
    }

    func testFieldSelectionWritesOnlyThoseKeysInThatOrder() throws {
        let fields: [AccessLogField] = [.status, .path, .time, .grpc_code]
        let line = Self.line(Self.full, format: .json, fields: fields)
        XCTAssertEqual(line, #"{"status":200,"path":"/v1/shelves/1","time":"2026-12-06T05:45:04.123Z","grpc_code":0}"# + "\n")
        XCTAssertEqual(Self.keyOrder(line), fields.map(\.rawValue))
    }

    func testTextFormatIsOneHumanLine() {
        XCTAssertEqual(
            Self.line(Self.full, format: .text),
            #"2026-12-06T05:45:04.123Z 10.0.0.1 "GET /v1/shelves/1 HTTP/1.1" 200 grpc=OK in=12B out=312B 1.235ms "#
                + #"upstream=1.100ms retries=1 route="GET /v1/shelves/{shelf}" grpc_method=/bookstore.Bookstore/GetShelf "#
                + #"cluster=books consumer=alice subject=CN=client,O=Acme id=req-1 trace=4bf92f3577b34da6a3ce929d0e0e4736 "#
                + "ua=curl/8.5.0\n")
    }

    func testTextFormatLeavesOutWhatIsMissing() {
        let record = AccessLogRecord(
            timeUnixNanos: 0, method: "POST", path: "/v1/books?key=x", status: 429, grpcCode: 8,
            durationNanos: 250_000, refusedBy: "rate_limit")
        XCTAssertEqual(
            Self.line(record, format: .text),
            #"1970-01-01T00:00:00.000Z - "POST /v1/books" 429 grpc=RESOURCE_EXHAUSTED in=0B out=0B 0.250ms refused_by=rate_limit"#
                + "\n")
    }

    func testTextFormatQuotesAndEscapesValuesSoOneExchangeIsOneLine() {
        var record = Self.full
        record.userAgent = "Mozilla/5.0 (X11; \"Linux\")\\"
        record.requestID = "forged\n2026-01-01T00:00:00.000Z 1.2.3.4 \"GET /admin\" 200"
        record.consumer = ""
        record.path = "/v1/\"x\"/\u{1B}[31m/é"
        record.grpcCode = 42
        let line = Self.line(record, format: .text)
        XCTAssertEqual(line.filter { $0 == "\n" }.count, 1, line)
        XCTAssertTrue(line.contains(#"ua="Mozilla/5.0 (X11; \"Linux\")\\""#), line)
        XCTAssertTrue(line.contains(#"id="forged\n2026-01-01T00:00:00.000Z 1.2.3.4 \"GET /admin\" 200""#), line)
        XCTAssertTrue(line.contains(#"consumer="""#), line)
        XCTAssertTrue(line.contains(#""GET /v1/\"x\"/\x1B[31m/é HTTP/1.1""#), line)
        XCTAssertTrue(line.contains(" grpc=42 "), line)
        let escaped = Self.written { writer in
            [0x61, 0xFF, 0x20, 0x7F].withUnsafeBufferPointer { writer.textEscaped(bytes: $0) }
        }
        XCTAssertEqual(escaped, #"a\xFF \x7F"#)
    }

    func testTextFieldSelection() {
        let line = Self.line(Self.full, format: .text, fields: [.path, .status, .duration_ms, .request_id])
        XCTAssertEqual(line, #""/v1/shelves/1" 200 1.235ms id=req-1"# + "\n")
    }

    func testEveryGRPCCodeHasItsCanonicalName() {
        let names = (0...16).map { code in AccessLogFormatter.grpcCodeName(code).map { "\($0)" } ?? "?" }
        XCTAssertEqual(names, [
            "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
            "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
            "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
        ])
        XCTAssertNil(AccessLogFormatter.grpcCodeName(17))
    }

    func testTheReservedBoundHoldsForTheWorstCase() {
        // Every byte of every string a control character: the longest escape there is.
        let worst = String(repeating: "\u{01}", count: 300)
        let record = AccessLogRecord(
            timeUnixNanos: Int64.min, requestID: worst, traceID: worst, clientAddress: worst, consumer: worst,
            subject: worst, httpProtocol: worst, method: worst, path: worst, route: worst, grpcMethod: worst,
            upstreamCluster: worst, status: Int.min, grpcCode: Int.min, bytesIn: Int.min, bytesOut: Int.min,
            durationNanos: Int64.max, upstreamDurationNanos: Int64.max, retries: Int.min, refusedBy: worst, userAgent: worst)
        for format in [AccessLogSettings.Format.json, .text] {
            var buffer = ByteBuffer()
            AccessLogFormatter(format: format, fields: nil).append(record, to: &buffer)
            XCTAssertLessThanOrEqual(buffer.readableBytes, AccessLogFormatter.maximumBytes(record))
        }
        XCTAssertNoThrow(try Self.parse(Self.line(record, format: .json)))
    }

    // MARK: Helpers

    static func line(_ record: AccessLogRecord, format: AccessLogSettings.Format, fields: [AccessLogField]? = nil) -> String {
        var buffer = ByteBuffer()
        AccessLogFormatter(format: format, fields: fields).append(record, to: &buffer)
        return String(buffer: buffer)
    }

    static func parse(_ line: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try XCTUnwrap(object as? [String: Any], line)
    }

    /// The top-level keys in the order the line has them (JSONSerialization loses it).
    static func keyOrder(_ line: String) -> [String] {
        AccessLogField.allCases
            .compactMap { field in line.range(of: "\"\(field.rawValue)\":").map { (field.rawValue, $0.lowerBound) } }
            .sorted { $0.1 < $1.1 }
            .map(\.0)
    }

    /// What `body` writes, as a String.
    static func written(_ body: (inout ReservedByteWriter) -> Void) -> String {
        var buffer = ByteBuffer()
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 4096) { memory in
            var writer = ReservedByteWriter(memory)
            body(&writer)
            return writer.count
        }
        return String(buffer: buffer)
    }
}
