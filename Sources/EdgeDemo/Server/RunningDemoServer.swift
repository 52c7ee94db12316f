import GRPCCore
import GRPCNIOTransportHTTP2

/// A started demo server: where it listens, and how to stop it.
@available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
public final class RunningDemoServer: Sendable {
    /// The bound IP address (e.g. `127.0.0.1`).
    public let host: String
    /// The bound TCP port (the ephemeral one when started with port 0).
    public let port: Int

    private let server: GRPCServer<HTTP2ServerTransport.Posix>
    private let serving: Task<Void, any Error>

    init(host: String, port: Int, server: GRPCServer<HTTP2ServerTransport.Posix>, serving: Task<Void, any Error>) {
        self.host = host
        self.port = port
        self.server = server
        self.serving = serving
    }

    /// `host:port`, IPv6 hosts in brackets: the upstream address to give a client.
    public var target: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Stops accepting connections and lets running calls finish; calls still running after
    /// `gracePeriod` are cancelled. Returns once the server has stopped.
    public func shutdown(gracePeriod: Duration = .seconds(5)) async {
        server.beginGracefulShutdown()
        let serving = self.serving
        let deadline = Task {
            try await Task.sleep(for: gracePeriod)
            serving.cancel()
        }
        _ = await serving.result
        deadline.cancel()
    }

    /// Suspends until the server stops (after `shutdown()`, or a transport failure, thrown).
    /// Cancelling the waiting task stops the server.
    public func waitUntilStopped() async throws {
        let serving = self.serving
        try await withTaskCancellationHandler {
            try await serving.value
        } onCancel: {
            serving.cancel()
        }
    }
}
