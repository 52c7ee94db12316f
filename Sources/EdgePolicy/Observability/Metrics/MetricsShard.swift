import NIOConcurrencyHelpers
import NIOCore
import EdgeCore

/// One event loop's share of the request metrics. Only its loop records into it (a lock
/// that nobody else takes, except a scrape now and then): no contention between loops.
/// ``EdgeMetrics`` adds the shards up when `/metrics` is read.
package final class MetricsShard: @unchecked Sendable {
    package struct ResponseKey: Hashable, Sendable {
        package var status: Int
        /// `-1`: no gRPC status.
        package var grpcCode: Int
    }

    package struct RouteSeries: Sendable {
        package var grpcMethod: String
        package var inFlight = 0
        /// Counts by (status, code): few per route, so a short list beats hashing.
        package var responses: [(key: ResponseKey, count: UInt64)] = []
        package var duration = MetricHistogram(bounds: MetricHistogram.durationBounds)
        package var upstream = MetricHistogram(bounds: MetricHistogram.durationBounds)
        package var requestBytes = MetricHistogram(bounds: MetricHistogram.sizeBounds)
        package var responseBytes = MetricHistogram(bounds: MetricHistogram.sizeBounds)
        package var streamsOpened: UInt64 = 0
        package var messagesIn: UInt64 = 0
        package var messagesOut: UInt64 = 0
        /// How streams ended: a gRPC code name, or `CLIENT_CLOSED`.
        package var streamEnds: [String: UInt64] = [:]

        package init(grpcMethod: String) { self.grpcMethod = grpcMethod }

        package mutating func countResponse(_ key: ResponseKey, by count: UInt64 = 1) {
            for index in responses.indices where responses[index].key == key {
                responses[index].count &+= count
                return
            }
            responses.append((key, count))
        }

        package mutating func merge(_ other: RouteSeries) {
            inFlight += other.inFlight
            for (key, count) in other.responses { countResponse(key, by: count) }
            duration.merge(other.duration)
            upstream.merge(other.upstream)
            requestBytes.merge(other.requestBytes)
            responseBytes.merge(other.responseBytes)
            streamsOpened &+= other.streamsOpened
            messagesIn &+= other.messagesIn
            messagesOut &+= other.messagesOut
            streamEnds.merge(other.streamEnds, uniquingKeysWith: &+)
        }
    }

    package struct ClusterSeries: Sendable {
        /// Calls by their final gRPC code.
        package var calls: [Int: UInt64] = [:]
        package var duration = MetricHistogram(bounds: MetricHistogram.durationBounds)

        package mutating func merge(_ other: ClusterSeries) {
            calls.merge(other.calls, uniquingKeysWith: &+)
            duration.merge(other.duration)
        }

        package mutating func record(code: GRPCStatusCode, duration: TimeAmount?) {
            calls[code.rawValue, default: 0] &+= 1
            if let duration { self.duration.record(duration.nanoseconds) }
        }
    }

    package struct PairKey: Hashable, Sendable {
        package var first: String
        package var second: String
    }

    /// One route's series in a shard: a reference, so that an exchange keeps it from its start
    /// to its end (one look-up per exchange). Touched under the shard's lock.
    package final class RouteSlot: @unchecked Sendable {
        package var series: RouteSeries
        package init(grpcMethod: String) { series = RouteSeries(grpcMethod: grpcMethod) }
    }

    /// Everything a shard holds; also the merged whole.
    package struct Values: Sendable {
        package var routes: [String: RouteSeries] = [:]
        package var clusters: [String: ClusterSeries] = [:]
        /// (policy, reason) → refusals.
        package var refusals: [PairKey: UInt64] = [:]
        /// route → requests whose origin CORS did not allow.
        package var corsRejections: [String: UInt64] = [:]
        /// (limit, decision) → decisions.
        package var rateLimitDecisions: [PairKey: UInt64] = [:]

        package mutating func merge(_ other: Values) {
            for (label, series) in other.routes { routes[label, default: RouteSeries(grpcMethod: series.grpcMethod)].merge(series) }
            for (name, series) in other.clusters { clusters[name, default: ClusterSeries()].merge(series) }
            refusals.merge(other.refusals, uniquingKeysWith: &+)
            corsRejections.merge(other.corsRejections, uniquingKeysWith: &+)
            rateLimitDecisions.merge(other.rateLimitDecisions, uniquingKeysWith: &+)
        }
    }

    private let lock = NIOLock()
    /// Everything but the routes' series, which live in their slots.
    private var values = Values()
    private var slots: [String: RouteSlot] = [:]

    /// The slot of route `label`, made on first use. Call under ``withLock(_:)``.
    package func slot(_ label: String, grpcMethod: String) -> RouteSlot {
        if let slot = slots[label] { return slot }
        let slot = RouteSlot(grpcMethod: grpcMethod)
        slots[label] = slot
        return slot
    }

    package func withLock<T>(_ body: (inout Values) -> T) -> T {
        lock.withLock { body(&values) }
    }

    package var snapshot: Values {
        lock.withLock {
            var copy = values
            for (label, slot) in slots { copy.routes[label, default: RouteSeries(grpcMethod: slot.series.grpcMethod)].merge(slot.series) }
            return copy
        }
    }
}
