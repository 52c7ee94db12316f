/// `/readyz`'s upstream part: every cluster can take calls. A cluster with active health
/// checks needs an endpoint whose checks pass (so the edge is not ready before the first
/// check says so, as Envoy's cluster warming); one without them needs an endpoint that
/// accepts TCP connections (``UpstreamReachability``). Outlier ejection does not count:
/// it reacts to calls, and a gateway taken out of a load balancer gets none.
public enum UpstreamReadiness {
    /// The clusters of `pool`, with `reachability`'s TCP probe for those without health checks.
    public static func isReady(_ pool: UpstreamPool, reachability: UpstreamReachability) -> Bool {
        isReady(pool.upstreamStatus(), reachable: reachability.isReachable(cluster:))
    }

    public static func isReady(_ clusters: [UpstreamClusterStatus], reachable: (String) -> Bool) -> Bool {
        clusters.allSatisfy { cluster in
            if cluster.healthChecks {
                return cluster.endpoints.contains { $0.health == "healthy" }
            }
            return reachable(cluster.name)
        }
    }
}
