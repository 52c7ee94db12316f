import NIOCore

/// A cluster's connections on one event loop: round-robin over the endpoints in the
/// rotation (see ``UpstreamEndpointHealth``), then the least-busy live connection to that
/// endpoint, opening another when all are at `maxConcurrentStreams` (up to
/// `maxConnectionsPerEndpoint`). Unary calls and streaming calls use separate connections
/// (``UpstreamConnection/Kind``); the streaming ones are opened only when a stream needs one.
///
/// Confined to `eventLoop` (hence `@unchecked Sendable`): calls on that loop never hop threads.
package final class UpstreamLoopPool: @unchecked Sendable {
    package let eventLoop: EventLoop
    private let cluster: UpstreamCluster
    /// Per endpoint: the unary connections, then the multiplexed (streaming) ones.
    private var unaryConnections: [[UpstreamConnection]]
    private var streamingConnections: [[UpstreamConnection]]
    private var nextEndpoint = 0
    /// The endpoints in the rotation as of ``rotationVersion`` of the cluster's endpoint health.
    private var rotation: [Int]
    private var rotationVersion: Int
    /// The deadlines of this loop's unary calls to the cluster.
    package let deadlines: UpstreamDeadlineTimer<UpstreamCallDriver>

    package init(cluster: UpstreamCluster, eventLoop: EventLoop) {
        self.cluster = cluster
        self.eventLoop = eventLoop
        self.deadlines = UpstreamDeadlineTimer(eventLoop: eventLoop)
        self.unaryConnections = Array(repeating: [], count: cluster.endpoints.count)
        self.streamingConnections = Array(repeating: [], count: cluster.endpoints.count)
        self.rotationVersion = cluster.endpointHealth.version
        self.rotation = cluster.endpointHealth.rotation().indices
    }

    /// The connection for the next unary attempt and the index of its endpoint (for outlier detection).
    package func next() -> (connection: UpstreamConnection, endpoint: Int) {
        self.next(.unary)
    }

    /// The connection for the next streaming call and the index of its endpoint.
    package func nextStreaming() -> (connection: UpstreamConnection, endpoint: Int) {
        self.next(.multiplexed)
    }

    private func next(_ kind: UpstreamConnection.Kind) -> (connection: UpstreamConnection, endpoint: Int) {
        self.eventLoop.assertInEventLoop()
        let version = self.cluster.endpointHealth.version
        if version != self.rotationVersion {
            self.rotationVersion = version
            self.rotation = self.cluster.endpointHealth.rotation().indices
        }
        if self.nextEndpoint >= self.rotation.count { self.nextEndpoint = 0 }
        let index = self.rotation[self.nextEndpoint]
        self.nextEndpoint += 1
        let connections = kind == .unary ? self.unaryConnections[index] : self.streamingConnections[index]
        var best: UpstreamConnection?
        for connection in connections where connection.acceptsNewStreams {
            if best == nil || connection.activeStreams < best!.activeStreams {
                best = connection
            }
        }
        if let best,
            best.activeStreams < self.cluster.config.maxConcurrentStreams
                || connections.count >= self.cluster.config.maxConnectionsPerEndpoint
        {
            return (best, index)
        }
        let connection = UpstreamConnection(
            endpoint: self.cluster.endpoints[index], eventLoop: self.eventLoop, cluster: self.cluster, kind: kind)
        connection.onRetire = { [weak self] retired in
            self?.remove(retired, endpointIndex: index)
        }
        switch kind {
        case .unary: self.unaryConnections[index].append(connection)
        case .multiplexed: self.streamingConnections[index].append(connection)
        }
        return (connection, index)
    }

    private func remove(_ connection: UpstreamConnection, endpointIndex: Int) {
        switch connection.kind {
        case .unary: self.unaryConnections[endpointIndex].removeAll { $0 === connection }
        case .multiplexed: self.streamingConnections[endpointIndex].removeAll { $0 === connection }
        }
    }

    /// This loop's unary connections, every endpoint's (tests).
    package var unaryConnectionsSnapshot: [UpstreamConnection] { self.unaryConnections.flatMap { $0 } }

    package func closeAll() {
        let all = self.unaryConnections.flatMap { $0 } + self.streamingConnections.flatMap { $0 }
        for connection in all { connection.close() }
    }
}
