import DescriptorLoader
import Edge
import Foundation
import NIOCore
import NIOPosix
import XCTest
import EdgeConfig
import EdgePolicy
import EdgeUpstream

/// The whole edge (``EdgeServer`` + ``SchemaTranscoder`` + ``UpstreamPool``, wired as
/// `edge serve` does) in front of a grpcio backend (`Tests/interop/python_backend.py`),
/// over real HTTP/1.1: the schema is `Tests/Fixtures/protos/interop/echo.proto`, compiled
/// with protoc when the configuration is loaded.
final class EndToEndPythonTests: XCTestCase {
    private static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    private static let script = tests.appendingPathComponent("interop/python_backend.py").path
    private static let fixtureProtos = tests.appendingPathComponent("Fixtures/protos").path

    private var backend: InteropProcess!
    private var group: MultiThreadedEventLoopGroup!
    private var server: EdgeServer<SchemaTranscoder>!
    private var upstream: UpstreamPool!
    private var port = 0

    override func setUpWithError() throws {
        guard InteropProcess.succeeds("/usr/bin/env", ["python3", "-c", "import grpc"]) else {
            throw XCTSkip("python3 with grpcio is not available (pip install grpcio); skipping the grpcio end-to-end tests")
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/protoc") || ProcessInfo.processInfo.environment["PROTOC"] != nil else {
            throw XCTSkip("protoc is not available; skipping the grpcio end-to-end tests")
        }
        self.backend = try InteropProcess(launch: "/usr/bin/env", ["python3", Self.script])
        let backendPort = try XCTUnwrap(Int(try self.backend.readLine(fromStderr: false, timeout: 20)), "python backend did not print its port")
        let yaml = """
            listen:
              host: 127.0.0.1
              port: 0
            descriptors:
              sources: ["\(Self.fixtureProtos)/interop/echo.proto"]
              import_paths: ["\(Self.fixtureProtos)"]
            clusters:
              - name: py
                endpoints: ["127.0.0.1:\(backendPort)"]
                tls: false
                services: [interop]
            routes:
              {}

            """
        let config: EdgeConfig
        switch ConfigLoader.parse(yaml: yaml) {
        case .success(let parsed): config = parsed
        case .failure(let error): throw error
        }
        let schema = try GatewaySchema.load(sources: config.descriptors.sources, importPaths: config.descriptors.importPaths)
        let problems = ConfigSchemaCheck.problems(config, schema: schema)
        XCTAssertTrue(problems.isEmpty, "\(problems)")

        let transcoder = try SchemaTranscoder(schema: schema, config: config)
        self.upstream = try UpstreamPool(config: config)
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let context = RequestContext(
            transcoder: transcoder, upstream: self.upstream, limits: config.listen.server.limits,
            metadataPolicy: config.metadataPolicy, metrics: EdgeMetrics(),
            detailsRenderer: transcoder.detailsRenderer(schema: schema))
        let server = EdgeServer(settings: config.listen.server, context: context, group: self.group)
        self.server = server
        self.port = try EndToEndFixture.blocking { try await server.start().port! }
    }

    override func tearDownWithError() throws {
        if let server = self.server {
            try EndToEndFixture.blocking { await server.shutdown() }
        }
        self.upstream?.close()
        try? self.group?.syncShutdownGracefully()
        self.backend?.terminate()
    }

    private func send(_ method: String, _ target: String, headers: [(String, String)] = [], body: String? = nil) throws -> EndToEndResponse {
        try EndToEndClient.send(port: self.port, method, target, headers: headers, body: body)
    }

    func testUnaryJSONRoundTrip() throws {
        let response = try send("POST", "/v1/echo", body: #"{"text":"héllo","number":"9007199254740993","tags":["a","b"],"flag":true}"#)
        XCTAssertEqual(response.status, 200, response.body)
        XCTAssertEqual(response.header("content-type")?.hasPrefix("application/json"), true)
        let json = try response.json()
        XCTAssertEqual(json["text"] as? String, "héllo")
        XCTAssertEqual(json["number"] as? String, "9007199254740993", "int64 as a JSON string, exactly")
        XCTAssertEqual(json["tags"] as? [String], ["a", "b"])
        XCTAssertEqual(json["flag"] as? Bool, true)

        let bound = try send("GET", "/v1/echo/from-the-path")
        XCTAssertEqual(bound.status, 200, bound.body)
        XCTAssertEqual(try bound.json()["text"] as? String, "from-the-path")
    }

    func testMetadataBothWays() throws {
        let response = try send("POST", "/v1/echo", headers: [("Grpc-Metadata-X-Echo-User", "alice")], body: #"{"text":"m"}"#)
        XCTAssertEqual(response.status, 200, response.body)
        XCTAssertEqual(response.header("grpc-metadata-x-echo-user"), "alice", "request metadata reached grpcio and came back as header metadata")
        XCTAssertEqual(response.header("grpc-metadata-x-saw-timeout"), "yes", "grpcio saw the edge's grpc-timeout")
        XCTAssertEqual(response.header("grpc-trailer-x-trailer"), "done")
    }

    func testErrorWithDetailsIsStatusJSON() throws {
        let response = try send("POST", "/v1/echo:failDetails", body: "{}")
        XCTAssertEqual(response.status, 400, response.body)
        let json = try response.json()
        XCTAssertEqual(json["code"] as? Int, 3)
        XCTAssertEqual(json["message"] as? String, "echo refused")
        let details = try XCTUnwrap(json["details"] as? [[String: Any]], response.body)
        XCTAssertEqual(details.count, 1)
        XCTAssertEqual(details.first?["@type"] as? String, "type.googleapis.com/google.rpc.ErrorInfo")
        XCTAssertEqual(details.first?["reason"] as? String, "ECHO_REFUSED")
        XCTAssertEqual(details.first?["domain"] as? String, "interop.test")
        XCTAssertEqual(details.first?["metadata"] as? [String: String], ["field": "text"])
    }

    func testErrorWithoutDetails() throws {
        let response = try send("GET", "/v1/echo:fail")
        XCTAssertEqual(response.status, 400, response.body)
        let json = try response.json()
        XCTAssertEqual(json["code"] as? Int, 3)
        XCTAssertEqual(json["message"] as? String, "bad request: 100% wrong ✗")
        XCTAssertEqual((json["details"] as? [Any])?.count, 0)
    }

    func testDeadlineIs504() throws {
        let response = try send(
            "POST", "/v1/echo:slow",
            headers: [("Grpc-Metadata-X-Sleep-Ms", "3000"), ("X-Request-Timeout", "0.3")],
            body: #"{"text":"slow"}"#
        )
        XCTAssertEqual(response.status, 504, response.body)
        XCTAssertEqual(try response.json()["code"] as? Int, 4)
        // A quick call on the same edge still works.
        let quick = try send("POST", "/v1/echo:slow", headers: [("Grpc-Metadata-X-Sleep-Ms", "10")], body: #"{"text":"quick"}"#)
        XCTAssertEqual(quick.status, 200, quick.body)
        XCTAssertEqual(try quick.json()["text"] as? String, "quick")
    }

    func testBadJSONNeverReachesTheBackend() throws {
        let response = try send("POST", "/v1/echo", body: #"{"number":"not a number"}"#)
        XCTAssertEqual(response.status, 400, response.body)
        XCTAssertEqual(try response.json()["code"] as? Int, 3)
        XCTAssertEqual(self.upstream.stats(cluster: "py")?.attempts, 0)
    }
}
