import XCTest

@testable import Edge
@testable import EdgePolicy

/// `traceparent` / `tracestate` per the W3C Trace Context Recommendation (level 1, version 00).
final class TracingContextTests: XCTestCase {
    private let traceHex = "4bf92f3577b34da6a3ce929d0e0e4736"
    private let parentHex = "00f067aa0ba902b7"

    func testValidVersion00IsParsed() throws {
        let context = try XCTUnwrap(TraceContext.parse(traceparent: "00-\(traceHex)-\(parentHex)-01", tracestate: nil))
        XCTAssertEqual(context.traceID, TraceID(high: 0x4bf9_2f35_77b3_4da6, low: 0xa3ce_929d_0e0e_4736))
        XCTAssertEqual(context.spanID, 0x00f0_67aa_0ba9_02b7)
        XCTAssertTrue(context.sampled)
        XCTAssertNil(context.traceState)
        XCTAssertEqual(context.traceparent, "00-\(traceHex)-\(parentHex)-01")
    }

    func testFlags() throws {
        XCTAssertEqual(TraceContext.parse(traceparent: "00-\(traceHex)-\(parentHex)-00", tracestate: nil)?.sampled, false)
        // Only bit 0 means "sampled"; other bits are kept out of the decision.
        XCTAssertEqual(TraceContext.parse(traceparent: "00-\(traceHex)-\(parentHex)-02", tracestate: nil)?.sampled, false)
        XCTAssertEqual(TraceContext.parse(traceparent: "00-\(traceHex)-\(parentHex)-03", tracestate: nil)?.sampled, true)
        XCTAssertEqual(TraceContext.parse(traceparent: "00-\(traceHex)-\(parentHex)-ff", tracestate: nil)?.sampled, true)
    }

    func testInvalidTraceparentsAreRefused() {
        let invalid: [(String, String)] = [
            ("", "empty"),
            ("00-\(traceHex)-\(parentHex)-0", "54 characters"),
            ("00-\(traceHex)-\(parentHex)-01-", "version 00 with a trailing dash"),
            ("00-\(traceHex)-\(parentHex)-01-extra", "version 00 with more fields"),
            ("00-\(traceHex)-\(parentHex)-010", "version 00 with 56 characters"),
            (" 00-\(traceHex)-\(parentHex)-01", "leading space"),
            ("00-\(traceHex.uppercased())-\(parentHex)-01", "uppercase trace-id"),
            ("00-\(traceHex)-\(parentHex.uppercased())-01", "uppercase parent-id"),
            ("00-\(traceHex)-\(parentHex)-0A", "uppercase flags"),
            ("0A-\(traceHex)-\(parentHex)-01", "uppercase version"),
            ("00-00000000000000000000000000000000-\(parentHex)-01", "all-zero trace-id"),
            ("00-\(traceHex)-0000000000000000-01", "all-zero parent-id"),
            ("ff-\(traceHex)-\(parentHex)-01", "version ff"),
            ("ff-\(traceHex)-\(parentHex)-01-extra", "version ff with more fields"),
            ("00_\(traceHex)-\(parentHex)-01", "wrong first separator"),
            ("00-\(traceHex)_\(parentHex)-01", "wrong second separator"),
            ("00-\(traceHex)-\(parentHex)_01", "wrong third separator"),
            ("00-\(traceHex.dropLast())g-\(parentHex)-01", "non-hex in trace-id"),
            ("00-\(traceHex)-\(parentHex.dropLast())x-01", "non-hex in parent-id"),
            ("0g-\(traceHex)-\(parentHex)-01", "non-hex version"),
            ("00-\(traceHex)-\(parentHex)-0x", "non-hex flags"),
            ("01-\(traceHex)-\(parentHex)-01x", "future version, more text not after a dash"),
            ("01-\(traceHex)-\(parentHex)", "future version, too short"),
            ("00-\(traceHex)-\(parentHex)-01".replacingOccurrences(of: "a", with: "é"), "non-ASCII"),
        ]
        for (value, reason) in invalid {
            XCTAssertNil(TraceContext.parse(traceparent: value, tracestate: "k=v"), reason)
        }
        XCTAssertNil(TraceContext.parse(traceparent: nil, tracestate: "k=v"))
    }

