import NIOConcurrencyHelpers
import NIOCore
import NIOSSL

/// A configured cluster at run time: endpoints, TLS context, retry budget, and one
/// ``UpstreamLoopPool`` per event loop that has made calls to it.
final class UpstreamCluster: Sendable {
    let config: UpstreamClusterConfig
    let endpoints: [UpstreamEndpoint]
    let sslContext: NIOSSLContext?
    let budget: RetryBudget
    let stats = UpstreamStatsBox()
    private let loopPools = NIOLockedValueBox<[ObjectIdentifier: UpstreamLoopPool]>([:])

    init(config: UpstreamClusterConfig) throws {
        guard !config.endpoints.isEmpty else {
            throw UpstreamConfigError("cluster '\(config.name)' has no endpoints")
        }
        self.endpoints = try config.endpoints.map { text in
            guard let endpoint = UpstreamEndpoint(parsing: text) else {
                throw UpstreamConfigError("cluster '\(config.name)': endpoint '\(text)' is not host:port")
            }
            return endpoint
        }
        self.config = config
        self.budget = RetryBudget(configuration: config.retryBudget)
        self.sslContext = config.tls ? try UpstreamTLS.makeContext(for: config) : nil
    }

    /// The pool of `eventLoop`, created on first use. Cheap enough per call: one
    /// uncontended lock and a dictionary look-up.
    func loopPool(for eventLoop: EventLoop) -> UpstreamLoopPool {
        let key = ObjectIdentifier(eventLoop)
        return self.loopPools.withLockedValue { pools in
            if let pool = pools[key] { return pool }
            let pool = UpstreamLoopPool(cluster: self, eventLoop: eventLoop)
            pools[key] = pool
            return pool
        }
    }

    /// Closes every connection of every loop (asynchronously, on each loop).
    func closeAll() {
        let pools = self.loopPools.withLockedValue { Array($0.values) }
        for pool in pools {
            pool.eventLoop.execute { pool.closeAll() }
        }
    }
}

/// A cluster configuration that cannot be used, with the reason.
public struct UpstreamConfigError: Error, CustomStringConvertible, Equatable {
    public var description: String
    init(_ description: String) { self.description = description }
}
