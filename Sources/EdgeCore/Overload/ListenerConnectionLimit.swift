import Atomics

/// The public listener's open connections and its cap (`listen.max_connections`), shared by
/// every event loop.
///
/// At the cap a new connection is accepted and closed at once, before TLS or HTTP reads a
/// byte of it, and counted as refused — as Envoy's listener connection limit does
/// (`downstream_cx_overflow`). No 503 is written: on a TLS listener that would need a whole
/// handshake first, the very work an overloaded edge must not take on, and a client opening
/// thousands of connections does not read answers anyway. Clients see the connection close
/// (or reset) and retry elsewhere, which is what a load balancer in front expects.
///
/// The cap reloads: ``update(maximum:)`` changes it for connections accepted afterwards;
/// connections already open stay open.
public final class ListenerConnectionLimit: Sendable {
    /// `0`: no cap.
    private let maximumValue: ManagedAtomic<Int>
    private let open = ManagedAtomic<Int>(0)
    private let refusals = ManagedAtomic<Int>(0)
    private let accepted = ManagedAtomic<Int>(0)

    /// - Parameter maximum: the cap; `nil`: none (connections are still counted).
    public init(maximum: Int? = nil) {
        maximumValue = ManagedAtomic(maximum ?? 0)
    }

    /// A new cap for connections accepted from now on.
    public func update(maximum: Int?) {
        maximumValue.store(maximum ?? 0, ordering: .relaxed)
    }

    /// Counts a new connection in; `false`: the cap is reached (refusal counted), close it.
    /// A connection let in must be given back with ``connectionClosed()`` exactly once.
    public func tryAccept() -> Bool {
        let maximum = maximumValue.load(ordering: .relaxed)
        let before = open.loadThenWrappingIncrement(ordering: .relaxed)
        guard maximum > 0, before >= maximum else {
            accepted.wrappingIncrement(ordering: .relaxed)
            return true
        }
        open.wrappingDecrement(ordering: .relaxed)
        refusals.wrappingIncrement(ordering: .relaxed)
        return false
    }

    public func connectionClosed() {
        open.wrappingDecrement(ordering: .relaxed)
    }

    public var stats: ListenerConnectionStats {
        let maximum = maximumValue.load(ordering: .relaxed)
        return ListenerConnectionStats(
            open: open.load(ordering: .relaxed), maximum: maximum == 0 ? nil : maximum,
            accepted: accepted.load(ordering: .relaxed), refused: refusals.load(ordering: .relaxed))
    }
}
