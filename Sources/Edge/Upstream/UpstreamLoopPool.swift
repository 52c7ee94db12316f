import NIOCore

/// A cluster's connections on one event loop: round-robin over endpoints, then the
/// least-busy live connection to that endpoint, opening another when all are at
/// `maxConcurrentStreams` (up to `maxConnectionsPerEndpoint`).
///
/// Confined to `eventLoop` (hence `@unchecked Sendable`): calls on that loop never hop threads.
final class UpstreamLoopPool: @unchecked Sendable {
    let eventLoop: EventLoop
    private let cluster: UpstreamCluster
    private var connections: [[UpstreamConnection]]
    private var nextEndpoint = 0

    init(cluster: UpstreamCluster, eventLoop: EventLoop) {
        self.cluster = cluster
        self.eventLoop = eventLoop
        self.connections = Array(repeating: [], count: cluster.endpoints.count)
    }

    /// The connection for the next attempt.
    func nextConnection() -> UpstreamConnection {
        self.eventLoop.assertInEventLoop()
        let index = self.nextEndpoint
        self.nextEndpoint = (self.nextEndpoint + 1) % self.connections.count
        var best: UpstreamConnection?
        for connection in self.connections[index] where connection.acceptsNewStreams {
            if best == nil || connection.activeStreams < best!.activeStreams {
                best = connection
            }
        }
        if let best,
            best.activeStreams < self.cluster.config.maxConcurrentStreams
                || self.connections[index].count >= self.cluster.config.maxConnectionsPerEndpoint
        {
            return best
        }
        let connection = UpstreamConnection(endpoint: self.cluster.endpoints[index], eventLoop: self.eventLoop, cluster: self.cluster)
        connection.onRetire = { [weak self] retired in
            self?.remove(retired, endpointIndex: index)
        }
        self.connections[index].append(connection)
        return connection
    }

    private func remove(_ connection: UpstreamConnection, endpointIndex: Int) {
        self.connections[endpointIndex].removeAll { $0 === connection }
    }

    func closeAll() {
        let all = self.connections.flatMap { $0 }
        for connection in all { connection.close() }
    }
}
