import Foundation
import XCTest

/// `Tests/interop/jwt_keys.py`: a JWKS server (rotates keys, goes down, comes back)
/// and a token minter (PyJWT), driven one JSON command per line.
final class JWTKeyServer {
    private static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("interop/jwt_keys.py").path

    private let process = Process()
    private let stdout = Pipe()
    private let stdin = Pipe()
    private var buffered = Data()
    let port: Int

    var uri: String { "http://127.0.0.1:\(port)/jwks.json" }

    static func available() -> Bool {
        InteropProcess.succeeds("/usr/bin/env", ["python3", "-c", "import jwt, cryptography"])
    }

    init() throws {
        guard Self.available() else { throw XCTSkip("python3 with PyJWT and cryptography is not available (scripts/install-deps.sh)") }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script]
        process.standardOutput = stdout
        process.standardInput = stdin
        process.standardError = FileHandle.standardError
        try process.run()
        var port = 0
        let first = try Self.readLine(stdout.fileHandleForReading, &buffered)
        if first.hasPrefix("PORT "), let value = Int(first.dropFirst(5)) { port = value }
        guard port > 0 else { throw XCTSkip("jwt_keys.py did not start: \(first)") }
        self.port = port
    }

    deinit { terminate() }

    func terminate() {
        guard process.isRunning else { return }
        try? stdin.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }

    private static func readLine(_ handle: FileHandle, _ buffered: inout Data) throws -> String {
        while true {
            if let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffered[buffered.startIndex..<newline], as: UTF8.self)
                buffered = Data(buffered[buffered.index(after: newline)...])
                return line
            }
            let chunk = handle.availableData
            if chunk.isEmpty { throw XCTSkip("jwt_keys.py exited") }
            buffered.append(chunk)
        }
    }

    @discardableResult
    func command(_ object: [String: Any]) throws -> [String: Any] {
        let data = try JSONSerialization.data(withJSONObject: object)
        stdin.fileHandleForWriting.write(data + Data("\n".utf8))
        let line = try Self.readLine(stdout.fileHandleForReading, &buffered)
        let answer = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
        if let error = answer["error"] { XCTFail("jwt_keys.py: \(error)") }
        return answer
    }

    /// A token signed by PyJWT. `headers` are added to (or override) `kid` and `alg`'s header.
    func mint(key: String = "rsa", alg: String = "RS256", claims: [String: Any], headers: [String: Any] = [:], noKid: Bool = false, secret: String? = nil) throws -> String {
        var command: [String: Any] = ["cmd": "mint", "key": key, "alg": alg, "claims": claims, "headers": headers, "no_kid": noKid]
        if let secret { command["secret"] = secret }
        return try XCTUnwrap(try self.command(command)["token"] as? String)
    }

    /// A hand-built token (header as given), signed with `key` under `alg` (nil key: empty signature).
    func raw(header: [String: Any], claims: Any, key: String?, alg: String = "RS256") throws -> String {
        var command: [String: Any] = ["cmd": "raw", "header": header, "claims": claims, "alg": alg]
        command["key"] = key ?? NSNull()
        return try XCTUnwrap(try self.command(command)["token"] as? String)
    }

    func kid(_ key: String = "rsa") throws -> String { try XCTUnwrap(try command(["cmd": "kid", "key": key])["kid"] as? String) }
    func rotate(_ key: String = "rsa") throws -> String { try XCTUnwrap(try command(["cmd": "rotate", "key": key])["kid"] as? String) }
    func down() throws { try command(["cmd": "down"]) }
    func up() throws { try command(["cmd": "up"]) }
    func maxAge(_ seconds: Int?) throws { try command(["cmd": "max_age", "seconds": seconds ?? NSNull()]) }
    func status(_ code: Int) throws { try command(["cmd": "status", "code": code]) }
    func count() throws -> Int { try XCTUnwrap(try command(["cmd": "count"])["count"] as? Int) }
    func write(to path: String) throws { try command(["cmd": "write", "path": path]) }
}
