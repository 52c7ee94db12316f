import GRPCCore
import GRPCNIOTransportHTTP2

/// Starts the demo bookstore (`demo.bookstore.v1.Bookstore`) as a real gRPC server: plaintext
/// HTTP/2 (prior knowledge, as gRPC clients and the gateway's upstream client speak it) on a
/// TCP port, backed by an in-memory store seeded with `BookstoreSeed`.
@available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
public enum DemoServer {
    /// Binds `host:port` (port 0: an ephemeral port) and serves until `shutdown()`.
    ///
    /// Returns once the port is bound. `host` is an IPv4 or IPv6 literal, or `localhost`.
    public static func start(host: String = "127.0.0.1", port: Int = 0) async throws -> RunningDemoServer {
        let address = socketAddress(host: host, port: port)
        let transport = HTTP2ServerTransport.Posix(
            address: address,
            transportSecurity: .plaintext,
            config: transportConfig
        )
        let server = GRPCServer(transport: transport, services: [BookstoreService()])
        let serving = Task { try await server.serve() }
        do {
            let bound = try await transport.listeningAddress
            guard let boundPort = bound.ipv4?.port ?? bound.ipv6?.port else {
                throw RPCError(code: .internalError, message: "demo server bound a non-IP address: \(bound)")
            }
            return RunningDemoServer(host: address.ipv4?.host ?? address.ipv6?.host ?? host, port: boundPort, server: server, serving: serving)
        } catch {
            server.beginGracefulShutdown()
            serving.cancel()
            _ = await serving.result
            throw error
        }
    }

    /// The server's HTTP/2 settings, tuned so any standard gRPC client (grpc-go, grpc-java,
    /// grpcurl, the gateway's NIO client) works without surprises:
    /// - a 4 MiB flow-control window, so multi-megabyte messages are not throttled to 64 KiB
    ///   round trips;
    /// - SETTINGS_MAX_CONCURRENT_STREAMS advertised (1000) instead of left implicit;
    /// - keepalive pings from clients allowed even without calls, at most one per second,
    ///   so pooled idle upstream connections are not sent GOAWAY(too_many_pings);
    /// - gzip and deflate accepted on requests; 16 MiB maximum request message.
    public static var transportConfig: HTTP2ServerTransport.Posix.Config {
        .defaults { config in
            config.http2.targetWindowSize = 4 << 20
            config.http2.maxConcurrentStreams = 1000
            config.connection.keepalive.clientBehavior = .init(
                minPingIntervalWithoutCalls: .seconds(1),
                allowWithoutCalls: true
            )
            config.compression.enabledAlgorithms = .all
            config.rpc.maxRequestPayloadSize = 16 << 20
        }
    }

    private static func socketAddress(host: String, port: Int) -> GRPCNIOTransportCore.SocketAddress {
        if host == "localhost" { return .ipv4(host: "127.0.0.1", port: port) }
        if host.contains(":") {
            let unbracketed = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
            return .ipv6(host: unbracketed, port: port)
        }
        return .ipv4(host: host, port: port)
    }
}
