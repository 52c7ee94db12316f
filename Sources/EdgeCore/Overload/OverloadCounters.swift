import NIOConcurrencyHelpers

/// The in-flight counters of one configuration, by route label and by cluster name, handed
/// out while a snapshot is compiled and read by metrics.
///
/// A reload builds a new table from the previous one: a route or cluster that is still
/// configured gets the counter it had (with its new maximum), so the requests in flight
/// across the swap keep counting against the cap and give their slot back to it. Counters of
/// routes and clusters the new configuration dropped are not carried further.
///
/// The lock is taken while compiling and when metrics read, never per request.
public final class OverloadCounters: Sendable {
    private struct Entry {
        var counter: InFlightCounter
        var maximum: Int
    }

    private struct Tables {
        var routes: [String: Entry] = [:]
        var clusters: [String: Entry] = [:]
    }

    private let inherited: Tables
    private let tables = NIOLockedValueBox(Tables())

    /// - Parameter previous: the table of the configuration this one replaces.
    public init(carryingOver previous: OverloadCounters? = nil) {
        inherited = previous?.tables.withLockedValue { $0 } ?? Tables()
    }

    /// The cap of the route labelled `label` (`GET /v1/books/{id}`).
    public func route(_ label: String, maximum: Int) -> InFlightLimit {
        limit(label, maximum: maximum, in: \.routes)
    }

    /// The cap of the cluster `name` (`max_requests`).
    public func cluster(_ name: String, maximum: Int) -> InFlightLimit {
        limit(name, maximum: maximum, in: \.clusters)
    }

    private func limit(_ name: String, maximum: Int, in table: WritableKeyPath<Tables, [String: Entry]>) -> InFlightLimit {
        let inherited = self.inherited[keyPath: table][name]?.counter
        let counter = tables.withLockedValue { tables -> InFlightCounter in
            let counter = tables[keyPath: table][name]?.counter ?? inherited ?? InFlightCounter()
            tables[keyPath: table][name] = Entry(counter: counter, maximum: maximum)
            return counter
        }
        return InFlightLimit(counter: counter, maximum: maximum)
    }

    /// Every capped route, by label.
    public var routes: [InFlightStats] { stats(\.routes) }

    /// Every capped cluster, by name.
    public var clusters: [InFlightStats] { stats(\.clusters) }

    private func stats(_ table: KeyPath<Tables, [String: Entry]>) -> [InFlightStats] {
        tables.withLockedValue { $0[keyPath: table] }
            .map { InFlightStats(name: $0.key, inFlight: $0.value.counter.inFlight, maximum: $0.value.maximum, refused: $0.value.counter.refused) }
            .sorted { $0.name < $1.name }
    }
}
