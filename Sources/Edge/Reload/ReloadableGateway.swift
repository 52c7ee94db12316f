import DescriptorLoader
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
import EdgeConfig
import EdgeCore
import EdgePolicy
import EdgeTLS

/// The gateway as `edge serve` runs it: the public and admin listeners over a
/// ``GatewaySnapshotStore``, reloaded by SIGHUP, by `POST /admin/reload`, and
/// (with `reload.watch`) when the configuration or descriptor files change.
public final class ReloadableGateway: Sendable {
    public let store: GatewaySnapshotStore
    public let reloader: GatewayReloader
    public let server: EdgeServer<ReloadingTranscoder>
    public let admin: AdminServer
    private let configFile: String?
    private let logger: Logger
    private let watcher = NIOLockedValueBox<Task<Void, Never>?>(nil)
    private let sighup = NIOLockedValueBox<ReloadSignal?>(nil)
    private let sigusr1 = NIOLockedValueBox<AccessLogReopenSignal?>(nil)
    /// Metrics, access log and traces; survives reloads.
    public let telemetry: EdgeTelemetry
    private let watcherRoundCount = NIOLockedValueBox(0)

    /// Rounds the file watcher has finished (each: fingerprint, compare, reload if changed
    /// and watched). A change written before round N started is handled once N finished:
    /// tests wait on this instead of sleeping.
    public var watcherRounds: Int { watcherRoundCount.withLockedValue { $0 } }

    /// Loads the configuration file (generation 1); throws ``GatewayLoadError`` with every problem.
    public static func load(
        configFile: String, group: any EventLoopGroup, logger: Logger = Logger(label: "edge"), metrics: EdgeMetrics? = nil
    ) async throws -> ReloadableGateway {
        try await load(source: .file(configFile), group: group, logger: logger, metrics: metrics)
    }

    /// The gateway over a configuration and schema built in memory (`edge demo`, tests): the
    /// same assembly as a file's, without a file to watch or reload from.
    public static func load(
        config: EdgeConfig, schema: Schema, group: any EventLoopGroup, logger: Logger = Logger(label: "edge"),
        metrics: EdgeMetrics? = nil
    ) async throws -> ReloadableGateway {
        try await load(source: .fixed(config, schema), group: group, logger: logger, metrics: metrics)
    }

    package static func load(
        source: GatewayLoader.Source, group: any EventLoopGroup, logger: Logger, metrics: EdgeMetrics?
    ) async throws -> ReloadableGateway {
        let telemetry = EdgeTelemetry(group: group, metrics: metrics, logger: logger)
        let loader = GatewayLoader(source: source, group: group, logger: logger, telemetry: telemetry)
        let initial: GatewaySnapshot
        do {
            initial = try await loader.load(generation: 1, previous: nil)
        } catch {
            await telemetry.shutdown()
            throw error
        }
        return ReloadableGateway(initial: initial, loader: loader, group: group, logger: logger, telemetry: telemetry)
    }

    private init(initial: GatewaySnapshot, loader: GatewayLoader, group: any EventLoopGroup, logger: Logger, telemetry: EdgeTelemetry) {
        let metrics = telemetry.metrics
        self.telemetry = telemetry
        let store = GatewaySnapshotStore(initial)
        let config = initial.config
        let context = RequestContext(
            transcoder: ReloadingTranscoder(store: store), upstream: ReloadingUpstream(store: store),
            limits: config.listen.server.limits, metadataPolicy: config.metadataPolicy, metrics: metrics,
            detailsRenderer: { serialized in store.current.detailsRenderer?(serialized) })
        self.store = store
        self.configFile = loader.configFile
        self.logger = logger
        // TLS follows the snapshot in force, and its files when they change on disk.
        let tls = initial.listenerTLS.map { ListenerTLS($0, follow: { store.current.listenerTLS }, logger: logger) }
        let server = EdgeServer(settings: config.listen.server, context: context, group: group, tls: tls, logger: logger)
        let reloader = GatewayReloader(store: store, loader: loader, group: group, logger: logger, connectionLimit: server.connectionLimit)
        self.server = server
        self.reloader = reloader
        metrics.setCollector("gateway") { writer in
            let current = store.current
            GatewayMetricsText.write(
                connections: server.connectionLimit.stats, overload: current.overload, redis: current.rateLimitStores?.global?.stats,
                into: &writer)
        }
        self.admin = AdminServer(
            settings: config.listen.admin, currentRoutes: { store.current.routes },
            reload: { Self.adminAnswer(await reloader.reload(reason: "admin")) },
            metrics: metrics, upstreamsReachable: { store.current.upstreamsReady },
            upstreamsStatus: { store.current.upstream.upstreamStatus() },
            group: group, logger: logger)
    }

