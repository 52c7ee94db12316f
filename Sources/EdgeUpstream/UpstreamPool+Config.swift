import EdgeConfig
import EdgeCore

extension UpstreamPool {
    /// The pool a validated configuration describes: one cluster per
    /// `clusters:` entry, services routed by full name or package prefix.
    /// - Parameter overload: the in-flight counters of `max_requests` (a reload carries them over).
    public convenience init(config: EdgeConfig, overload: OverloadCounters = OverloadCounters()) throws {
        let budget = RetryBudget.Configuration(ratio: config.defaults.retries.budget ?? 0.2)
        var clusters: [UpstreamClusterConfig] = []
        for cluster in config.clusters {
            clusters.append(
                UpstreamClusterConfig(
                    name: cluster.name,
                    endpoints: cluster.endpoints,
                    tls: cluster.tls != nil,
                    tlsCAFile: cluster.tls?.caFile,
                    tlsCertFile: cluster.tls?.certFile,
                    tlsKeyFile: cluster.tls?.keyFile,
                    tlsServerName: cluster.tls?.serverName,
                    retryBudget: budget,
                    circuitBreaker: cluster.circuitBreaker,
                    healthCheck: cluster.healthCheck,
                    outlierDetection: cluster.outlierDetection,
                    maxRequests: cluster.maxRequests))
        }
        try self.init(clusters: clusters, services: ClusterMap(clusters: config.clusters), overload: overload)
    }
}
