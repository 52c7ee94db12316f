import DescriptorLoader
import Foundation
import NIOCore
import XCTest

@testable import Edge
@testable import EdgeConfig
@testable import EdgeUpstream

/// Schema discovery by gRPC server reflection, end to end: a ``ReloadableGateway``
/// whose only schema source is a backend's reflection service, against grpcio
/// (`Tests/interop/python_reflection_backend.py`: `grpc.reflection.v1`, or
/// `v1alpha` only) and grpc-go (the benchmark backend: `v1alpha` only).
final class ReflectionTests: XCTestCase {
    static let pythonScript = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("interop/python_reflection_backend.py").path
    private static var goBackend: String { SharedBench.goBackend }

    private var harness: ReloadHarness!
    private var backend: InteropProcess?

    override func setUpWithError() throws {
        harness = try ReloadHarness()
    }

    override func tearDown() {
        harness?.shutdown()
        backend?.terminate()
    }

    static func requirePython() throws {
        guard InteropProcess.succeeds("/usr/bin/env", ["python3", "-c", "import grpc, grpc_tools, grpc_reflection"]) else {
            throw XCTSkip("python3 with grpcio, grpcio-tools and grpcio-reflection is not available (scripts/install-deps.sh)")
        }
    }

    /// Starts the grpcio backend; returns its port.
    private func startPython(reflection: String) throws -> Int {
        try Self.requirePython()
        let process = try InteropProcess(launch: "/usr/bin/env", ["python3", Self.pythonScript, "--reflection", reflection])
        backend = process
        return try XCTUnwrap(Int(try process.readLine(fromStderr: false, timeout: 30)), "the python backend did not print its port")
    }

    /// - Parameters:
    ///   - clusterExtra: more keys of the cluster (one line, YAML flow style).
    ///   - extra: more top-level sections.
    static func config(cluster: String, port: Int, clusterExtra: String = "", extra: String = "") -> String {
        """
        listen:
          host: 127.0.0.1
          port: 0
          admin: {host: 127.0.0.1, port: 0}
        clusters:
          - name: \(cluster)
            endpoints: ["127.0.0.1:\(port)"]
            reflection: true
            \(clusterExtra)
        \(extra)

        """
    }

