import NIOConcurrencyHelpers
import NIOCore
import NIOHPACK
import NIOHTTP2
import EdgeConfig

/// Active health checks of one cluster: every `interval`, a `grpc.health.v1.Health/Check`
/// call to each endpoint on a connection of its own (not the call pools' round robin), so
/// each check asks exactly that endpoint. Results go to ``UpstreamEndpointHealth``.
///
/// Runs on one event loop; every method but ``start()`` and ``stop()`` runs on it
/// (`@unchecked Sendable` for NIO's `@Sendable` callbacks, which run there too).
package final class HealthChecker: @unchecked Sendable {
    package let configuration: HealthCheckConfiguration
    package let eventLoop: any EventLoop
    private let cluster: UpstreamCluster
    private let requestBody: ByteBuffer
    private var connections: [UpstreamConnection?]
    private var inFlight: [Bool]
    private var task: RepeatedTask?
    private var stopped = false

    package init(cluster: UpstreamCluster, configuration: HealthCheckConfiguration, eventLoop: any EventLoop) {
        self.cluster = cluster
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.requestBody = HealthCheckMessages.framedRequest(service: configuration.service)
        self.connections = Array(repeating: nil, count: cluster.endpoints.count)
        self.inFlight = Array(repeating: false, count: cluster.endpoints.count)
    }

    /// Checks every endpoint now and then every `interval`.
    package func start() {
        self.eventLoop.execute { [self] in
            guard !self.stopped, self.task == nil else { return }
            self.task = self.eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: self.configuration.interval) { [self] _ in
                for index in self.connections.indices { self.check(index) }
            }
        }
    }

    /// Stops checking and closes the checks' connections.
    package func stop() {
        self.eventLoop.execute { [self] in
            self.stopped = true
            self.task?.cancel()
            self.task = nil
            for connection in self.connections { connection?.close() }
            self.connections = Array(repeating: nil, count: self.connections.count)
        }
    }

    private func connection(for index: Int) -> UpstreamConnection {
        if let connection = self.connections[index], connection.acceptsNewStreams { return connection }
        let connection = UpstreamConnection(
            endpoint: self.cluster.endpoints[index], eventLoop: self.eventLoop, cluster: self.cluster, kind: .unary)
        self.connections[index] = connection
        return connection
    }

    private func check(_ index: Int) {
        // A check still waiting for its answer (at most `timeout`) is not doubled up.
        guard !self.stopped, !self.inFlight[index] else { return }
        self.inFlight[index] = true
        let connection = self.connection(for: index)
        var timeoutTask: Scheduled<Void>?
        // The data path's unary call (frames on a `.unary` connection of its own), not a stream channel.
        let stream = UpstreamUnaryStream(
            requestHeaders: self.requestHeaders(authority: connection.authority),
            requestBody: self.requestBody,
            maxResponseBytes: 1024
        ) { [self] result in
            timeoutTask?.cancel()
            self.finished(index, Self.outcome(of: result))
        }
        // The timeout fires on this loop, where the stream lives.
        let boundStream = NIOLoopBound(stream, eventLoop: self.eventLoop)
        timeoutTask = self.eventLoop.scheduleTask(in: self.configuration.timeout) { [self] in
            boundStream.value.cancel()
            self.finished(index, (false, "no answer within \(ConfigDuration.format(self.configuration.timeout))"))
        }
        connection.activeStreams += 1
        connection.startUnary(stream)
    }

    private func finished(_ index: Int, _ outcome: (passed: Bool, error: String?)) {
        guard self.inFlight[index] else { return }
        self.inFlight[index] = false
        guard !self.stopped else { return }
        self.cluster.endpointHealth.recordCheck(endpoint: index, passed: outcome.passed, error: outcome.error, configuration: self.configuration)
    }

    /// SERVING passes; anything else fails, with the reason.
    package static func outcome(of result: UpstreamAttemptResult) -> (passed: Bool, error: String?) {
        switch result {
        case .failure(let attempt):
            return (false, attempt.status.message)
        case .response(let response):
            guard response.status.code == .ok else {
                return (false, "health check returned gRPC status \(response.status.code.rawValue) (\(response.status.code)): \(response.status.message)")
            }
            guard let message = response.message, let status = HealthCheckMessages.servingStatus(of: message) else {
                return (false, "health check returned no valid HealthCheckResponse")
            }
            return status == .serving ? (true, nil) : (false, "status \(status.name)")
        }
    }

    private func requestHeaders(authority: String) -> HPACKHeaders {
        [
            ":method": "POST",
            ":scheme": self.cluster.config.tls ? "https" : "http",
            ":path": HealthCheckMessages.path,
            ":authority": authority,
            "content-type": "application/grpc",
            "te": "trailers",
            "grpc-timeout": GRPCTimeout.encode(self.configuration.timeout),
        ]
    }
}
