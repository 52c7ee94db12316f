import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import EdgeConfig
import EdgeCore

/// A configured cluster at run time: endpoints, TLS context, retry budget, circuit
/// breaker, endpoint health (active checks and outlier ejection), and one
/// ``UpstreamLoopPool`` per event loop that has made calls to it.
package final class UpstreamCluster: Sendable {
    package let config: UpstreamClusterConfig
    package let endpoints: [UpstreamEndpoint]
    package let sslContext: NIOSSLContext?
    package let budget: RetryBudget
    package let stats = UpstreamStatsBox()
    package let breaker: CircuitBreaker
    /// Which endpoints take calls: health-check results and ejections.
    package let endpointHealth: UpstreamEndpointHealth
    package let outliers: OutlierDetector
    /// The cap on calls in flight (`max_requests`); `nil`: none.
    package let requestLimit: InFlightLimit?
    private let loopPools = NIOLockedValueBox<[ObjectIdentifier: UpstreamLoopPool]>([:])
    private let healthChecker = NIOLockedValueBox<HealthChecker?>(nil)

    /// - Parameter requestLimit: the cap with the counter a reload carries over; by default
    ///   a fresh one of `config.maxRequests`.
    package init(config: UpstreamClusterConfig, requestLimit: InFlightLimit? = nil) throws {
        guard !config.endpoints.isEmpty else {
            throw UpstreamConfigError("cluster '\(config.name)' has no endpoints")
        }
        self.endpoints = config.endpoints
        self.config = config
        self.budget = RetryBudget(configuration: config.retryBudget)
        self.sslContext = config.tls ? try UpstreamTLS.makeContext(for: config) : nil
        self.breaker = CircuitBreaker(configuration: config.circuitBreaker)
        self.endpointHealth = UpstreamEndpointHealth(endpoints: self.endpoints)
        self.outliers = OutlierDetector(configuration: config.outlierDetection, health: self.endpointHealth)
        self.requestLimit = requestLimit ?? config.maxRequests.map { InFlightLimit(maximum: $0) }
    }

    /// Takes one of the cluster's `max_requests` slots for a call (true without a cap). A call
    /// let in hands it back with ``releaseRequest()`` exactly once, however it ends; one
    /// refused fails at once with ``overflowStatus`` and does not reach the circuit breaker.
    @inline(__always)
    package func admitRequest() -> Bool {
        self.requestLimit?.tryAcquire() ?? true
    }

    @inline(__always)
    package func releaseRequest() {
        self.requestLimit?.release()
    }

    /// The status of a call over `max_requests`: UNAVAILABLE, hence HTTP 503.
    package var overflowStatus: GRPCStatus {
        GRPCStatus(
            code: .unavailable,
            message: "cluster \(self.config.name) has its maximum of \(self.requestLimit?.maximum ?? 0) requests in flight (max_requests); try again later")
    }

    /// Asks the circuit breaker whether a call may start (the unary driver does; streaming
    /// calls should too). Nil: the breaker is open, fail the call with ``breakerOpenStatus``.
    /// Otherwise hand the permit back to ``record(_:permit:)`` when the call ends.
    @inline(__always)
    package func admit() -> CircuitBreaker.Permit? {
        self.breaker.admit()
    }

    /// Records a call's final status with the circuit breaker (see
    /// ``CircuitBreakerState/countsAsFailure(_:)`` for what counts).
    @inline(__always)
    package func record(_ code: GRPCStatusCode, permit: CircuitBreaker.Permit) {
        self.breaker.record(code, permit: permit)
    }

    /// The status of a call the open breaker turned away: UNAVAILABLE, hence HTTP 503.
    package var breakerOpenStatus: GRPCStatus {
        GRPCStatus(code: .unavailable, message: "circuit breaker open for cluster \(self.config.name)")
    }

    /// Starts active health checks on `eventLoop` when the cluster configures them.
    package func startHealthChecks(on eventLoop: any EventLoop) {
        guard let configuration = self.config.healthCheck else { return }
        let checker = self.healthChecker.withLockedValue { current -> HealthChecker? in
            guard current == nil else { return nil }
            let checker = HealthChecker(cluster: self, configuration: configuration, eventLoop: eventLoop)
            current = checker
            return checker
        }
        checker?.start()
    }

    /// The cluster as `GET /admin/upstreams` shows it.
    package func status() -> UpstreamClusterStatus {
        let now = NIODeadline.now()
        let records = self.endpointHealth.snapshot
        let inRotation = records.filter(\.inRotation).count
        let endpoints = records.enumerated().map { index, record in
            UpstreamEndpointStatus(
                address: self.endpoints[index].description,
                health: record.health.rawValue,
                inRotation: record.inRotation,
                lastCheck: record.lastCheck.map { UpstreamAdminClock.wallTime(of: $0, now: now) },
                lastError: record.lastError,
                ejected: record.ejectedUntil != nil,
                ejectedForSeconds: record.ejectedUntil.map { Double(($0 - now).nanoseconds) / 1e9 },
                ejections: record.ejections,
                consecutiveFailures: self.outliers.consecutiveFailures(endpoint: index))
        }
        return UpstreamClusterStatus(
            name: self.config.name, circuitBreaker: self.breaker.status(now: now),
            healthChecks: self.config.healthCheck != nil, outlierDetection: self.config.outlierDetection.enabled,
            panic: inRotation == 0, endpoints: endpoints, stats: self.stats.snapshot)
    }

    /// The pool of `eventLoop`, created on first use. Cheap enough per call: one
    /// uncontended lock and a dictionary look-up.
    package func loopPool(for eventLoop: EventLoop) -> UpstreamLoopPool {
        let key = ObjectIdentifier(eventLoop)
        return self.loopPools.withLockedValue { pools in
            if let pool = pools[key] { return pool }
            let pool = UpstreamLoopPool(cluster: self, eventLoop: eventLoop)
            pools[key] = pool
            return pool
        }
    }

    /// Closes every connection of every loop (asynchronously, on each loop).
    package func closeAll() {
        let checker = self.healthChecker.withLockedValue { current -> HealthChecker? in
            defer { current = nil }
            return current
        }
        checker?.stop()
        let pools = self.loopPools.withLockedValue { Array($0.values) }
        for pool in pools {
            pool.eventLoop.execute { pool.closeAll() }
        }
    }
}

/// A cluster configuration that cannot be used, with the reason.
public struct UpstreamConfigError: Error, CustomStringConvertible, Equatable {
    public var description: String
    package init(_ description: String) { self.description = description }
}
