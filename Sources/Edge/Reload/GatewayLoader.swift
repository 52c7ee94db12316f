import DescriptorLoader
import Logging
import NIOCore
import NIOPosix
import EdgeConfig
import EdgeCore
import EdgePolicy
import EdgeTLS
import EdgeUpstream

/// The one assembly of the gateway: builds a ``GatewaySnapshot`` — the transcoder with its
/// compiled routes and policy chains, the upstream pool, rate-limit stores, JWT providers and
/// observers — from a configuration. `edge serve`, `edge demo`, the tests and every reload go
/// through ``load(generation:previous:)``; only where the configuration comes from differs
/// (``Source``).
///
/// From a file: parse and validate it, discover the schema of `reflection: true` clusters,
/// load the descriptors, check the configuration against them, then assemble. Blocking work
/// (files, `protoc`) runs on NIO's thread pool, never on an event loop.
///
/// At start (no previous snapshot) every problem is fatal. On a reload, a
/// reflection cluster that cannot be reached keeps the schema it had.
public struct GatewayLoader: Sendable {
    /// Where the configuration comes from.
    public enum Source: Sendable {
        /// A YAML file, read again on every reload (`edge serve`).
        case file(String)
        /// A configuration and its schema built in memory (`edge demo`, tests): a reload
        /// assembles the same configuration again.
        case fixed(EdgeConfig, Schema)
    }

    public let source: Source
    package let group: any EventLoopGroup
    package let logger: Logger
    /// Each reflection exchange's timeout.
    package let reflectionTimeout: TimeAmount
    /// Where the snapshot's observers (access log, tracing) come from; `nil`: none (`edge validate`).
    package let telemetry: EdgeTelemetry?

    public init(
        source: Source, group: any EventLoopGroup, logger: Logger, reflectionTimeout: TimeAmount = .seconds(5),
        telemetry: EdgeTelemetry? = nil
    ) {
        self.source = source
        self.group = group
        self.logger = logger
        self.reflectionTimeout = reflectionTimeout
        self.telemetry = telemetry
    }

    /// The configuration file, when there is one.
    public var configFile: String? {
        if case .file(let file) = source { return file }
        return nil
    }

    /// Names the source in problems and logs: the file, or "the built-in configuration".
    package var sourceName: String { configFile ?? "the built-in configuration" }

    public func load(generation: Int, previous: GatewaySnapshot?) async throws -> GatewaySnapshot {
        switch source {
        case .file(let file):
            return try await loadFile(file, generation: generation, previous: previous)
        case .fixed(let config, let schema):
            return try await assemble(
                config: config, schema: schema, discovered: [:], listenerTLS: try await listenerTLS(config),
                generation: generation, previous: previous)
        }
    }

    private func loadFile(_ file: String, generation: Int, previous: GatewaySnapshot?) async throws -> GatewaySnapshot {
        let parsed: EdgeConfig
        do {
            parsed = try await NIOThreadPool.singleton.runIfActive { try ConfigLoader.load(file: file) }
        } catch let error as ConfigError {
            throw GatewayLoadError(file: file, problems: error.problems.map(\.description))
        }

        let listenerTLS = try await listenerTLS(parsed)

        var discovered: [String: DiscoveredSchema] = [:]
        for cluster in parsed.clusters where cluster.reflection {
            do {
                let schema = try await SchemaDiscovery.discover(cluster, group: group, timeout: reflectionTimeout)
                discovered[cluster.name] = schema
                logger.info("discovered by reflection", metadata: [
                    "cluster": "\(cluster.name)", "services": "\(schema.services.joined(separator: ","))",
                    "files": "\(schema.files.names.count)", "reflection": "\(schema.reflectionVersion)",
                ])
            } catch {
                guard let kept = previous?.discovered[cluster.name] else {
                    throw GatewayLoadError(file: file, problems: ["clusters '\(cluster.name)': schema discovery by reflection failed: \(Self.describe(error))"])
                }
                logger.warning("reflection failed; keeping the cluster's previous schema", metadata: [
                    "cluster": "\(cluster.name)", "error": "\(Self.describe(error))",
                ])
                discovered[cluster.name] = kept
            }
        }
        let config = Self.routingDiscovered(parsed, discovered)

        let sources = config.descriptors.sources
        let importPaths = config.descriptors.importPaths
        let ordered = config.clusters.compactMap { discovered[$0.name] }
        let schema: Schema
        do {
            schema = try await NIOThreadPool.singleton.runIfActive {
                try GatewaySchema.load(sources: sources, importPaths: importPaths, discovered: ordered)
            }
        } catch {
            throw GatewayLoadError(file: file, problems: ["descriptors: cannot load: \(Self.describe(error))"])
        }
        return try await assemble(
            config: config, schema: schema, discovered: discovered, listenerTLS: listenerTLS, generation: generation, previous: previous)
    }

    /// The public listener's TLS as `listen.tls` describes it, its files read off the event loops.
    private func listenerTLS(_ config: EdgeConfig) async throws -> ListenerTLSContext? {
        do {
            return try await NIOThreadPool.singleton.runIfActive { try config.listen.server.tls.map { try ListenerTLSContext.load($0) } }
        } catch {
            throw GatewayLoadError(file: sourceName, problems: ["listen.tls: \(error)"])
        }
    }

