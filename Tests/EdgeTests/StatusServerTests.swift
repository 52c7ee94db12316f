import Edge
import XCTest
import EdgeCore
import EdgePolicy

/// Backend statuses through the whole server: the HTTP status, the Status JSON, the metadata headers.
final class StatusServerTests: XCTestCase {
    func testEveryGRPCStatusEndToEnd() async throws {
        let server = try await TestServer()
        let connection = try TestConnection(port: server.port)
        let expected: [Int: Int] = [
            0: 200, 1: 499, 2: 500, 3: 400, 4: 504, 5: 404, 6: 409, 7: 403, 8: 429,
            9: 400, 10: 409, 11: 400, 12: 501, 13: 500, 14: 503, 15: 500, 16: 401,
        ]
        for code in 0...16 {
            connection.send("GET /v1/status/\(code) HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try connection.readResponse()
            XCTAssertEqual(response.status, expected[code], "grpc code \(code)")
            XCTAssertEqual(response.header("content-type"), "application/json")
            XCTAssertEqual(response.header("grpc-metadata-x-backend"), "fake")
            XCTAssertEqual(response.header("grpc-trailer-x-code"), String(code))
            if code == 0 {
                XCTAssertEqual(response.body, #"{"ok":true}"#)
            } else {
                let name = String(describing: GRPCStatusCode(rawValue: code)!)
                XCTAssertEqual(response.body, #"{"code":\#(code),"message":"backend says \#(name)","details":[]}"#)
            }
            XCTAssertEqual(response.header("www-authenticate"), code == 16 ? "Bearer" : nil)
        }
        try await server.stop()
    }

    func testDetailsGoThroughTheRenderer() async throws {
        let server = try await TestServer(detailsRenderer: { bytes in
            Array(#"[{"@type":"type.googleapis.com/test.Detail","bytes":\#(bytes.count)}]"#.utf8)
        })
        let response = try httpRequest(port: server.port, "GET /v1/status/5 HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(response.status, 404)
        XCTAssertEqual(response.body, #"{"code":5,"message":"backend says notFound","details":[{"@type":"type.googleapis.com/test.Detail","bytes":2}]}"#)
        try await server.stop()
    }

    func testMetricsCountRequestsByRouteAndStatus() async throws {
        let server = try await TestServer()
        _ = try httpRequest(port: server.port, "GET /v1/status/0 HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try httpRequest(port: server.port, "GET /v1/status/14 HTTP/1.1\r\nHost: x\r\n\r\n")
        let text = String(decoding: server.metrics.render(), as: UTF8.self)
        let series = #"route="GET /v1/status/{code}",grpc_method="test.Status/Code0""#
        XCTAssertTrue(text.contains(#"edge_http_requests_total{\#(series),status="200",grpc_code="OK"} 1"#), text)
        XCTAssertTrue(text.contains(#"edge_http_requests_total{\#(series),status="503",grpc_code="UNAVAILABLE"} 1"#), text)
        XCTAssertTrue(text.contains(#"edge_http_request_duration_seconds_count{\#(series)} 2"#), text)
        try await server.stop()
    }
}