    func testPythonReflectionV1() throws {
        let port = try startPython(reflection: "v1")
        try harness.write("edge.yaml", Self.config(cluster: "py", port: port))
        try harness.start()
        let snapshot = harness.gateway.store.current
        XCTAssertEqual(snapshot.discovered["py"]?.reflectionVersion, "grpc.reflection.v1")
        XCTAssertEqual(snapshot.discovered["py"]?.services, ["reflecttest.v1.Greeter"])
        XCTAssertEqual(snapshot.config.clusters.first?.services, ["reflecttest.v1.Greeter"])
        XCTAssertTrue(snapshot.routes.contains { $0.pattern == "/v1/greet/{name}" && $0.cluster == "py" }, "\(snapshot.routes)")

        let hello = try harness.get("/v1/greet/world")
        XCTAssertEqual(hello.status, 200, hello.body)
        XCTAssertEqual(try hello.json()["message"] as? String, "hello world", hello.body)
        XCTAssertEqual(try hello.json()["servedBy"] as? String, "python", hello.body)
        let shout = try EndToEndClient.send(port: harness.port, "POST", "/v1/greet:shout", body: #"{"name":"edge"}"#)
        XCTAssertEqual(shout.status, 200, shout.body)
        XCTAssertEqual(try shout.json()["message"] as? String, "EDGE!", shout.body)
        let invalid = try EndToEndClient.send(port: harness.port, "POST", "/v1/greet:shout", body: "{}")
        XCTAssertEqual(invalid.status, 400, invalid.body)
        XCTAssertEqual(try invalid.json()["message"] as? String, "name is required", invalid.body)
    }

    func testPythonReflectionFallsBackToV1alpha() throws {
        let port = try startPython(reflection: "v1alpha")
        try harness.write("edge.yaml", Self.config(cluster: "py", port: port))
        try harness.start()
        XCTAssertEqual(harness.gateway.store.current.discovered["py"]?.reflectionVersion, "grpc.reflection.v1alpha")
        let hello = try harness.get("/v1/greet/alpha")
        XCTAssertEqual(hello.status, 200, hello.body)
        XCTAssertEqual(try hello.json()["message"] as? String, "hello alpha", hello.body)
    }

    func testGoBackendReflectionV1alpha() throws {
        _ = try SharedBench.requireGoBackend()
        let process = try InteropProcess(launch: Self.goBackend, ["-host", "127.0.0.1", "-port", "0"])
        backend = process
        // "2026/01/01 00:00:00 backend: gRPC listening on 127.0.0.1:PORT (health + ...)"
        let line = try process.readLine(fromStderr: true, timeout: 20)
        let address = try XCTUnwrap(line.split(separator: " ").first { $0.hasPrefix("127.0.0.1:") }, line)
        let port = try XCTUnwrap(Int(address.split(separator: ":")[1]))

        try harness.write("edge.yaml", Self.config(cluster: "go", port: port))
        try harness.start()
        let snapshot = harness.gateway.store.current
        XCTAssertEqual(snapshot.discovered["go"]?.reflectionVersion, "grpc.reflection.v1alpha")
        XCTAssertEqual(snapshot.discovered["go"]?.services, ["bench.v1.Catalog"])
        let product = try harness.get("/v1/products/prod-000123")
        XCTAssertEqual(product.status, 200, product.body)
        XCTAssertEqual(try product.json()["id"] as? String, "prod-000123", product.body)
        let list = try harness.get("/v1/products?page_size=3")
        XCTAssertEqual(list.status, 200, list.body)
        XCTAssertEqual((try list.json()["products"] as? [Any])?.count, 3, list.body)
    }

    func testHealthServiceIsDiscoveredWhenTheClusterNamesIt() throws {
        _ = try SharedBench.requireGoBackend()
        let process = try InteropProcess(launch: Self.goBackend, ["-host", "127.0.0.1", "-port", "0"])
        backend = process
        let line = try process.readLine(fromStderr: true, timeout: 20)
        let address = try XCTUnwrap(line.split(separator: " ").first { $0.hasPrefix("127.0.0.1:") }, line)
        let port = try XCTUnwrap(Int(address.split(separator: ":")[1]))

        try harness.write("edge.yaml", Self.config(cluster: "go", port: port, clusterExtra: "services: [grpc.health.v1.Health]"))
        try harness.start()
        XCTAssertEqual(harness.gateway.store.current.discovered["go"]?.services, ["bench.v1.Catalog", "grpc.health.v1.Health"])
        let health = try EndToEndClient.send(port: harness.port, "POST", "/grpc.health.v1.Health/Check", body: "{}")
        XCTAssertEqual(health.status, 200, health.body)
        XCTAssertEqual(try health.json()["status"] as? String, "SERVING", health.body)
    }

    func testUnreachableClusterAtStartIsAnErrorNamingIt() throws {
        let port = try EndToEndFixture.closedPort()
        try harness.write("edge.yaml", Self.config(cluster: "missing-team", port: port))
        XCTAssertThrowsError(try harness.start()) { error in
            let text = "\(error)"
            XCTAssertTrue(error is GatewayLoadError, text)
            XCTAssertTrue(text.contains("clusters 'missing-team'"), text)
            XCTAssertTrue(text.contains("reflection"), text)
        }
    }

    func testReloadWhileTheBackendIsDownKeepsItsSchema() throws {
        let port = try startPython(reflection: "both")
        try harness.write("edge.yaml", Self.config(cluster: "py", port: port))
        try harness.start()
        XCTAssertEqual(try harness.get("/v1/greet/a").status, 200)

        backend?.terminate()
        backend = nil
        try harness.write("edge.yaml", Self.config(cluster: "py", port: port, extra: "defaults: {timeout: 2s}"))
        guard case .reloaded(let generation, _) = harness.reload() else { return XCTFail("the reload was refused") }
        XCTAssertEqual(generation, 2)
        XCTAssertTrue(harness.gateway.store.current.routes.contains { $0.pattern == "/v1/greet/{name}" })
        let down = try harness.get("/v1/greet/a")
        XCTAssertEqual(down.status, 503, down.body)
        XCTAssertEqual(try down.json()["code"] as? Int, 14, down.body)
    }

    func testReflectionMessagesOnTheWire() throws {
        XCTAssertEqual(Array(ReflectionRequest.listServices.serialized().readableBytesView), [0x3A, 0x00])
        XCTAssertEqual(
            Array(ReflectionRequest.fileByFilename("a.proto").serialized().readableBytesView),
            [0x1A, 0x07] + Array("a.proto".utf8))
        XCTAssertEqual(
            Array(ReflectionRequest.fileContainingSymbol("p.S").serialized().readableBytesView),
            [0x22, 0x03] + Array("p.S".utf8))

        // valid_host "h", list_services_response { service { name "p.S" } service { name "q.T" } }
        let services: [UInt8] = [0x0A, 0x01, 0x68, 0x32, 0x0E, 0x0A, 0x05, 0x0A, 0x03] + Array("p.S".utf8) + [0x0A, 0x05, 0x0A, 0x03] + Array("q.T".utf8)
        XCTAssertEqual(try ReflectionResponse(parsing: ByteBuffer(bytes: services)), .services(["p.S", "q.T"]))
        // file_descriptor_response { file_descriptor_proto: [1, 2], [3] }
        let files: [UInt8] = [0x22, 0x07, 0x0A, 0x02, 0x01, 0x02, 0x0A, 0x01, 0x03]
        XCTAssertEqual(try ReflectionResponse(parsing: ByteBuffer(bytes: files)), .files([[1, 2], [3]]))
        // error_response { error_code: 5, error_message: "no" }
        let error: [UInt8] = [0x3A, 0x06, 0x08, 0x05, 0x12, 0x02] + Array("no".utf8)
        XCTAssertEqual(try ReflectionResponse(parsing: ByteBuffer(bytes: error)), .error(code: 5, message: "no"))
        // Truncated and empty responses are errors, not crashes.
        XCTAssertThrowsError(try ReflectionResponse(parsing: ByteBuffer(bytes: [0x22, 0x09, 0x0A])))
        XCTAssertThrowsError(try ReflectionResponse(parsing: ByteBuffer(bytes: [0x0A, 0x01, 0x68])))
        XCTAssertThrowsError(try ReflectionResponse(parsing: ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])))
    }

    func testDiscoveredServicesDoNotOverrideExplicitMappings() {
        var config = EdgeConfig()
        config.clusters = [
            EdgeConfig.Cluster(name: "a", endpoints: [], services: ["shop.v1.Orders"]),
            EdgeConfig.Cluster(name: "b", endpoints: [], services: [], reflection: true),
        ]
        let discovered = DiscoveredSchema(
            cluster: "b", services: ["shop.v1.Orders", "shop.v1.Catalog"], files: DescriptorFileSet(), reflectionVersion: "grpc.reflection.v1")
        let routed = GatewayLoader.routingDiscovered(config, ["b": discovered])
        XCTAssertEqual(routed.clusters[0].services, ["shop.v1.Orders"])
        XCTAssertEqual(routed.clusters[1].services, ["shop.v1.Catalog"])
    }
}
