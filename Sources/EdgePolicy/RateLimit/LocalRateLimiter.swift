import NIOConcurrencyHelpers

/// Local limits: GCRA and calendar quotas in this process's memory, exact under concurrency.
///
/// Buckets are spread over shards by key, each a bounded ``LocalRateLimitTable`` under its own lock,
/// held only for a few table look-ups (never across I/O). A request's buckets are locked together
/// (shards in index order, so two requests cannot deadlock), decided, and written only if the request
/// passes every limit — so a rejected request consumes nothing.
public final class LocalRateLimiter: @unchecked Sendable {
    private final class Shard {
        let lock = NIOLock()
        var table: LocalRateLimitTable
        init(capacity: Int) { table = LocalRateLimitTable(capacity: capacity) }
    }

    private let shards: [Shard]
    public let maxKeys: Int

    public init(maxKeys: Int, shardCount: Int = 16) {
        let count = max(1, min(shardCount, maxKeys))
        self.maxKeys = maxKeys
        self.shards = (0..<count).map { _ in Shard(capacity: max(1, maxKeys / count)) }
    }

    /// Keys held now (all shards).
    public var keyCount: Int { shards.reduce(0) { total, shard in total + shard.lock.withLock { shard.table.count } } }

    /// Decides and, if the request passes, consumes one unit from each limit.
    /// - Parameters:
    ///   - now: a monotonic clock in microseconds (GCRA).
    ///   - wallClock: microseconds since the Unix epoch (calendar quotas).
    ///   - commit: `false` only evaluates (nothing is written either way).
    public func decide(_ checks: [RateLimitCheck], now: Int64, wallClock: Int64, commit: Bool = true) -> RateLimitDecision {
        guard !checks.isEmpty else { return .empty }
        let keys = checks.map(\.key.localKey)
        let shardIndices = keys.map { Int(UInt(bitPattern: $0.hashValue) % UInt(shards.count)) }
        let locked = Array(Set(shardIndices)).sorted()
        for index in locked { shards[index].lock.lock() }
        defer { for index in locked.reversed() { shards[index].lock.unlock() } }

        var outcomes: [RateLimitOutcome] = []
        var newStates: [LocalRateLimitTable.State] = []
        outcomes.reserveCapacity(checks.count)
        for (position, check) in checks.enumerated() {
            let stored = shards[shardIndices[position]].table.get(keys[position])
            if let gcra = check.definition.gcra {
                let (outcome, tat) = gcra.decide(storedTAT: stored?.first, now: now)
                outcomes.append(outcome)
                newStates.append(.init(first: tat, second: 0))
            } else {
                let window = CalendarQuotaWindow(containing: wallClock, period: check.definition.rate.period)
                let before = stored?.first == window.start ? Int(stored!.second) : 0
                outcomes.append(window.outcome(countBefore: before, limit: check.definition.rate.count, now: wallClock))
                newStates.append(.init(first: window.start, second: Int64(before + 1)))
            }
        }
        let decision = RateLimitDecision(checks: checks, outcomes: outcomes)
        if commit {
            for position in checks.indices where decision.commits(position) {
                shards[shardIndices[position]].table.set(keys[position], newStates[position])
            }
        }
        return decision
    }
}
