import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// What the kernel holds for the server's side of the test's connections on a port: the
/// bytes received and not yet read by the server (`rx_queue` in /proc/net/tcp). Lets a test
/// wait for the event "the server has read what the client sent" (or "it has not, and the
/// bytes wait in its socket") instead of sleeping and hoping.
enum ServerSocketQueue {
    /// The unread bytes of each established connection accepted on `port` (127.0.0.1).
    static func unreadBytes(port: Int) -> [Int] {
        let table = readProcFile("/proc/net/tcp")
        let local = String(format: "0100007F:%04X", port)
        var result: [Int] = []
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // sl local rem st tx_queue:rx_queue ...; st 01 = ESTABLISHED
            guard fields.count > 4, fields[1] == local, fields[3] == "01" else { continue }
            let queues = fields[4].split(separator: ":")
            guard queues.count == 2, let unread = Int(queues[1], radix: 16) else { continue }
            result.append(unread)
        }
        return result
    }

    /// A /proc file read whole (its size reads as 0, so Foundation's file readers return nothing).
    static func readProcFile(_ path: String) -> String {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Runs one task on every loop of `group` and waits: whatever those loops were
    /// doing (a read and its pipeline) has finished.
    static func roundTrip(_ group: any EventLoopGroup) async throws {
        for loop in group.makeIterator() {
            try await loop.submit {}.get()
        }
    }
}
