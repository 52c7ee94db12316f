import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// A blocking HTTP/1.1 client socket for streaming tests: writes a request body in
/// pieces (chunked), reads a chunked response one chunk at a time, and can stop
/// reading (a slow client) or write without blocking (to find out when the server
/// stops reading). Every read has a timeout so a broken server fails, not hangs.
final class StreamingSocket: ClientSocket {
    struct Head: HTTPHeaderFields {
        var status: Int
        var headers: [(String, String)]
    }

    init(port: Int, readTimeoutSeconds: Int = 20, receiveBufferBytes: Int32? = nil) throws {
        try super.init(port: port, readTimeoutSeconds: readTimeoutSeconds, sendTimeout: true, receiveBufferBytes: receiveBufferBytes)
    }

    /// One chunk of a chunked request body (an empty one ends the body).
    func sendChunk(_ text: String) { sendChunk(Array(text.utf8)) }

    func sendChunk(_ bytes: [UInt8]) {
        send(Array((String(bytes.count, radix: 16) + "\r\n").utf8) + bytes + [13, 10])
    }

    /// Sends a request head; `chunked` adds `Transfer-Encoding: chunked`.
    func sendHead(_ method: String, _ target: String, headers: [(String, String)] = [], chunked: Bool = false) {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if chunked { head += "Transfer-Encoding: chunked\r\n" }
        send(head + "\r\n")
    }

    /// Sends a GET (no body) and reads its whole response.
    func get(_ target: String, headers: [(String, String)] = []) throws -> (head: Head, body: String, complete: Bool) {
        sendHead("GET", target, headers: headers)
        return try readResponse()
    }

    /// Sends a GET and reads only the response head: the body is read chunk by chunk after it.
    func getHead(_ target: String, headers: [(String, String)] = []) throws -> Head {
        sendHead("GET", target, headers: headers)
        return try readHead()
    }

    /// The response head (skipping `100 Continue`).
    func readHead() throws -> Head {
        while true {
            let (status, headers) = try readHeadFields()
            if status != 100 { return Head(status: status, headers: headers) }
        }
    }

    /// The next chunk of a chunked body; nil after the last (empty) chunk. Throws
    /// ``ClientSocket/Failure/closed`` when the connection ends before it.
    func readChunk() throws -> [UInt8]? {
        let line = try readLine()
        guard let size = Int(line.split(separator: ";").first ?? "", radix: 16) else { throw Failure.malformed(line) }
        var data = try readBytes(size + 2)
        data.removeLast(2)
        return size == 0 ? nil : data
    }

    /// A body with `Content-Length`.
    func readBody(length: Int) throws -> [UInt8] { try readBytes(length) }

    /// The rest of a chunked body, and whether it ended with the last chunk (false: the connection was cut).
    func readChunkedBody() throws -> (body: [UInt8], complete: Bool) {
        var body: [UInt8] = []
        do {
            while let chunk = try readChunk() { body += chunk }
        } catch Failure.closed {
            return (body, false)
        }
        return (body, true)
    }

    /// Head and body of a response (chunked or with Content-Length).
    func readResponse() throws -> (head: Head, body: String, complete: Bool) {
        let head = try readHead()
        if let length = head.header("content-length").flatMap(Int.init) {
            return (head, String(decoding: try readBody(length: length), as: UTF8.self), true)
        }
        let (body, complete) = try readChunkedBody()
        return (head, String(decoding: body, as: UTF8.self), complete)
    }
}

/// NDJSON lines (or SSE `data:` payloads) parsed as JSON objects.
func jsonObjects(_ lines: [Substring]) throws -> [[String: Any]] {
    try lines.map { line in
        let value = try JSONSerialization.jsonObject(with: Data(line.utf8))
        guard let object = value as? [String: Any] else { throw StreamingSocket.Failure.malformed(String(line)) }
        return object
    }
}

/// `text` as a JSON object; fails the test (showing the text) if it is not one.
func jsonObject(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
    try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text, file: file, line: line)
}

/// `text` as a JSON array of objects (a `json_array` stream); fails the test (showing the text) if it is not one.
func jsonArray(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> [[String: Any]] {
    try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]], text, file: file, line: line)
}

func ndjsonObjects(_ body: String) throws -> [[String: Any]] {
    try jsonObjects(body.split(separator: "\n", omittingEmptySubsequences: true))
}

/// The events of a Server-Sent Events body: (event name or nil, data).
func sseEvents(_ body: String) -> [(event: String?, data: String)] {
    body.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { block in
        var event: String?
        var data: [String] = []
        for line in block.split(separator: "\n") {
            if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
            if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
        }
        return (event, data.joined(separator: "\n"))
    }
}

/// This process's resident set size, from /proc/self/statm.
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// The `\n` bytes in `bytes` (memchr: fast even in debug builds).
func countNewlines(_ bytes: UnsafeRawBufferPointer) -> Int {
    guard var cursor = bytes.baseAddress else { return 0 }
    let end = cursor + bytes.count
    var count = 0
    while cursor < end, let found = memchr(cursor, 10, end - cursor) {
        count += 1
        cursor = UnsafeRawPointer(found) + 1
    }
    return count
}

/// Makes glibc's malloc serve every block of 128 KiB or more with its own mmap and
/// unmap it when freed (`mallopt(M_MMAP_THRESHOLD, 128 KiB)`, which also stops the
/// threshold from growing), so the resident set size follows the large buffers
/// actually in use instead of what malloc keeps after frees. Looked up at run time:
/// the Glibc module does not export `mallopt`.
func pinMallocMmapThreshold() {
    typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
    let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
    _ = mallopt(-3, 128 << 10)  // M_MMAP_THRESHOLD
}
