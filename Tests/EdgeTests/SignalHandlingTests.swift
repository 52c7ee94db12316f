import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Every signal the edge handles is handled every time: `edge demo`, run as a
/// user runs it (the built binary, a subprocess), logs and ignores each of
/// several SIGHUPs, keeps serving, then drains and exits 0 on SIGTERM.
final class SignalHandlingTests: XCTestCase {
    func testDemoSurvivesEverySIGHUPAndStopsOnSIGTERM() throws {
        let edge = try EdgeBinary.path()
        let port = try Self.freePort()
        let adminPort = try Self.freePort()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("edge-demo-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let output = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: edge)
        process.arguments = ["demo", "--port", String(port), "--admin-port", String(adminPort)]
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        func text() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        XCTAssertTrue(waitUntil(seconds: 60) { text().contains("admin listening") }, "the demo did not start:\n\(text())")
        let notice = "SIGHUP: no configuration file to reload (the configuration is built in); ignored"
        for sent in 1...5 {
            kill(process.processIdentifier, SIGHUP)
            XCTAssertTrue(
                waitUntil(seconds: 30) { text().components(separatedBy: notice).count - 1 == sent || !process.isRunning },
                "SIGHUP \(sent) was not logged:\n\(text())")
            XCTAssertTrue(process.isRunning, "the demo died on SIGHUP \(sent):\n\(text())")
        }
        let (status, body) = try Self.get(port: port, path: "/v1/shelves/1")
        XCTAssertEqual(status, 200, body)
        XCTAssertTrue(body.contains(#""theme":"Fiction""#), body)

        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit, text())
        XCTAssertEqual(process.terminationStatus, 0, text())
        XCTAssertTrue(text().contains("draining in-flight requests"), text())
    }

    private func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }

    /// A port the kernel hands out for an ephemeral bind (closed again at once).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0 else { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A plain HTTP/1.1 GET over a socket: status and body.
    static func get(port: Int, path: String) throws -> (Int, String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &chunk, chunk.count, 0)
            if count <= 0 { break }
            response += chunk[0..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        let status = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
        let body = text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        return (status, body)
    }
}
