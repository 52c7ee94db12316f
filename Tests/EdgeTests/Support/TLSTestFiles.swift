import Foundation
import XCTest

/// Certificates made for one test by `Tests/interop/tls_certs.py` (Python's
/// `cryptography`) in a folder of its own; see that script for what each file is.
final class TLSTestFiles {
    static let interop = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("interop").path

    let directory: String

    /// Writes the files into `directory` (made if missing); `XCTSkip` without python3 and `cryptography`.
    init(directory: String = NSTemporaryDirectory() + "edge-tls-" + UUID().uuidString) throws {
        guard InteropProcess.succeeds("/usr/bin/env", ["python3", "-c", "import cryptography"]) else {
            throw XCTSkip("python3 with cryptography is not available (pip install cryptography); skipping the TLS tests")
        }
        self.directory = directory
        let output = try TLSTestClient.run(["python3", Self.interop + "/tls_certs.py", directory])
        guard FileManager.default.fileExists(atPath: path("a.pem")) else {
            throw InteropProcess.InteropError("tls_certs.py wrote nothing: \(output)")
        }
    }

    func path(_ name: String) -> String { directory + "/" + name }

    /// Replaces `target` by a copy of `source` atomically (a new file renamed over the old one).
    func replace(_ target: String, with source: String) throws {
        let staging = path(target + ".new")
        try? FileManager.default.removeItem(atPath: staging)
        try FileManager.default.copyItem(atPath: path(source), toPath: staging)
        guard rename(staging, path(target)) == 0 else { throw InteropProcess.InteropError("rename failed") }
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

/// One TLS connection by `Tests/interop/tls_client.py` (Python's `ssl`): what it
/// negotiated, the server's certificate, and the HTTP response when asked for one.
struct TLSTestClient {
    var port: Int
    var ca: String?
    var sni: String?
    var version: String?
    var alpn: String?
    var cert: String?
    var key: String?

    /// - Parameters:
    ///   - request: `"GET /v1/shelves"`; nil: close after the handshake (or, with
    ///     `readToEnd`, read until the server closes, into ``TLSTestResult/body``).
    ///   - data: a JSON body.
    ///   - halfClose: after the request, a bare TCP FIN (no `close_notify`), then read the answer.
    func connect(request: String? = nil, data: String? = nil, readToEnd: Bool = false, halfClose: Bool = false) throws -> TLSTestResult {
        var arguments = ["python3", TLSTestFiles.interop + "/tls_client.py", "--port", String(port)]
        if let ca { arguments += ["--ca", ca] }
        if let sni { arguments += ["--sni", sni] }
        if let version { arguments += ["--tls", version] }
        if let alpn { arguments += ["--alpn", alpn] }
        if let cert, let key { arguments += ["--cert", cert, "--key", key] }
        if let request { arguments += ["--request", request] }
        if let data { arguments += ["--data", data] }
        if readToEnd { arguments.append("--read") }
        if halfClose { arguments.append("--half-close") }
        let output = try Self.run(arguments)
        let object = try JSONSerialization.jsonObject(with: Data(output.utf8))
        guard let fields = object as? [String: Any] else { throw InteropProcess.InteropError("tls_client.py printed: \(output)") }
        return TLSTestResult(fields: fields)
    }

    /// Runs a command to its end; its standard output (standard error is added on failure).
    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw InteropProcess.InteropError("\(arguments.joined(separator: " ")) failed: \(text) \(String(decoding: errorData, as: UTF8.self))")
        }
        return text
    }
}

/// What `tls_client.py` reported.
struct TLSTestResult: CustomStringConvertible {
    var fields: [String: Any]

    /// The handshake and the request (if any) succeeded.
    var ok: Bool { fields["ok"] as? Bool ?? false }
    /// `handshake` or `request`, when not ok.
    var stage: String? { fields["stage"] as? String }
    var version: String? { fields["version"] as? String }
    var alpn: String? { fields["alpn"] as? String }
    /// The server certificate's subject (RFC 4514) and organization.
    var subject: String? { fields["subject"] as? String }
    var organization: String? { fields["organization"] as? String }
    var dnsNames: [String] { fields["dns"] as? [String] ?? [] }
    var status: Int? { fields["status"] as? Int }
    var headers: [String: String] { fields["headers"] as? [String: String] ?? [:] }
    var body: String { fields["body"] as? String ?? "" }

    var description: String {
        (try? String(decoding: JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]), as: UTF8.self)) ?? "\(fields)"
    }
}
