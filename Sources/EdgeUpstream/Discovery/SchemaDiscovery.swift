import NIOCore
import EdgeConfig

/// Discovers the schema of the clusters marked `reflection: true`.
///
/// Each discovery uses a short-lived ``UpstreamPool`` of its own for the cluster
/// (so serving traffic's connections are not involved), closed when done.
public enum SchemaDiscovery {
    /// - Parameter timeout: for each reflection exchange.
    public static func discover(
        _ cluster: EdgeConfig.Cluster, group: any EventLoopGroup, timeout: TimeAmount = .seconds(5)
    ) async throws -> DiscoveredSchema {
        let pool: UpstreamPool
        do {
            pool = try UpstreamPool(
                clusters: [
                    UpstreamClusterConfig(
                        name: cluster.name, endpoints: cluster.endpoints,
                        tls: cluster.tls != nil, tlsCAFile: cluster.tls?.caFile,
                        tlsCertFile: cluster.tls?.certFile, tlsKeyFile: cluster.tls?.keyFile, tlsServerName: cluster.tls?.serverName,
                        connectTimeout: min(timeout, .seconds(5)))
                ],
                services: ["*": cluster.name])
        } catch {
            throw DiscoveryError(cluster: cluster.name, message: "\(error)")
        }
        defer { pool.close() }
        let named = ClusterMap(clusters: [cluster])
        let client = ReflectionClient(
            cluster: cluster.name, wanted: { named.cluster(forService: $0) != nil }, upstream: pool, eventLoop: group.next(), timeout: timeout)
        let result = try await client.discover()
        return DiscoveredSchema(
            cluster: cluster.name, services: result.services, files: result.files, reflectionVersion: result.version.rawValue)
    }
}
