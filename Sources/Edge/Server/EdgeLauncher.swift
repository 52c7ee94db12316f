import DescriptorLoader
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import EdgeConfig
import EdgeCore
import EdgePolicy
import EdgeTLS
import EdgeUpstream

/// Runs the gateway until SIGTERM or SIGINT: one event loop per thread, the public and
/// admin listeners of a ``ReloadableGateway`` under a `ServiceGroup`, a drain on shutdown.
public enum EdgeLauncher {
    /// Runs the configuration file with hot reload (see ``ReloadableGateway``).
    /// Throws ``GatewayLoadError`` when the file cannot be served.
    public static func run(
        configFile: String,
        environment: [String: String],
        logger: Logger = Logger(label: "edge")
    ) async throws {
        let config = try ConfigLoader.load(file: configFile)
        try await run(threads: config.eventLoopThreads(environment: environment), logger: logger) { group in
            try await ReloadableGateway.load(configFile: configFile, group: group, logger: logger)
        }
    }

    /// Runs a configuration and schema built in memory (`edge demo`), through the same
    /// assembly as a file's.
    public static func run(
        config: EdgeConfig, schema: Schema,
        environment: [String: String],
        logger: Logger = Logger(label: "edge")
    ) async throws {
        try await run(threads: config.eventLoopThreads(environment: environment), logger: logger) { group in
            try await ReloadableGateway.load(config: config, schema: schema, group: group, logger: logger)
        }
    }

    private static func run(
        threads: Int, logger: Logger, load: (_ group: any EventLoopGroup) async throws -> ReloadableGateway
    ) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        do {
            let gateway = try await load(group)
            logger.info("starting", metadata: ["threads": "\(threads)", "routes": "\(gateway.store.current.routes.count)"])
            let service = ReloadableGatewayService(gateway: gateway, logger: logger)
            let serviceGroup = ServiceGroup(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            try await serviceGroup.run()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        try await group.shutdownGracefully()
    }
}
