import NIOConcurrencyHelpers

/// Counters about a cluster's connections, for metrics and tests.
public struct UpstreamStats: Sendable, Equatable {
    public var connectionsOpened = 0
    public var connectFailures = 0
    public var connectionsClosed = 0
    public var goAwaysReceived = 0
    public var pingsReceived = 0
    public var attempts = 0
    public var retries = 0

    public init() {}
}

/// ``UpstreamStats`` behind a lock; updated on connection events and once per attempt.
package final class UpstreamStatsBox: Sendable {
    private let box = NIOLockedValueBox(UpstreamStats())

    package func update(_ body: (inout UpstreamStats) -> Void) {
        self.box.withLockedValue { body(&$0) }
    }

    package var snapshot: UpstreamStats { self.box.withLockedValue { $0 } }
}
