import XCTest

@testable import Edge
@testable import EdgePolicy

/// Head-based sampling decisions and the ids they are made on.
final class TracingSamplerTests: XCTestCase {
    func testRatioOneKeepsEveryNewTraceAndZeroNone() {
        var generator = TraceIDGenerator(seed: (11, 22, 33, 44))
        let ids = (0..<10_000).map { _ in generator.nextTraceID() }
        XCTAssertTrue(ids.allSatisfy { TraceSampler.always.samples(newTrace: $0) })
        XCTAssertFalse(ids.contains { TraceSampler.never.samples(newTrace: $0) })
        // The extremes of the 56 random bits.
        let lowest = TraceID(high: 0, low: 1)
        let highest = TraceID(high: 0, low: (1 << 56) - 1)
        XCTAssertTrue(TraceSampler(ratio: 1).samples(newTrace: lowest))
        XCTAssertFalse(TraceSampler(ratio: 0).samples(newTrace: highest))
    }

    func testRatioComparesTheLow56BitsWithAThreshold() {
        let half = TraceSampler(ratio: 0.5)
        XCTAssertEqual(half.threshold, 1 << 55)
        XCTAssertTrue(half.samples(newTrace: TraceID(high: 0, low: 1 << 55)))
        XCTAssertFalse(half.samples(newTrace: TraceID(high: 0, low: (1 << 55) - 1)))
        // The top 8 bits of the low half and the whole high half do not take part.
        XCTAssertFalse(half.samples(newTrace: TraceID(high: .max, low: 0xFF00_0000_0000_0000 | ((1 << 55) - 1))))
        XCTAssertEqual(TraceSampler(ratio: 0.25).threshold, 3 << 54)
        XCTAssertEqual(TraceSampler(ratio: 2).ratio, 1)
        XCTAssertEqual(TraceSampler(ratio: -1).ratio, 0)
        XCTAssertEqual(TraceSampler(ratio: .nan).ratio, 0)
    }

    func testHalfOfEvenlySpreadIdsAreKept() {
        // Deterministic ids spread evenly over the 56 random bits: exactly half are at or above 2^55.
        let half = TraceSampler(ratio: 0.5)
        let step: UInt64 = 1 << 43  // 2^56 / 8192
        let kept = (0..<8_192).filter { half.samples(newTrace: TraceID(high: 0, low: UInt64($0) * step)) }.count
        XCTAssertEqual(kept, 4_096)
        let quarter = (0..<8_192).filter { TraceSampler(ratio: 0.25).samples(newTrace: TraceID(high: 0, low: UInt64($0) * step)) }.count
        XCTAssertEqual(quarter, 2_048)
        // And from the generator (fixed seed, so the count is fixed too): near half.
        var generator = TraceIDGenerator(seed: (5, 6, 7, 8))
        let generated = (0..<100_000).filter { _ in half.samples(newTrace: generator.nextTraceID()) }.count
        XCTAssertTrue((48_000...52_000).contains(generated), "\(generated)")
    }

    func testSmallerRatioKeepsASubsetOfALargerOne() {
        var generator = TraceIDGenerator(seed: (9, 9, 9, 9))
        let small = TraceSampler(ratio: 0.1)
        let large = TraceSampler(ratio: 0.6)
        for _ in 0..<10_000 {
            let id = generator.nextTraceID()
            if small.samples(newTrace: id) { XCTAssertTrue(large.samples(newTrace: id)) }
        }
    }

    func testParentDecisionIsHonouredBothWays() {
        let id = TraceID(high: 1, low: 1)  // the ratio alone would drop it at 0.5
        let sampledParent = TraceContext(traceID: id, spanID: 1, sampled: true)
        let unsampledParent = TraceContext(traceID: id, spanID: 1, sampled: false)
        XCTAssertTrue(TraceSampler.never.samples(parent: sampledParent, traceID: id))
        XCTAssertFalse(TraceSampler.always.samples(parent: unsampledParent, traceID: id))
        XCTAssertFalse(TraceSampler(ratio: 0.5).samples(parent: nil, traceID: id))
        XCTAssertTrue(TraceSampler(ratio: 0.5).samples(parent: nil, traceID: TraceID(high: 1, low: .max)))
    }

    func testGeneratorNeverMakesZeroIds() {
        var generator = TraceIDGenerator()
        for _ in 0..<100_000 {
            XCTAssertNotEqual(generator.nextSpanID(), 0)
            XCTAssertTrue(generator.nextTraceID().isValid)
        }
        // The all-zero seed (xoshiro's fixed point) is replaced, so even it yields valid ids.
        var zero = TraceIDGenerator(seed: (0, 0, 0, 0))
        XCTAssertNotEqual(zero.nextSpanID(), 0)
        XCTAssertTrue(zero.nextTraceID().isValid)
    }

    func testGeneratorsSeededFromTheSystemDiffer() {
        var first = TraceIDGenerator()
        var second = TraceIDGenerator()
        XCTAssertNotEqual(first.nextTraceID(), second.nextTraceID())
        var ids = Set<UInt64>()
        for _ in 0..<10_000 { ids.insert(first.nextSpanID()) }
        XCTAssertEqual(ids.count, 10_000)
    }
}
