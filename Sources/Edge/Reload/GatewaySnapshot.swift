import DescriptorLoader
import NIOConcurrencyHelpers
import NIOCore
import EdgeConfig
import EdgeCore
import EdgePolicy
import EdgeTLS
import EdgeUpstream

/// One complete, immutable state of the gateway: the configuration, the schema
/// (configured sources plus what reflection discovered), the compiled
/// transcoder, the upstream pool and the route list. Requests read the current
/// snapshot once, at match time, and finish on it; a reload builds a new one and
/// swaps it in (see ``GatewaySnapshotStore``).
public final class GatewaySnapshot: Sendable {
    /// 1 for the configuration loaded at start, +1 per successful reload.
    public let generation: Int
    /// The configuration as loaded, with each reflection cluster's discovered
    /// services added to its `services`.
    public let config: EdgeConfig
    public let schema: Schema
    public let transcoder: SchemaTranscoder
    public let upstream: UpstreamPool
    public let reachability: UpstreamReachability?
    /// The public listener's TLS as this configuration describes it (`listen.tls`), built
    /// from its files while loading; `nil`: plaintext.
    public let listenerTLS: ListenerTLSContext?
    /// See ``UpstreamKey/tlsFiles``.
    package let upstreamTLSFiles: ReloadFileWatcher.Fingerprint

    /// `/readyz`'s upstream part for this snapshot (see ``UpstreamReadiness``).
    public var upstreamsReady: Bool {
        guard let reachability else { return true }
        return UpstreamReadiness.isReady(upstream, reachability: reachability)
    }
    public let routes: [RouteDescription]
    public let detailsRenderer: StatusDetailsRenderer?
    /// By cluster name: what reflection discovered (kept for reloads that cannot reach the cluster).
    public let discovered: [String: DiscoveredSchema]
    /// Calls on this snapshot's pool, counting its open streams: what requests matched
    /// on this snapshot are called with (``ReloadingTranscoder/pinnedUpstream(for:)``).
    public let pinnedUpstream: SnapshotUpstream
    /// The rate limits' counters and Redis client (shared with the previous snapshot when their settings did not change).
    public let rateLimitStores: RateLimitStores?
    /// The JWT providers of `auth.jwt` (key sets fetched and refreshed off the request path).
    public let jwtProviders: [JWTProvider]
    /// The in-flight counters of routes' `max_in_flight` and clusters' `max_requests` (carried
    /// over from the previous snapshot, so requests in flight across a reload keep counting).
    public let overload: OverloadCounters
    /// Streaming calls opened on this snapshot's pool and not finished yet.
    package var openStreams: NIOLockedValueBox<Int> { pinnedUpstream.openStreams }

    public init(
        generation: Int, config: EdgeConfig, schema: Schema, transcoder: SchemaTranscoder, upstream: UpstreamPool,
        reachability: UpstreamReachability?, routes: [RouteDescription], discovered: [String: DiscoveredSchema],
        pinnedUpstream: SnapshotUpstream? = nil, listenerTLS: ListenerTLSContext? = nil,
        upstreamTLSFiles: ReloadFileWatcher.Fingerprint? = nil, rateLimitStores: RateLimitStores? = nil,
        jwtProviders: [JWTProvider] = [], overload: OverloadCounters = OverloadCounters()
    ) {
        self.overload = overload
        self.rateLimitStores = rateLimitStores
        self.jwtProviders = jwtProviders
        self.generation = generation
        self.config = config
        self.schema = schema
        self.transcoder = transcoder
        self.upstream = upstream
        self.pinnedUpstream = pinnedUpstream ?? SnapshotUpstream(pool: upstream)
        self.reachability = reachability
        self.routes = routes
        self.detailsRenderer = transcoder.detailsRenderer(schema: schema)
        self.discovered = discovered
        self.listenerTLS = listenerTLS
        // nil: the files as they are now (the pool is being built from them).
        self.upstreamTLSFiles = upstreamTLSFiles ?? UpstreamKey(config: config).tlsFiles
    }

    /// The longest a unary request matched on this snapshot can still need its pool:
    /// its body may take up to the body-read timeout, then the call's deadline is capped
    /// by its route's `max_timeout` (retries included).
    public var maxCallDuration: TimeAmount {
        var longest = config.defaults.maxTimeout ?? RouteSettings().maxTimeout
        for route in config.routes {
            if let value = route.options.maxTimeout, value > longest { longest = value }
        }
        return longest + config.listen.server.limits.bodyReadTimeout
    }

    /// What the upstream pool is built from: two snapshots with equal keys share one pool.
    package var upstreamKey: UpstreamKey {
        UpstreamKey(clusters: config.clusters, retryBudget: config.defaults.retries.budget, tlsFiles: upstreamTLSFiles)
    }

    package struct UpstreamKey: Equatable {
        package var clusters: [EdgeConfig.Cluster]
        package var retryBudget: Double?
        /// The clusters' TLS files as they were when the pool was built: rotated
        /// certificates, keys or CAs get a new pool on the next reload.
        package var tlsFiles: ReloadFileWatcher.Fingerprint

        package init(clusters: [EdgeConfig.Cluster], retryBudget: Double?, tlsFiles: ReloadFileWatcher.Fingerprint) {
            self.clusters = clusters
            self.retryBudget = retryBudget
            self.tlsFiles = tlsFiles
        }

        /// The key of a pool built now from `config`.
        package init(config: EdgeConfig) {
            let files = config.clusters.compactMap(\.tls).flatMap { [$0.caFile, $0.certFile, $0.keyFile].compactMap { $0 } }
            self.init(clusters: config.clusters, retryBudget: config.defaults.retries.budget, tlsFiles: ReloadFileWatcher.fingerprint(files))
        }
    }
}

/// Holds the current ``GatewaySnapshot``. Reading costs one uncontended lock and a
/// retain (once per request, at match time); swapping is as cheap, and readers
/// that loaded the old snapshot keep it alive until their requests finish.
public final class GatewaySnapshotStore: Sendable {
    private let box: NIOLockedValueBox<GatewaySnapshot>

    public init(_ snapshot: GatewaySnapshot) {
        self.box = NIOLockedValueBox(snapshot)
    }

    public var current: GatewaySnapshot { box.withLockedValue { $0 } }

    /// Installs `snapshot` and returns the one it replaced.
    @discardableResult
    public func swap(_ snapshot: GatewaySnapshot) -> GatewaySnapshot {
        box.withLockedValue { value in
            let old = value
            value = snapshot
            return old
        }
    }
}
