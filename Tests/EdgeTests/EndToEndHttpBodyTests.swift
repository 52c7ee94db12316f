import DescriptorLoader
import Edge
import Foundation
import NIOCore
import NIOHTTP1
import XCTest
import EdgeConfig

/// `google.api.HttpBody` through the real edge and the demo: raw responses with the
/// backend's content type (GetCover), raw uploads of any content type streamed chunk by
/// chunk (UploadCover), and the wire form itself.
final class EndToEndHttpBodyTests: XCTestCase {
    nonisolated(unsafe) private static var fixture: EndToEndFixture?

    override class func setUp() {
        super.setUp()
        fixture = EndToEndFixture.startForClass()
    }

    override class func tearDown() {
        if let running = fixture { _ = try? EndToEndFixture.blocking { await running.shutdown() } }
        fixture = nil
        super.tearDown()
    }

    private func connect() throws -> StreamingSocket {
        try StreamingSocket(port: try XCTUnwrap(Self.fixture, EndToEndFixture.startFailure).port)
    }

    func testRawResponseBodyWithItsContentType() throws {
        let socket = try connect()
        socket.sendHead("GET", "/v1/covers/sample.png")
        let head = try socket.readHead()
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.header("content-type"), "image/png")
        let length = try XCTUnwrap(head.header("content-length").flatMap(Int.init))
        let png = try socket.readBody(length: length)
        XCTAssertEqual(length, 69)
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])

        socket.sendHead("GET", "/v1/covers/sample.txt")
        let (textHead, text, _) = try socket.readResponse()
        XCTAssertEqual(textHead.header("content-type"), "text/plain; charset=utf-8")
        XCTAssertTrue(text.hasPrefix("Dune\n"), text)
    }

    func testRawResponseErrorIsStatusJSON() throws {
        let socket = try connect()
        socket.sendHead("GET", "/v1/covers/nope.gif")
        let (head, body, _) = try socket.readResponse()
        XCTAssertEqual(head.status, 404)
        XCTAssertEqual(head.header("content-type"), "application/json")
        let status = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        XCTAssertEqual(status["code"] as? Int, 5)
    }

    func testChunkedUploadOfAnyContentTypeIsStreamed() throws {
        let socket = try connect()
        socket.sendHead("POST", "/v1/covers", headers: [("Content-Type", "application/octet-stream")], chunked: true)
        var all: [UInt8] = []
        for index in 0..<5 {
            let chunk = (0..<(10_000 + index)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ index) }
            all += chunk
            socket.sendChunk(chunk)
            usleep(20_000)
        }
        socket.sendChunk("")
        let (head, body, _) = try socket.readResponse()
        XCTAssertEqual(head.status, 200, body)
        let response = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        XCTAssertEqual(response["bytes"] as? String, String(all.count))
        XCTAssertEqual(response["contentType"] as? String, "application/octet-stream")
        XCTAssertEqual(response["sha256"] as? String, sha256Hex(all))
        // One HttpBody per body part as it arrived: at least one per pause between chunks.
        XCTAssertGreaterThanOrEqual(response["chunks"] as? Int ?? 0, 5, body)
    }

    func testUploadWithContentLengthAndNoContentType() throws {
        let fixture = try XCTUnwrap(Self.fixture, EndToEndFixture.startFailure)
        let response = try EndToEndClient.send(port: fixture.port, "POST", "/v1/covers", body: "abc", contentType: "text/x-anything")
        XCTAssertEqual(response.status, 200, response.body)
        XCTAssertEqual(try response.json()["sha256"] as? String, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(try response.json()["contentType"] as? String, "text/x-anything")

        let socket = try connect()
        socket.sendHead("POST", "/v1/covers", headers: [("Content-Length", "0")])
        let (head, body, _) = try socket.readResponse()
        XCTAssertEqual(head.status, 200, body)
        XCTAssertEqual(
            body, #"{"sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}"#,
            "no body: no HttpBody message (zero bytes, zero chunks)")
    }

    func testRawServerStreamWritesEachChunkWithTheFirstContentType() throws {
        let socket = try connect()
        socket.sendHead("GET", "/v1/covers/sample.png:stream?chunkSize=20")
        let head = try socket.readHead()
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.header("content-type"), "image/png")
        var chunks: [[UInt8]] = []
        while let chunk = try socket.readChunk() { chunks.append(chunk) }
        XCTAssertEqual(chunks.map(\.count), [20, 20, 20, 9], "one HTTP chunk per message, unframed")
        XCTAssertEqual(Array(chunks.joined().prefix(4)), [0x89, 0x50, 0x4E, 0x47])
    }

    func testRawServerStreamFailures() throws {
        // Before the first chunk: an ordinary error response.
        var socket = try connect()
        socket.sendHead("GET", "/v1/covers/missing.png:stream")
        let (head, body, _) = try socket.readResponse()
        XCTAssertEqual(head.status, 404, body)
        XCTAssertEqual(head.header("content-type"), "application/json")

        // After it: raw bytes cannot carry an error, so the chunked body is cut off
        // (no last chunk) rather than ending as if complete.
        socket = try connect()
        socket.sendHead("GET", "/v1/covers/sample.png:stream?chunkSize=20&failAfter=2")
        XCTAssertEqual(try socket.readHead().status, 200)
        let (partial, complete) = try socket.readChunkedBody()
        XCTAssertFalse(complete, "the client must see a truncated body")
        XCTAssertEqual(partial.count, 40)
    }

    /// `body: "payload"` naming an HttpBody field: the raw body goes into that field and
    /// the path binding still applies; an HttpBody output is rendered raw.
    func testBodyFieldOfTypeHttpBody() throws {
        let directory = NSTemporaryDirectory() + "edge-httpbody-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let proto = """
            syntax = "proto3";
            package rawtest;
            import "google/api/annotations.proto";
            import "google/api/httpbody.proto";
            service Things {
              rpc Put(PutRequest) returns (google.api.HttpBody) {
                option (google.api.http) = { put: "/v1/things/{name}" body: "payload" };
              }
              rpc Json(PutRequest) returns (PutRequest) {
                option (google.api.http) = { post: "/v1/json/{name}" body: "*" };
              }
            }
            message PutRequest {
              string name = 1;
              google.api.HttpBody payload = 2;
            }
            """
        _ = FileManager.default.createFile(atPath: directory + "/raw.proto", contents: Data(proto.utf8))
        let protos = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("protos").path
        let schema = try GatewaySchema.load(sources: [directory + "/raw.proto"], importPaths: [protos])
        let transcoder = try SchemaTranscoder(schema: schema, config: EdgeConfig())

        let route = try transcoder.match(method: .PUT, uri: "/v1/things/cover").get()
        XCTAssertEqual(route.streaming, RouteStreaming(rawRequest: true, rawResponse: true))
        let message = try transcoder.prepareRaw(route, contentType: "text/plain", data: ByteBuffer(string: "hi")).get()
        // payload (field 2) = HttpBody{content_type: "text/plain", data: "hi"}, then name (field 1) = "cover".
        XCTAssertEqual(
            Array(message.readableBytesView),
            [0x12, 16, 0x0A, 10] + Array("text/plain".utf8) + [0x12, 2] + Array("hi".utf8) + [0x0A, 5] + Array("cover".utf8))

        let raw = try transcoder.renderRaw(ByteBuffer(bytes: [0x0A, 3] + Array("a/b".utf8) + [0x12, 1, 7]), for: route).get()
        XCTAssertEqual(raw.contentType, "a/b")
        XCTAssertEqual(Array(raw.data.readableBytesView), [7])

        // A JSON method whose request merely contains an HttpBody field is not raw.
        XCTAssertEqual(try transcoder.match(method: .POST, uri: "/v1/json/x").get().streaming, .unary)
    }

    func testHttpBodyWireRoundTrip() throws {
        var message = ByteBuffer()
        HttpBodyMessage.write(contentType: "image/png", data: ByteBuffer(bytes: [1, 2, 3]), into: &message)
        XCTAssertEqual(Array(message.readableBytesView), [0x0A, 9] + Array("image/png".utf8) + [0x12, 3, 1, 2, 3])
        let read = try XCTUnwrap(HttpBodyMessage.read(message))
        XCTAssertEqual(read.contentType, "image/png")
        XCTAssertEqual(Array(read.data.readableBytesView), [1, 2, 3])

        var wrapped = ByteBuffer()
        HttpBodyMessage.write(contentType: "", data: ByteBuffer(bytes: Array(repeating: 7, count: 200)), fieldNumber: 2, into: &wrapped)
        XCTAssertEqual(Array(wrapped.readableBytesView.prefix(5)), [0x12, 203, 1, 0x12, 200])
        XCTAssertNil(HttpBodyMessage.read(ByteBuffer(bytes: [0x12, 5, 1])), "truncated")
    }
}

/// SHA-256 of `bytes`, via the system's sha256sum (the test target has no crypto library).
func sha256Hex(_ bytes: [UInt8]) -> String {
    let path = NSTemporaryDirectory() + "edge-sha-\(UInt64.random(in: 0...UInt64.max))"
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    process.arguments = [path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try? process.run()
    process.waitUntilExit()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    return String(output.prefix(64))
}
