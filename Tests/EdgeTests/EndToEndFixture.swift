import DescriptorLoader
import Dispatch
import Edge
import EdgeDemo
import Foundation
import NIOCore
import NIOPosix
import XCTest
import EdgeConfig
import EdgePolicy
import EdgeUpstream

#if canImport(Glibc)
import Glibc
#endif

/// The whole gateway through the one assembly `edge serve` and `edge demo` use
/// (``ReloadableGateway``, ``GatewayLoader``), on 127.0.0.1 with ephemeral ports: the demo
/// bookstore gRPC service, and the edge over the demo protoset plus the bundled google.rpc
/// set, with one cluster pointing at the demo service. The configuration is YAML parsed by
/// ``ConfigLoader``; the assembly checks it against the schema, as the CLI does.
final class EndToEndFixture: Sendable {
    let demo: RunningDemoServer
    let group: MultiThreadedEventLoopGroup
    let gateway: ReloadableGateway
    let port: Int
    /// The upstream pool of the gateway's snapshot.
    var upstream: UpstreamPool { gateway.store.current.upstream }

    private init(demo: RunningDemoServer, group: MultiThreadedEventLoopGroup, gateway: ReloadableGateway, port: Int) {
        self.demo = demo
        self.group = group
        self.gateway = gateway
        self.port = port
    }

    static var protosetPath: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("protos/demo/bookstore.protoset").path
    }

    /// The configuration of a gateway with an admin listener (both on free ports) in front of
    /// the demo bookstore: one cluster serving `demo.bookstore.v1` at `ports` on 127.0.0.1.
    /// - Parameters:
    ///   - extraSources: descriptor sources after the demo's descriptor set.
    ///   - clusterKeys: more keys of the cluster, each line indented by four spaces.
    ///   - extra: more top-level sections.
    static func gatewayYAML(
        ports: [Int], extraSources: [String] = [], clusterName: String = "demo", clusterKeys: String = "", extra: String = ""
    ) -> String {
        let sources = ([protosetPath] + extraSources).map { "\"\($0)\"" }.joined(separator: ", ")
        return """
            listen:
              host: 127.0.0.1
              port: 0
              admin: {host: 127.0.0.1, port: 0}
            descriptors:
              sources: [\(sources)]
            clusters:
              - name: \(clusterName)
                endpoints: [\(ports.map { "\"127.0.0.1:\($0)\"" }.joined(separator: ", "))]
                services: [demo.bookstore.v1]
            \(clusterKeys)
            \(extra)

            """
    }

    /// - Parameters:
    ///   - routesYAML: the `routes:` section's entries, indented by two spaces.
    ///   - upstreamPort: the port the cluster points at; `nil`: the demo server's.
    ///   - extraYAML: more top-level sections (e.g. `openapi: {enabled: true}`).
    static func start(routesYAML: String = "", upstreamPort: Int? = nil, extraYAML: String = "") async throws -> EndToEndFixture {
        let demo = try await DemoServer.start(host: "127.0.0.1", port: 0)
        let yaml = """
            listen:
              host: 127.0.0.1
              port: 0
              admin: {host: 127.0.0.1, port: 0}
            descriptors:
              sources: ["\(protosetPath)"]
            clusters:
              - name: demo
                endpoints: ["127.0.0.1:\(upstreamPort ?? demo.port)"]
                tls: false
                services: [demo.bookstore.v1]
            routes:
            \(routesYAML.isEmpty ? "  {}" : routesYAML)
            metadata:
              forward_headers: [x-tenant-id]
            \(extraYAML)

            """
        let config: EdgeConfig
        switch ConfigLoader.parse(yaml: yaml) {
        case .success(let parsed): config = parsed
        case .failure(let error): throw error
        }
        let schema = try cliSchema()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        do {
            let gateway = try await ReloadableGateway.load(config: config, schema: schema, group: group)
            try await gateway.start(handleSIGHUP: false)
            return EndToEndFixture(demo: demo, group: group, gateway: gateway, port: gateway.server.localAddress!.port!)
        } catch let error as GatewayLoadError {
            try? await group.shutdownGracefully()
            throw FixtureFailure.config("\(error.problems)")
        }
    }

    /// The demo schema as `edge serve` loads it (the bundled google-rpc set, then the demo
    /// protoset), unmodified: today the route table rejects it (see
    /// `EndToEndRoutingTests.testUnmodifiedDemoSchemaIsServable`).
    static func cliSchema() throws -> Schema {
        try GatewaySchema.load(sources: [protosetPath])
    }

    func shutdown() async {
        await gateway.shutdown()
        try? await group.shutdownGracefully()
        await demo.shutdown(gracePeriod: .seconds(1))
    }

    enum FixtureFailure: Error { case config(String), timeout, closedPort(String) }

    /// Why the last ``startForClass(routesYAML:upstreamPort:)`` failed, for the tests' messages.
    nonisolated(unsafe) static var startFailure = ""

    /// Starts a fixture from a synchronous class `setUp`; nil (and ``startFailure`` set) on failure.
    static func startForClass(routesYAML: String = "", upstreamPort: Int? = nil) -> EndToEndFixture? {
        do {
            return try blocking { try await start(routesYAML: routesYAML, upstreamPort: upstreamPort) }
        } catch {
            startFailure = "the demo server and edge did not start: \(error)"
            return nil
        }
    }

    /// Runs async set-up or tear-down from XCTest's synchronous class hooks. The tests
    /// themselves are synchronous (blocking sockets), so they never occupy the
    /// cooperative pool the demo service's handlers run on.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { box.set(.success(try await body())) } catch { box.set(.failure(error)) }
            done.signal()
        }
        guard done.wait(timeout: .now() + 60) == .success, let result = box.get() else { throw FixtureFailure.timeout }
        return try result.get()
    }

    /// A port nothing listens on, and no other test can take: a TCP socket bound to it
    /// and never listening, held open until the test process ends (connections to it are
    /// refused). It is bound with SO_REUSEADDR and SO_REUSEPORT, so the one test that asked
    /// for it may start a backend on it later (NIO and grpcio set those options too), while
    /// a bind to port 0 elsewhere is never given it. (A port bound, closed and reused by
    /// number could be taken by another test in between.)
    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FixtureFailure.closedPort("socket: errno \(errno)") }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard bound == 0, named == 0 else {
            let error = errno
            close(fd)
            throw FixtureFailure.closedPort("bind: errno \(error)")
        }
        // Held (never closed) for the life of the test process: a few descriptors per run.
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

