import Logging
import ServiceLifecycle

/// Runs the public listener and the admin listener under swift-service-lifecycle:
/// starts both, waits for graceful shutdown (SIGTERM/SIGINT in `edge serve`),
/// then drains the public listener and stops the admin one.
public struct EdgeService<Transcoder: RequestTranscoding>: Service {
    public let server: EdgeServer<Transcoder>
    public let admin: AdminServer?
    private let logger: Logger

    public init(server: EdgeServer<Transcoder>, admin: AdminServer?, logger: Logger = Logger(label: "edge")) {
        self.server = server
        self.admin = admin
        self.logger = logger
    }

    public func run() async throws {
        try await server.start()
        try await admin?.start()
        admin?.markReady(true)
        // Returns when a graceful shutdown is requested (or the task is cancelled).
        try? await gracefulShutdown()
        logger.info("shutting down: draining in-flight requests")
        admin?.markReady(false)
        await server.shutdown()
        await admin?.stop()
    }
}
