import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import EdgeConfig

/// Answers `/readyz`'s "are the upstreams reachable" for clusters without active health
/// checks (see ``UpstreamReadiness``): every few seconds, off the request path, it opens
/// a TCP connection to each endpoint; such a cluster counts when at least one of its
/// endpoints accepts connections.
public final class UpstreamReachability: Sendable {
    private let clusters: [(name: String, endpoints: [(host: String, port: Int)])]
    private let reachable = NIOLockedValueBox<[String: Bool]>([:])
    private let task = NIOLockedValueBox<RepeatedTask?>(nil)

    public init(config: EdgeConfig) {
        clusters = config.clusters.map { cluster in
            (cluster.name, cluster.endpoints.map { ($0.host, $0.port) })
        }
    }

    /// Whether `cluster` had a reachable endpoint at the last probe (false before the first).
    public func isReachable(cluster: String) -> Bool {
        reachable.withLockedValue { $0[cluster] == true }
    }

    public func start(on eventLoop: any EventLoop, every interval: TimeAmount = .seconds(5)) {
        let repeated = eventLoop.scheduleRepeatedAsyncTask(initialDelay: .zero, delay: interval) { [self] _ in
            probe(on: eventLoop)
        }
        task.withLockedValue { $0 = repeated }
    }

    public func stop() {
        task.withLockedValue { $0?.cancel(); $0 = nil }
    }

    private func probe(on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        let futures = clusters.map { cluster -> EventLoopFuture<Void> in
            let attempts = cluster.endpoints.map { endpoint in
                ClientBootstrap(group: eventLoop)
                    .connectTimeout(.seconds(1))
                    .connect(host: endpoint.host, port: endpoint.port)
                    .flatMap { channel in channel.close().map { true } }
                    .recover { _ in false }
            }
            return EventLoopFuture.whenAllComplete(attempts, on: eventLoop).map { results in
                let any = results.contains { if case .success(true) = $0 { return true } else { return false } }
                self.reachable.withLockedValue { $0[cluster.name] = any }
            }
        }
        return EventLoopFuture.andAllComplete(futures, on: eventLoop)
    }
}
