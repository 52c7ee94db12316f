import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// What the gateway plugs into the server: built once from the configuration and the schema.
public struct GatewayComponents<Transcoder: RequestTranscoding>: Sendable {
    public var transcoder: Transcoder
    public var upstream: any UpstreamCalling
    public var routes: [RouteDescription]
    public var detailsRenderer: StatusDetailsRenderer?
    public var upstreamsReachable: AdminServer.UpstreamsReachable
    public var upstreamsStatus: AdminServer.UpstreamsStatus

    public init(
        transcoder: Transcoder, upstream: any UpstreamCalling, routes: [RouteDescription],
        detailsRenderer: StatusDetailsRenderer? = nil, upstreamsReachable: @escaping AdminServer.UpstreamsReachable = { true },
        upstreamsStatus: @escaping AdminServer.UpstreamsStatus = { [] }
    ) {
        self.transcoder = transcoder
        self.upstream = upstream
        self.routes = routes
        self.detailsRenderer = detailsRenderer
        self.upstreamsReachable = upstreamsReachable
        self.upstreamsStatus = upstreamsStatus
    }
}

/// Runs a validated configuration until SIGTERM or SIGINT: one event loop per
/// thread, the public and admin listeners under a `ServiceGroup`, a drain on shutdown.
public enum EdgeLauncher {
    public static func run<Transcoder: RequestTranscoding>(
        config: EdgeConfig,
        environment: [String: String],
        logger: Logger = Logger(label: "edge"),
        makeComponents: (_ group: any EventLoopGroup) throws -> GatewayComponents<Transcoder>
    ) async throws {
        let threads = config.eventLoopThreads(environment: environment)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        do {
            let components = try makeComponents(group)
            let metrics = EdgeMetrics(group: group)
            let context = RequestContext(
                transcoder: components.transcoder, upstream: components.upstream, limits: config.listen.server.limits,
                metadataPolicy: config.metadataPolicy, metrics: metrics, detailsRenderer: components.detailsRenderer)
            let tls = try config.listen.server.tls.map { try ListenerTLS(config: $0, logger: logger) }
            let pollInterval = config.reload.pollInterval
            tls?.startWatching(interval: { Duration.nanoseconds(pollInterval.nanoseconds) })
            defer { tls?.stopWatching() }
            let server = EdgeServer(settings: config.listen.server, context: context, group: group, tls: tls, logger: logger)
            let admin = AdminServer(
                settings: config.listen.admin, routes: components.routes, metrics: metrics,
                upstreamsReachable: components.upstreamsReachable, upstreamsStatus: components.upstreamsStatus,
                group: group, logger: logger)
            let service = EdgeService(server: server, admin: admin, logger: logger)
            logger.info("starting", metadata: ["threads": "\(threads)", "routes": "\(components.routes.count)"])
            let serviceGroup = ServiceGroup(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            try await serviceGroup.run()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        try await group.shutdownGracefully()
    }

    /// Runs the configuration file with hot reload (see ``ReloadableGateway``) until
    /// SIGTERM or SIGINT. Throws ``GatewayLoadError`` when the file cannot be served.
    public static func run(
        configFile: String,
        environment: [String: String],
        logger: Logger = Logger(label: "edge")
    ) async throws {
        let config = try ConfigLoader.load(file: configFile)
        let threads = config.eventLoopThreads(environment: environment)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        do {
            let gateway = try await ReloadableGateway.load(configFile: configFile, group: group, logger: logger)
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
