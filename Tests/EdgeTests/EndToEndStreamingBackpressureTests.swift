import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// A large server stream (the demo's Download, ≥ 100 MiB as NDJSON) through the
/// edge to a client that reads slowly: the edge pauses reading from the backend
/// whenever the client's socket is full, so its memory stays bounded, and every
/// byte still arrives. The edge and the demo run in this process: its resident
/// set size is what is measured.
final class EndToEndStreamingBackpressureTests: XCTestCase {
    /// 100 MiB; `EDGE_BACKPRESSURE_MIB` sets another size (to see whether memory depends on it).
    static let total = (ProcessInfo.processInfo.environment["EDGE_BACKPRESSURE_MIB"].flatMap(Int.init) ?? 100) << 20
    static let chunkSize = 256 << 10

    func testHundredMegabytesToASlowClientInBoundedMemory() throws {
        let fixture = try XCTUnwrap(EndToEndFixture.startForClass(routesYAML: """
              "GET /v1/download":
                timeout: 600s
                max_timeout: 600s
            """), EndToEndFixture.startFailure)
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

        // The client stalls: the stream must stop, not pile up in the edge.
        sleep(2)
        let stalled = residentBytes() - baseline

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
        // What is measured includes the demo backend's buffers and the upstream HTTP/2 stream
        // window (8 MiB) that a paused call lets fill.
        // Measured while stalled: 16-24 MiB until the wire→JSON speed-up of 2026-11-24 (the
        // stream now runs ~4x faster: 100 MiB in ~7 s instead of ~30 s); since then most runs
        // still give 15-32 MiB, some 57-76 MiB (not malloc's mmap threshold; cause not yet
        // found). Either is far from the > 230 MiB a buffered stream would take.
        XCTAssertLessThan(stalled, 96 << 20, "a stalled client holds a bounded amount in the edge")
        // Measured: peak 48-58 MiB for 100 MiB and for 300 MiB alike (it does not grow with the length).
        XCTAssertLessThan(peak, 96 << 20, "memory stays bounded whatever the stream's length")
    }
}
