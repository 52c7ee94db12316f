import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// A large server stream (the demo's Download, ≥ 100 MiB as NDJSON) through the
/// edge to a client that reads slowly: the edge pauses reading from the backend
/// whenever the client's socket is full, so its memory stays bounded, and every
/// byte still arrives. The edge runs in this process and the backend in another
/// (`Tests/interop/download_backend.py`, grpcio): this process's resident set size
/// is the edge's.
final class EndToEndStreamingBackpressureTests: XCTestCase {
    /// 100 MiB; `EDGE_BACKPRESSURE_MIB` sets another size (to see whether memory depends on it).
    static let total = (ProcessInfo.processInfo.environment["EDGE_BACKPRESSURE_MIB"].flatMap(Int.init) ?? 100) << 20
    static let chunkSize = 256 << 10
    static let backendScript = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("interop/download_backend.py").path

    func testHundredMegabytesToASlowClientInBoundedMemory() throws {
        // The Swift demo in this process would count its memory as the edge's (see the bounds
        // below). `EDGE_BACKPRESSURE_UPSTREAM_PORT`: a backend already running on that port
        // instead (`edge demo --grpc-port N`).
        var backend: InteropProcess?
        let upstreamPort: Int
        if let port = ProcessInfo.processInfo.environment["EDGE_BACKPRESSURE_UPSTREAM_PORT"].flatMap(Int.init) {
            upstreamPort = port
        } else {
            guard InteropProcess.succeeds("/usr/bin/env", ["python3", "-c", "import grpc"]) else {
                throw XCTSkip("python3 with grpcio is not available (pip install grpcio); it serves the download")
            }
            let process = try InteropProcess(launch: "/usr/bin/env", ["python3", Self.backendScript])
            backend = process
            upstreamPort = try XCTUnwrap(Int(try process.readLine(fromStderr: false, timeout: 20)), "the download backend did not print its port")
        }
        defer { backend?.terminate() }
        let fixture = try XCTUnwrap(EndToEndFixture.startForClass(routesYAML: """
              "GET /v1/download":
                timeout: 600s
                max_timeout: 600s
            """, upstreamPort: upstreamPort), EndToEndFixture.startFailure)
        defer { _ = try? EndToEndFixture.blocking { await fixture.shutdown() } }
        pinMallocMmapThreshold()

        // Warm up (connections, allocator pools) with a small download read at full speed.
        let warm = try StreamingSocket(port: fixture.port)
        warm.sendHead("GET", "/v1/download?bytes=\(4 << 20)&chunkSize=\(Self.chunkSize)")
        XCTAssertEqual(try warm.readResponse().head.status, 200)

        let baseline = residentBytes()
        let socket = try StreamingSocket(port: fixture.port, readTimeoutSeconds: 60, receiveBufferBytes: 64 << 10)
        let start = Date()
        socket.sendHead("GET", "/v1/download?bytes=\(Self.total)&chunkSize=\(Self.chunkSize)")
        let head = try socket.readHead()
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.header("content-type"), "application/x-ndjson")

        // The client stalls: the stream must stop, not pile up in the edge. Wait for the state
        // that shows it stopped (the edge's memory no longer grows: the same within 1 MiB over
        // 1 s, sampled every 100 ms) rather than a fixed sleep, which on a slow machine could
        // measure before the stall is complete; bounded at 60 s.
        var samples: [Int] = [residentBytes()]
        let stallDeadline = Date().addingTimeInterval(60)
        repeat {
            usleep(100_000)
            samples.append(residentBytes())
        } while Date() < stallDeadline
            && (samples.count < 20 || samples.suffix(11).max()! - samples.suffix(11).min()! > 1 << 20)
        let stalled = residentBytes() - baseline
        print(String(format: "backpressure: the stalled stream stopped growing the edge after %.1f s", Double(samples.count) / 10))

        // Then reads slowly: a chunk, a pause.
        var peak = stalled
        var lines = 0
        var bodyBytes = 0
        var lastLine: [UInt8] = []
        var reads = 0
        var quarters: [Int] = []
        while let chunk = try socket.readChunk() {
            bodyBytes += chunk.count
            lines += chunk.withUnsafeBytes { countNewlines($0) }
            if let newline = chunk.dropLast().lastIndex(of: 10) {
                lastLine = Array(chunk[(newline + 1)...])
            } else if chunk.first == UInt8(ascii: "{") {
                lastLine = chunk
            } else {
                lastLine += chunk
            }
            reads += 1
            if reads % 8 == 0 {
                let growth = residentBytes() - baseline
                peak = max(peak, growth)
                if lines >= (quarters.count + 1) * (Self.total / Self.chunkSize / 4) { quarters.append(growth >> 20) }
                usleep(1000)
            }
        }
        let seconds = Date().timeIntervalSince(start)

        // Every chunk arrived: 400 lines of 256 KiB, the last at offset 100 MiB - 256 KiB.
        XCTAssertEqual(lines, Self.total / Self.chunkSize)
        let last = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(lastLine)) as? [String: Any])
        XCTAssertEqual(last["offset"] as? String, String(Self.total - Self.chunkSize))
        XCTAssertEqual((last["data"] as? String).flatMap { Data(base64Encoded: $0) }?.count, Self.chunkSize)

        print(
            "backpressure: \(Self.total >> 20) MiB of data (\(bodyBytes >> 20) MiB of NDJSON) in \(String(format: "%.1f", seconds)) s;"
                + " RSS growth while stalled \(stalled >> 20) MiB, peak \(peak >> 20) MiB, after each quarter \(quarters) MiB")
        // Buffered whole, the stream would need > 230 MiB (100 MiB of messages, 133 MiB of NDJSON).
        // What a paused stream holds by design is the upstream HTTP/2 stream window that NIO's
        // stream channel lets fill while its reading is off: 8 MiB (until 2026-11-24 the first
        // stream of a new connection got 16 MiB - 64 KiB: opened before the server acknowledged
        // our SETTINGS, NIO added their window change to its target; streams now wait for the
        // acknowledgement, see UpstreamStreamWindowTests). After a resume NIO hands all of that over at once; the call keeps it, undelivered,
        // while the window fills again: ~2x that at most, plus one message's JSON.
        // Measured with the backend in its own process (2026-11-24): 100 MiB stalled 13 MiB,
        // peak 34-51 MiB; 300 MiB stalled 13, peak 45; since streams wait for the SETTINGS
        // acknowledgement: 100 MiB stalled 5 MiB, peak 20-22 MiB; 300 MiB stalled 5, peak 20.
        // (With the Swift demo in this process, as before, the numbers also held the demo's
        // memory: 15-76 MiB stalled; the demo alone grew 39-96 MiB beside an edge at 13-19.)
        XCTAssertLessThan(stalled, 24 << 20, "a stalled client holds a bounded amount in the edge")
        XCTAssertLessThan(peak, 48 << 20, "memory stays bounded whatever the stream's length")
    }
}