    /// Starts listening and the reload triggers (SIGHUP only when `handleSIGHUP`:
    /// a signal is process-wide, tests run several gateways in one process).
    public func start(handleSIGHUP: Bool = true) async throws {
        try await server.start()
        try await admin.start()
        admin.markReady(true)
        logger.info("serving", metadata: ["generation": "\(store.current.generation)", "routes": "\(store.current.routes.count)"])
        let reloader = self.reloader
        if handleSIGHUP {
            let signal = ReloadSignal()
            if configFile != nil {
                signal.start { Task { await reloader.reload(reason: "SIGHUP") } }
            } else {
                // Handled every time, never the default action (terminate): there is nothing to reread.
                let logger = self.logger
                signal.start { logger.notice("SIGHUP: no configuration file to reload (the configuration is built in); ignored") }
            }
            sighup.withLockedValue { $0 = signal }
            let telemetry = self.telemetry
            let reopen = AccessLogReopenSignal()
            reopen.start { telemetry.reopenAccessLog() }
            sigusr1.withLockedValue { $0 = reopen }
        }
        let store = self.store
        let configFile = self.configFile
        server.tls?.startWatching(interval: { Duration.nanoseconds(store.current.config.reload.pollInterval.nanoseconds) })
        let watcherRoundCount = self.watcherRoundCount
        guard let configFile else { return }
        watcher.withLockedValue {
            $0 = Task.detached {
                await ReloadFileWatcher.run(
                    files: { ReloadFileWatcher.files(configFile: configFile, config: store.current.config) },
                    interval: { Duration.nanoseconds(store.current.config.reload.pollInterval.nanoseconds) },
                    // Read each round: a reload may turn watching on or off.
                    enabled: { store.current.config.reload.watch },
                    onChange: { await reloader.reload(reason: "file change") },
                    roundFinished: { watcherRoundCount.withLockedValue { $0 += 1 } })
            }
        }
    }

    /// Stops the triggers, then drains the public listener and stops the admin one.
    public func shutdown() async {
        watcher.withLockedValue { $0?.cancel(); $0 = nil }
        sighup.withLockedValue { $0?.stop(); $0 = nil }
        sigusr1.withLockedValue { $0?.stop(); $0 = nil }
        server.tls?.stopWatching()
        admin.markReady(false)
        await server.shutdown()
        await admin.stop()
        let current = store.current
        current.reachability?.stop()
        current.upstream.close()
        await telemetry.shutdown()
    }

    package static func adminAnswer(_ outcome: ReloadOutcome) -> (reloaded: Bool, json: String) {
        switch outcome {
        case .reloaded(let generation, let routes):
            return (true, #"{"reloaded":true,"generation":\#(generation),"routes":\#(routes)}"#)
        case .refused(let problems):
            return (false, #"{"reloaded":false,"problems":["# + problems.map(JSONText.quoted).joined(separator: ",") + "]}")
        }
    }
}

/// Runs a ``ReloadableGateway`` under swift-service-lifecycle until graceful shutdown.
public struct ReloadableGatewayService: Service {
    public let gateway: ReloadableGateway
    private let logger: Logger

    public init(gateway: ReloadableGateway, logger: Logger = Logger(label: "edge")) {
        self.gateway = gateway
        self.logger = logger
    }

    public func run() async throws {
        try await gateway.start()
        try? await gracefulShutdown()
        logger.info("shutting down: draining in-flight requests")
        await gateway.shutdown()
    }
}
