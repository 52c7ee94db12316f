/// A Prometheus histogram's state: counts per bucket (not cumulative: summed when written)
/// and the sum. A value, recorded in place in its shard.
package struct MetricHistogram: Sendable, Equatable {
    /// Upper bounds, ascending (the `+Inf` bucket is implied).
    package let bounds: [Int64]
    package private(set) var counts: [UInt64]
    package private(set) var sum: Int64 = 0
    package private(set) var count: UInt64 = 0

    package init(bounds: [Int64]) {
        self.bounds = bounds
        self.counts = Array(repeating: 0, count: bounds.count + 1)
    }

    package mutating func record(_ value: Int64) {
        var index = 0
        // Few bounds (under 20): a linear scan beats a binary search.
        while index < bounds.count, value > bounds[index] { index += 1 }
        counts[index] &+= 1
        sum &+= value
        count &+= 1
    }

    package mutating func merge(_ other: MetricHistogram) {
        precondition(bounds == other.bounds)
        for index in counts.indices { counts[index] &+= other.counts[index] }
        sum &+= other.sum
        count &+= other.count
    }

    /// Durations in nanoseconds: the OpenTelemetry-advised HTTP buckets (5 ms … 10 s) and finer
    /// ones below 5 ms, where an edge's own time lives.
    package static let durationBounds: [Int64] = [
        100_000, 250_000, 500_000, 1_000_000, 2_500_000,
        5_000_000, 10_000_000, 25_000_000, 50_000_000, 75_000_000, 100_000_000, 250_000_000, 500_000_000, 750_000_000,
        1_000_000_000, 2_500_000_000, 5_000_000_000, 7_500_000_000, 10_000_000_000,
    ]

    /// Body sizes in bytes: powers of 4 from 64 B to 16 MiB.
    package static let sizeBounds: [Int64] = [64, 256, 1024, 4096, 16384, 65536, 262_144, 1_048_576, 4_194_304, 16_777_216]
}
