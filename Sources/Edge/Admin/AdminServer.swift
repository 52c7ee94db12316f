import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import EdgeConfig
import EdgePolicy
import EdgeUpstream

/// The admin listener (its own port, normally loopback only):
/// `GET /healthz`, `GET /readyz`, `GET /admin/routes`, `GET /admin/upstreams`, `GET /metrics`,
/// and `POST /admin/reload` when the gateway reloads.
public final class AdminServer: Sendable {
    public typealias Settings = AdminSettings

    /// Whether every configured cluster has a reachable endpoint (the upstream pool answers this).
    public typealias UpstreamsReachable = @Sendable () -> Bool
    /// The upstream clusters' breakers, endpoints and counters (``UpstreamPool/upstreamStatus()``).
    public typealias UpstreamsStatus = @Sendable () -> [UpstreamClusterStatus]

    /// Reloads the configuration for `POST /admin/reload`: whether it was
    /// swapped in, and the JSON body to answer with.
    public typealias Reload = @Sendable () async -> (reloaded: Bool, json: String)

    package let settings: Settings
    private let routesProvider: @Sendable () -> [RouteDescription]
    package var routes: [RouteDescription] { routesProvider() }
    package let reload: Reload?
    package let metrics: EdgeMetrics
    package let upstreamsReachable: UpstreamsReachable
    package let upstreamsStatus: UpstreamsStatus
    private let group: any EventLoopGroup
    private let logger: Logger
    private let ready = NIOLockedValueBox(false)
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)

    public convenience init(
        settings: Settings, routes: [RouteDescription], metrics: EdgeMetrics,
        upstreamsReachable: @escaping UpstreamsReachable = { true },
        upstreamsStatus: @escaping UpstreamsStatus = { [] },
        group: any EventLoopGroup, logger: Logger = Logger(label: "edge.admin")
    ) {
        self.init(
            settings: settings, currentRoutes: { routes }, reload: nil, metrics: metrics, upstreamsReachable: upstreamsReachable,
            upstreamsStatus: upstreamsStatus, group: group, logger: logger)
    }

    /// An admin server over a configuration that can change: the routes are read
    /// per request, and `reload` serves `POST /admin/reload`.
    public init(
        settings: Settings, currentRoutes: @escaping @Sendable () -> [RouteDescription], reload: Reload?, metrics: EdgeMetrics,
        upstreamsReachable: @escaping UpstreamsReachable = { true },
        upstreamsStatus: @escaping UpstreamsStatus = { [] },
        group: any EventLoopGroup, logger: Logger = Logger(label: "edge.admin")
    ) {
        self.settings = settings
        self.routesProvider = currentRoutes
        self.reload = reload
        self.metrics = metrics
        self.upstreamsReachable = upstreamsReachable
        self.upstreamsStatus = upstreamsStatus
        self.group = group
        self.logger = logger
    }

    /// Set once the configuration is loaded and the listener runs; cleared when draining.
    public func markReady(_ value: Bool) { ready.withLockedValue { $0 = value } }

    package var isReady: Bool { ready.withLockedValue { $0 } && upstreamsReachable() }

    @discardableResult
    public func start() async throws -> SocketAddress {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(AdminHandler(server: self))
                }
            }
        let bound = try await bootstrap.bind(host: settings.host, port: settings.port).get()
        channel.withLockedValue { $0 = bound }
        logger.info("admin listening", metadata: ["address": "\(bound.localAddress!)"])
        return bound.localAddress!
    }

    public var localAddress: SocketAddress? { channel.withLockedValue { $0?.localAddress } }

    public func stop() async {
        let current = channel.withLockedValue { value -> (any Channel)? in
            defer { value = nil }
            return value
        }
        try? await current?.close()
    }
}
