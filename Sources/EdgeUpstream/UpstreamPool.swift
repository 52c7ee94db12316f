import NIOCore
import EdgeConfig
import EdgeCore

/// The edge's gRPC client: unary calls over pooled HTTP/2 connections (swift-nio-http2).
///
/// Connections are per cluster endpoint *per event loop*, opened lazily on the loop of
/// the downstream connection that needs them, so a call runs entirely on that loop: no
/// thread hop, no async/await. The future returned by ``call(_:policy:on:)`` never fails;
/// ``call(_:policy:on:completion:)`` is the same call without a future.
public final class UpstreamPool: UpstreamCalling {
    package let clusters: [String: UpstreamCluster]
    private let services: ClusterMap

    /// - Parameters:
    ///   - clusters: the upstream clusters.
    ///   - services: service name or package prefix → cluster name; the longest match wins,
    ///     `*` matches every service.
    public convenience init(clusters: [UpstreamClusterConfig], services: [String: String]) throws {
        for (service, cluster) in services.sorted(by: { $0.key < $1.key }) where !clusters.contains(where: { $0.name == cluster }) {
            throw UpstreamConfigError("service '\(service)' refers to unknown cluster '\(cluster)'")
        }
        try self.init(clusters: clusters, services: ClusterMap(services))
    }

    /// - Parameters:
    ///   - clusters: the upstream clusters.
    ///   - services: which cluster serves each service (``ClusterMap``).
    ///   - overload: where the clusters' `max_requests` counters come from (a reload carries them over).
    public init(clusters: [UpstreamClusterConfig], services: ClusterMap, overload: OverloadCounters = OverloadCounters()) throws {
        var byName: [String: UpstreamCluster] = [:]
        for config in clusters {
            guard byName[config.name] == nil else {
                throw UpstreamConfigError("cluster '\(config.name)' is defined twice")
            }
            let limit = config.maxRequests.map { overload.cluster(config.name, maximum: $0) }
            byName[config.name] = try UpstreamCluster(config: config, requestLimit: limit)
        }
        for cluster in services.clusterNames where byName[cluster] == nil {
            throw UpstreamConfigError("services refer to unknown cluster '\(cluster)'")
        }
        self.clusters = byName
        self.services = services
    }

    public func call(_ request: UpstreamRequest, policy: CallPolicy, on eventLoop: any EventLoop) -> EventLoopFuture<UpstreamResponse> {
        let promise = eventLoop.makePromise(of: UpstreamResponse.self)
        self.call(request, policy: policy, on: eventLoop) { response in
            promise.succeed(response)
        }
        return promise.futureResult
    }

    public func call(
        _ request: UpstreamRequest, policy: CallPolicy, on eventLoop: any EventLoop,
        completion: @escaping @Sendable (UpstreamResponse) -> Void
    ) {
        guard let name = self.services.cluster(forService: request.service), let cluster = self.clusters[name] else {
            let status = GRPCStatus(code: .unimplemented, message: "no upstream cluster is configured for service '\(request.service)'")
            if eventLoop.inEventLoop {
                completion(UpstreamResponse(status: status))
            } else {
                eventLoop.execute { completion(UpstreamResponse(status: status)) }
            }
            return
        }
        let driver = UpstreamCallDriver(request: request, policy: policy, eventLoop: eventLoop, cluster: cluster, completion: completion)
        if eventLoop.inEventLoop {
            driver.start()
        } else {
            eventLoop.execute { driver.start() }
        }
    }

    /// Counters of one cluster.
    public func stats(cluster: String) -> UpstreamStats? {
        self.clusters[cluster]?.stats.snapshot
    }

    /// Calls in flight to a cluster with `max_requests`, and its refusals; `nil`: no such
    /// cluster, or no cap.
    public func inFlight(cluster: String) -> InFlightStats? {
        guard let limit = self.clusters[cluster]?.requestLimit else { return nil }
        return InFlightStats(name: cluster, inFlight: limit.counter.inFlight, maximum: limit.maximum, refused: limit.counter.refused)
    }

    /// Closes every upstream connection; in-flight calls end with UNAVAILABLE.
    public func close() {
        for cluster in self.clusters.values { cluster.closeAll() }
    }
}

extension UpstreamPool: UpstreamStreaming {
    /// Opens a streaming call on the cluster of `head.service`, on a pooled connection of
    /// `eventLoop`. Without a cluster the call ends with UNIMPLEMENTED on a later loop tick.
    public func openStream(
        _ head: UpstreamStreamHead, policy: CallPolicy, on eventLoop: any EventLoop,
        observer: any UpstreamStreamObserver
    ) -> any UpstreamStreamControl {
        let call = UpstreamStreamingCall(head: head, policy: policy, eventLoop: eventLoop, observer: observer)
        let cluster = self.services.cluster(forService: head.service).flatMap { self.clusters[$0] }
        let start: @Sendable () -> Void = {
            if let cluster {
                call.start(cluster: cluster)
            } else {
                call.fail(GRPCStatus(code: .unimplemented, message: "no upstream cluster is configured for service '\(head.service)'"))
            }
        }
        if eventLoop.inEventLoop {
            start()
        } else {
            eventLoop.execute(start)
        }
        return call
    }
}