private final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<T, any Error>?
    func set(_ result: Result<T, any Error>) { lock.withLock { value = result } }
    func get() -> Result<T, any Error>? { lock.withLock { value } }
}

/// One HTTP/1.1 exchange over a fresh socket with `Connection: close`: the whole
/// response is read until the server closes, so HEAD responses (a Content-Length and no
/// body) and chunked bodies are handled alike.
struct EndToEndResponse: HTTPHeaderFields {
    var status: Int
    var headers: [(String, String)]
    var body: String
    var elapsed: Double

    /// The body as a JSON object; fails the test if it is not one.
    func json(file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(body.utf8), options: [.fragmentsAllowed])
        return try XCTUnwrap(value as? [String: Any], "not a JSON object: \(body)", file: file, line: line)
    }
}

enum EndToEndClient {
    static func send(
        port: Int, _ method: String, _ target: String, headers: [(String, String)] = [], body: String? = nil,
        contentType: String = "application/json", readTimeoutSeconds: Int = 10
    ) throws -> EndToEndResponse {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body {
            head += "Content-Type: \(contentType)\r\nContent-Length: \(body.utf8.count)\r\n"
        }
        head += "\r\n"
        let connection = try ClientSocket(port: port, readTimeoutSeconds: readTimeoutSeconds)
        let start = DispatchTime.now()
        connection.send(Array((head + (body ?? "")).utf8))
        let bytes = try connection.readToEnd()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return try parse(bytes, method: method, elapsed: elapsed)
    }

    static func parse(_ bytes: [UInt8], method: String, elapsed: Double) throws -> EndToEndResponse {
        guard let headEnd = ClientSocket.find([13, 10, 13, 10], in: bytes) else {
            throw ClientSocket.Failure.malformed(String(decoding: bytes, as: UTF8.self))
        }
        let (status, headers) = try ClientSocket.parseHead(String(decoding: bytes[0..<headEnd], as: UTF8.self))
        var response = EndToEndResponse(status: status, headers: headers, body: "", elapsed: elapsed)
        var rest = Array(bytes[(headEnd + 4)...])
        if method == "HEAD" { return response }
        if response.header("transfer-encoding")?.lowercased() == "chunked" {
            var decoded: [UInt8] = []
            while let lineEnd = ClientSocket.find([13, 10], in: rest) {
                let size = Int(String(decoding: rest[0..<lineEnd], as: UTF8.self).split(separator: ";")[0], radix: 16) ?? 0
                if size == 0 { break }
                decoded += rest[(lineEnd + 2)..<(lineEnd + 2 + size)]
                rest.removeFirst(lineEnd + 2 + size + 2)
            }
            rest = decoded
        } else if let length = response.header("content-length").flatMap(Int.init) {
            rest = Array(rest.prefix(length))
        }
        response.body = String(decoding: rest, as: UTF8.self)
        return response
    }
}
