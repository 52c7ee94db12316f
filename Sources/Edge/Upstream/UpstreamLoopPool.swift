import NIOCore

/// A cluster's connections on one event loop: round-robin over the endpoints in the
/// rotation (see ``UpstreamEndpointHealth``), then the least-busy live connection to that
/// endpoint, opening another when all are at `maxConcurrentStreams` (up to
/// `maxConnectionsPerEndpoint`).
///
/// Confined to `eventLoop` (hence `@unchecked Sendable`): calls on that loop never hop threads.
final class UpstreamLoopPool: @unchecked Sendable {
    let eventLoop: EventLoop
    private let cluster: UpstreamCluster
    private var connections: [[UpstreamConnection]]
    private var nextEndpoint = 0
    /// The endpoints in the rotation as of ``rotationVersion`` of the cluster's endpoint health.
    private var rotation: [Int]
    private var rotationVersion: Int
    /// The deadlines of this loop's unary calls to the cluster.
    let deadlines: UpstreamDeadlineTimer<UpstreamCallDriver>

    init(cluster: UpstreamCluster, eventLoop: EventLoop) {
        self.cluster = cluster
        self.eventLoop = eventLoop
        self.deadlines = UpstreamDeadlineTimer(eventLoop: eventLoop)
        self.connections = Array(repeating: [], count: cluster.endpoints.count)
        self.rotationVersion = cluster.endpointHealth.version
        self.rotation = cluster.endpointHealth.rotation().indices
    }

    /// The connection for the next attempt.
    func nextConnection() -> UpstreamConnection {
        self.next().connection
    }

    /// The connection for the next attempt and the index of its endpoint (for outlier detection).
    func next() -> (connection: UpstreamConnection, endpoint: Int) {
        self.eventLoop.assertInEventLoop()
        let version = self.cluster.endpointHealth.version
        if version != self.rotationVersion {
            self.rotationVersion = version
            self.rotation = self.cluster.endpointHealth.rotation().indices
        }
        if self.nextEndpoint >= self.rotation.count { self.nextEndpoint = 0 }
        let index = self.rotation[self.nextEndpoint]
        self.nextEndpoint += 1
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
            return (best, index)
        }
        let connection = UpstreamConnection(endpoint: self.cluster.endpoints[index], eventLoop: self.eventLoop, cluster: self.cluster)
        connection.onRetire = { [weak self] retired in
            self?.remove(retired, endpointIndex: index)
        }
        self.connections[index].append(connection)
        return (connection, index)
    }

    private func remove(_ connection: UpstreamConnection, endpointIndex: Int) {
        self.connections[endpointIndex].removeAll { $0 === connection }
    }

    func closeAll() {
        let all = self.connections.flatMap { $0 }
        for connection in all { connection.close() }
    }
}