    func testFutureVersionsAreReadLeniently() throws {
        let exact = try XCTUnwrap(TraceContext.parse(traceparent: "01-\(traceHex)-\(parentHex)-01", tracestate: nil))
        XCTAssertEqual(exact.spanID, 0x00f0_67aa_0ba9_02b7)
        let extended = try XCTUnwrap(
            TraceContext.parse(traceparent: "cc-\(traceHex)-\(parentHex)-01-what-the-future-will-be-like", tracestate: "a=b"))
        XCTAssertEqual(extended.traceID.description, traceHex)
        XCTAssertTrue(extended.sampled)
        XCTAssertEqual(extended.traceState, "a=b")
        // Sent onwards as version 00 (the only version the edge speaks).
        XCTAssertEqual(extended.traceparent, "00-\(traceHex)-\(parentHex)-01")
    }

    func testFormatForANewSpan() {
        let traceID = TraceID(high: 1, low: 0xFFFF_FFFF_FFFF_FFFF)
        XCTAssertEqual(
            TraceContext.traceparent(traceID: traceID, spanID: 0xABCD, sampled: true),
            "00-0000000000000001ffffffffffffffff-000000000000abcd-01")
        XCTAssertEqual(
            TraceContext.traceparent(traceID: traceID, spanID: 0xABCD, sampled: false),
            "00-0000000000000001ffffffffffffffff-000000000000abcd-00")
        let incoming = TraceContext(traceID: traceID, spanID: 7, sampled: true, traceState: "x=y")
        let child = incoming.child(spanID: 42, sampled: true)
        XCTAssertEqual(child.traceparent, "00-0000000000000001ffffffffffffffff-000000000000002a-01")
        XCTAssertEqual(child.traceState, "x=y")
        XCTAssertEqual(TraceHex.spanID(0x00f0_67aa_0ba9_02b7), parentHex)
    }

    func testFormattedTraceparentParsesBack() throws {
        var generator = TraceIDGenerator(seed: (1, 2, 3, 4))
        for _ in 0..<1000 {
            let traceID = generator.nextTraceID()
            let spanID = generator.nextSpanID()
            let text = TraceContext.traceparent(traceID: traceID, spanID: spanID, sampled: spanID & 1 == 0)
            let parsed = try XCTUnwrap(TraceContext.parse(traceparent: text, tracestate: nil))
            XCTAssertEqual(parsed, TraceContext(traceID: traceID, spanID: spanID, sampled: spanID & 1 == 0))
        }
    }

    func testTracestateIsKeptWhenWellFormedAndWithinBounds() throws {
        let traceparent = "00-\(traceHex)-\(parentHex)-01"
        let kept = [
            "congo=t61rcWkgMzE",
            "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
            "rojo=00f067aa0ba902b7 , congo=t61rcWkgMzE",
            "a=1,,b=2",
            "tenant1@system=v, fw529a3039@dt=value with spaces",
            "k_-*/9=v!~",
        ]
        for value in kept {
            XCTAssertEqual(TraceContext.parse(traceparent: traceparent, tracestate: value)?.traceState, value, value)
        }
        let thirtyTwo = (0..<32).map { "k\($0)=v" }.joined(separator: ",")
        XCTAssertEqual(TraceContext.parse(traceparent: traceparent, tracestate: thirtyTwo)?.traceState, thirtyTwo)
        let long512 = "k=" + String(repeating: "v", count: 254) + ",l=" + String(repeating: "w", count: 253)
        XCTAssertEqual(long512.utf8.count, 512)
        XCTAssertEqual(TraceContext.parse(traceparent: traceparent, tracestate: long512)?.traceState, long512)
    }

    func testTracestateIsDroppedWholeWhenBeyondBoundsOrMalformed() throws {
        let traceparent = "00-\(traceHex)-\(parentHex)-01"
        let thirtyThree = (0..<33).map { "k\($0)=v" }.joined(separator: ",")
        let long513 = "k=" + String(repeating: "v", count: 255) + ",l=" + String(repeating: "w", count: 253)
        XCTAssertEqual(long513.utf8.count, 513)
        let dropped = [
            thirtyThree, long513, "", " , ", "novalue", "=v", "Upper=v", "1abc=v", "k=v,Bad=1", "k=a,b",
            "k=\u{7F}", "k=é", "@system=v", "tenant@=v", "tenant@1sys=v", "tenant@systemtoolong15=v",
            "k=" + String(repeating: "v", count: 257),
        ]
        for value in dropped {
            let context = try XCTUnwrap(TraceContext.parse(traceparent: traceparent, tracestate: value))
            XCTAssertNil(context.traceState, value)
        }
    }
}
