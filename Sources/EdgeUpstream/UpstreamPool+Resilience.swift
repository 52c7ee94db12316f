import NIOCore

extension UpstreamPool {
    /// Starts the active health checks of every cluster that configures them, on
    /// `eventLoop`; ``close()`` stops them.
    public func startHealthChecks(on eventLoop: any EventLoop) {
        for cluster in self.clusters.values { cluster.startHealthChecks(on: eventLoop) }
    }

    /// Every cluster's breaker, endpoints and counters, by name (`GET /admin/upstreams`).
    public func upstreamStatus() -> [UpstreamClusterStatus] {
        self.clusters.keys.sorted().compactMap { self.clusters[$0]?.status() }
    }
}