    /// The assembly proper: a checked configuration and its schema → the snapshot that serves them.
    private func assemble(
        config: EdgeConfig, schema: Schema, discovered: [String: DiscoveredSchema], listenerTLS: ListenerTLSContext?,
        generation: Int, previous: GatewaySnapshot?
    ) async throws -> GatewaySnapshot {
        let file = sourceName
        let problems = ConfigSchemaCheck.problems(config, schema: schema)
        guard problems.isEmpty else { throw GatewayLoadError(file: file, problems: problems.map(\.description)) }
        for warning in ConfigSchemaCheck.warnings(config, schema: schema) {
            logger.warning("\(warning)")
        }
        let rateLimitStores: RateLimitStores?
        do {
            rateLimitStores = try RateLimitStores.make(config: config, group: group, previous: previous?.rateLimitStores)
        } catch {
            throw GatewayLoadError(file: file, problems: ["redis: \(Self.describe(error))"])
        }
        if let old = previous?.rateLimitStores?.global, old !== rateLimitStores?.global {
            // Requests still on the old snapshot fall back to the failure mode.
            _ = old.shutdown()
        }
        // Providers whose configuration did not change keep their key sets and verified tokens.
        let observers: [any ExchangeObserver]
        do {
            observers = try telemetry?.observers(for: config.observability) ?? []
        } catch {
            throw GatewayLoadError(file: file, problems: ["observability: \(Self.describe(error))"])
        }
        let jwtProviders = JWTProviders.make(config: config, group: group, previous: previous?.jwtProviders ?? [])
        // Routes and clusters still configured keep their in-flight counts across the swap.
        let overload = OverloadCounters(carryingOver: previous?.overload)
        let transcoder: SchemaTranscoder
        do {
            let policies = GatewayPolicies(
                config: config, jwtProviders: jwtProviders, observers: observers, rateLimiter: rateLimitStores?.limiter(for: config),
                overload: overload)
            transcoder = try SchemaTranscoder(schema: schema, config: config, gatewayPolicies: policies)
        } catch {
            for provider in jwtProviders where previous?.jwtProviders.contains(where: { $0 === provider }) != true { provider.shutdown() }
            throw GatewayLoadError(file: file, problems: ["routes: \(Self.describe(error))"])
        }

        // Connections stay warm across reloads that do not change the clusters.
        let upstream: UpstreamPool
        let reachability: UpstreamReachability?
        var pinned: SnapshotUpstream?
        let upstreamKey = GatewaySnapshot.UpstreamKey(config: config)
        if let previous, previous.upstreamKey == upstreamKey {
            upstream = previous.upstream
            reachability = previous.reachability
            pinned = previous.pinnedUpstream
            // The same clusters, the same caps: list their counters in this snapshot's table.
            for cluster in config.clusters {
                if let maximum = cluster.maxRequests { _ = overload.cluster(cluster.name, maximum: maximum) }
            }
        } else {
            do {
                upstream = try UpstreamPool(config: config, overload: overload)
            } catch {
                throw GatewayLoadError(file: file, problems: ["clusters: \(error)"])
            }
            upstream.startHealthChecks(on: group.next())
            let probe = UpstreamReachability(config: config)
            probe.start(on: group.next())
            reachability = probe
            if previous?.upstreamsReady == true {
                // `/readyz` reads the new pool and probe after the swap: give them a moment
                // to see the clusters first (a TCP probe, a first health check), so that a
                // reload does not flap readiness.
                let deadline = NIODeadline.now() + .seconds(1)
                while !UpstreamReadiness.isReady(upstream, reachability: probe), NIODeadline.now() < deadline {
                    try? await Task.sleep(for: .milliseconds(20))
                }
            }
        }
        return GatewaySnapshot(
            generation: generation, config: config, schema: schema, transcoder: transcoder, upstream: upstream,
            reachability: reachability, routes: ConfigSchemaCheck.routeDescriptions(config, schema: schema),
            discovered: discovered, pinnedUpstream: pinned, listenerTLS: listenerTLS, upstreamTLSFiles: upstreamKey.tlsFiles,
            rateLimitStores: rateLimitStores, jwtProviders: jwtProviders, overload: overload)
    }

    /// Adds each discovered service to its cluster's `services`, unless the
    /// configuration maps it (or a package prefix of it) to a cluster explicitly.
    package static func routingDiscovered(_ config: EdgeConfig, _ discovered: [String: DiscoveredSchema]) -> EdgeConfig {
        guard !discovered.isEmpty else { return config }
        let explicit = ClusterMap(clusters: config.clusters)
        var result = config
        var claimed = Set<String>()
        for index in result.clusters.indices {
            guard let schema = discovered[result.clusters[index].name] else { continue }
            for service in schema.services where explicit.cluster(forService: service) == nil && !claimed.contains(service) {
                claimed.insert(service)
                result.clusters[index].services.append(service)
            }
        }
        return result
    }

    package static func describe(_ error: any Error) -> String {
        if let discovery = error as? DiscoveryError { return discovery.message }
        if let many = error as? SchemaErrors { return many.errors.map(\.description).joined(separator: "; ") }
        return "\(error)"
    }
}

/// A configuration (or its schema) that cannot be served: every problem found.
public struct GatewayLoadError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var problems: [String]

    public init(file: String, problems: [String]) {
        self.file = file
        self.problems = problems
    }

    public var description: String {
        let noun = problems.count == 1 ? "problem" : "problems"
        return "\(file): \(problems.count) \(noun)\n" + problems.map { "  " + $0 }.joined(separator: "\n")
    }
}
