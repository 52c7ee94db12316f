import Yams

/// Overload protection: `listen.max_connections`, a cluster's `max_requests`, and a route's
/// (or the defaults') `max_in_flight`.
extension ConfigParser {
    /// The largest cap accepted: beyond it a cap protects nothing.
    package static let maxOverloadCap = 10_000_000

    /// `max_connections: N` (connections open at once on the listener).
    package mutating func parseMaxConnections(_ node: Node, _ path: String) -> Int? {
        reader.int(node, path, in: 1...Self.maxOverloadCap)
    }

    /// `max_requests: N` (calls in flight to a cluster).
    package mutating func parseMaxRequests(_ node: Node, _ path: String) -> Int? {
        reader.int(node, path, in: 1...Self.maxOverloadCap)
    }

    /// `max_in_flight: N`, or `unlimited` (`0` in the model) to lift the defaults' cap on one route.
    package mutating func parseMaxInFlight(_ node: Node, _ path: String) -> Int? {
        if case .scalar(let scalar) = node, scalar.string == "unlimited" { return 0 }
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else {
            reader.report(path, node, "expected a number of requests or 'unlimited', got \(ConfigReader.describe(node))")
            return nil
        }
        guard (1...Self.maxOverloadCap).contains(value) else {
            reader.report(path, node, "must be between 1 and \(Self.maxOverloadCap) (or 'unlimited'), got \(value)")
            return nil
        }
        return value
    }
}
