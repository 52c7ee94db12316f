import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A blocking HTTP/1.1 client socket for streaming tests: writes a request body in
/// pieces (chunked), reads a chunked response one chunk at a time, and can stop
/// reading (a slow client) or write without blocking (to find out when the server
/// stops reading). Every read has a timeout so a broken server fails, not hangs.
final class StreamingSocket {
    enum Failure: Error { case connect(Int32), closed, timeout, malformed(String) }

    struct Head {
        var status: Int
        var headers: [(String, String)]

        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    private let fd: Int32
    private var buffer: [UInt8] = []
    private var bufferStart = 0

    init(port: Int, readTimeoutSeconds: Int = 20, receiveBufferBytes: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: readTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if var size = receiveBufferBytes {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result != 0 {
            let error = errno
            close(fd)
            throw Failure.connect(error)
        }
    }

    deinit { close(fd) }

    /// Shuts the socket down both ways (the client goes away).
    func abort() { shutdown(fd, Int32(SHUT_RDWR)) }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return }
            offset += written
        }
    }

    /// One chunk of a chunked request body (an empty one ends the body).
    func sendChunk(_ text: String) { sendChunk(Array(text.utf8)) }

    func sendChunk(_ bytes: [UInt8]) {
        send(Array((String(bytes.count, radix: 16) + "\r\n").utf8) + bytes + [13, 10])
    }

    /// Writes what the kernel takes without blocking; the count written.
    func sendWithoutBlocking(_ bytes: [UInt8]) -> Int {
        let written = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        return max(written, 0)
    }

    /// Sends a request head; `chunked` adds `Transfer-Encoding: chunked`.
    func sendHead(_ method: String, _ target: String, headers: [(String, String)] = [], chunked: Bool = false) {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if chunked { head += "Transfer-Encoding: chunked\r\n" }
        send(head + "\r\n")
    }

    private func fill(max: Int = 65536) throws -> Bool {
        if bufferStart > 0, bufferStart == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            bufferStart = 0
        }
        var chunk = [UInt8](repeating: 0, count: max)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            buffer.append(contentsOf: chunk[0..<count])
            return true
        }
        if count < 0, errno == EAGAIN || errno == EWOULDBLOCK { throw Failure.timeout }
        return false
    }

    private func take(_ count: Int) -> ArraySlice<UInt8> {
        let slice = buffer[bufferStart..<(bufferStart + count)]
        bufferStart += count
        if bufferStart > 1 << 20 {
            buffer.removeFirst(bufferStart)
            bufferStart = 0
        }
        return slice
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count - bufferStart >= needle.count else { return nil }
        var index = bufferStart
        while index <= buffer.count - needle.count {
            if buffer[index] == needle[0], Array(buffer[index..<(index + needle.count)]) == needle { return index - bufferStart }
            index += 1
        }
        return nil
    }

    /// The response head (skipping `100 Continue`).
    func readHead() throws -> Head {
        while true {
            var end = find([13, 10, 13, 10])
            while end == nil {
                guard try fill() else { throw Failure.closed }
                end = find([13, 10, 13, 10])
            }
            let text = String(decoding: take(end!), as: UTF8.self)
            _ = take(4)
            var lines = text.components(separatedBy: "\r\n")
            let statusLine = lines.removeFirst().split(separator: " ")
            guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure.malformed(text) }
            if status == 100 { continue }
            var headers: [(String, String)] = []
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters()))
            }
            return Head(status: status, headers: headers)
        }
    }

    /// The next chunk of a chunked body; nil after the last (empty) chunk. Throws
    /// ``Failure/closed`` when the connection ends before it.
    func readChunk() throws -> [UInt8]? {
        var lineEnd = find([13, 10])
        while lineEnd == nil {
            guard try fill() else { throw Failure.closed }
            lineEnd = find([13, 10])
        }
        let line = String(decoding: take(lineEnd!), as: UTF8.self)
        _ = take(2)
        guard let size = Int(line.split(separator: ";").first ?? "", radix: 16) else { throw Failure.malformed(line) }
        while buffer.count - bufferStart < size + 2 {
            guard try fill(max: max(65536, size + 2)) else { throw Failure.closed }
        }
        let data = Array(take(size))
        _ = take(2)
        return size == 0 ? nil : data
    }

    /// A body with `Content-Length`.
    func readBody(length: Int) throws -> [UInt8] {
        while buffer.count - bufferStart < length {
            guard try fill() else { throw Failure.closed }
        }
        return Array(take(length))
    }

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

    /// Whether the server closes the connection within the read timeout.
    func waitForClose() -> Bool {
        do {
            while try fill() {}
            return true
        } catch {
            return false
        }
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
