#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP client socket to 127.0.0.1 with a read buffer, the one piece under
/// the tests' hand-written clients (``TestConnection``, ``StreamingSocket``,
/// ``TestWebSocketClient``, ``EndToEndClient``): they write exact bytes and read exactly
/// what the server wrote. Every read has a timeout so a broken server fails the test
/// instead of hanging it.
class ClientSocket {
    enum Failure: Error { case connect(Int32), closed, timeout, malformed(String) }

    private let fd: Int32
    /// Bytes read and not consumed yet start at `bufferStart` (consuming does not copy).
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    /// Whether a read found the connection closed (or reset) by the server.
    private(set) var closedByPeer = false

    /// - Parameters:
    ///   - sendTimeout: also bound blocking writes by `readTimeoutSeconds` (`SO_SNDTIMEO`).
    ///   - receiveBufferBytes: a small `SO_RCVBUF` makes a client that does not read fill up sooner.
    init(port: Int, readTimeoutSeconds: Int, sendTimeout: Bool = false, receiveBufferBytes: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: readTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if sendTimeout {
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
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

    // MARK: - Writing

    func send(_ text: String) { send(Array(text.utf8)) }

    /// Writes all of `bytes`; stops quietly when the connection is gone (the reads then say so).
    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return }
            offset += written
        }
    }

    /// Writes what the kernel takes without blocking; the count written.
    func sendWithoutBlocking(_ bytes: [UInt8]) -> Int {
        let written = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        return max(written, 0)
    }

    /// Half-closes: the server sees the client's FIN; reading goes on.
    func shutdownWrite() { _ = Glibc.shutdown(fd, Int32(SHUT_WR)) }

    /// Shuts the socket down both ways (the client goes away).
    func abort() { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }

    // MARK: - Reading

    /// The bytes read and not consumed yet.
    var bufferedCount: Int { buffer.count - bufferStart }

    /// Whether the server has written something (or closed) that is not read yet.
    func hasPendingInput() -> Bool {
        if bufferedCount > 0 { return true }
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return count >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK)
    }

    /// Reads more bytes (up to `max`); false when the peer closed (or reset) the connection.
    func fill(max: Int = 65536) throws -> Bool {
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
        closedByPeer = true
        return false
    }

    /// Consumes `count` buffered bytes.
    private func take(_ count: Int) -> ArraySlice<UInt8> {
        let slice = buffer[bufferStart..<(bufferStart + count)]
        bufferStart += count
        if bufferStart > 1 << 20 {
            buffer.removeFirst(bufferStart)
            bufferStart = 0
        }
        return slice
    }

    /// The next `count` bytes, reading until they are there; throws ``Failure/closed`` if the connection ends first.
    func readBytes(_ count: Int) throws -> [UInt8] {
        while bufferedCount < count {
            // Large reads for a large body, but a bounded scratch buffer per read.
            guard try fill(max: Swift.min(Swift.max(65536, count - bufferedCount), 1 << 20)) else { throw Failure.closed }
        }
        return Array(take(count))
    }

    /// The bytes up to `separator` (which is consumed too), reading until it comes.
    func readThrough(_ separator: [UInt8]) throws -> [UInt8] {
        var end = Self.find(separator, in: buffer[bufferStart...])
        while end == nil {
            guard try fill() else { throw Failure.closed }
            end = Self.find(separator, in: buffer[bufferStart...])
        }
        let bytes = Array(take(end! - bufferStart))
        _ = take(separator.count)
        return bytes
    }

    /// A line ending in CRLF, without it.
    func readLine() throws -> String {
        String(decoding: try readThrough([13, 10]), as: UTF8.self)
    }

    /// The next response head (a `100 Continue` is one too): its status and header fields.
    func readHeadFields() throws -> (status: Int, headers: [(String, String)]) {
        try Self.parseHead(String(decoding: try readThrough([13, 10, 13, 10]), as: UTF8.self))
    }

    /// Everything until the server closes the connection.
    func readToEnd() throws -> [UInt8] {
        while try fill() {}
        return Array(take(bufferedCount))
    }

    /// Whether the server closes the connection (sending nothing more worth reading) within the read timeout.
    func waitForClose() -> Bool {
        do {
            while try fill() {}
            return true
        } catch {
            return false
        }
    }

    // MARK: - Parsing

    /// Where `needle` starts in `haystack` (an index of `haystack`).
    static func find<Bytes: RandomAccessCollection<UInt8>>(_ needle: [UInt8], in haystack: Bytes) -> Bytes.Index? {
        guard haystack.count >= needle.count, let first = needle.first else { return nil }
        var start = haystack.startIndex
        let last = haystack.index(haystack.endIndex, offsetBy: -needle.count)
        while start <= last {
            if haystack[start] == first, haystack[start..<haystack.index(start, offsetBy: needle.count)].elementsEqual(needle) {
                return start
            }
            start = haystack.index(after: start)
        }
        return nil
    }

    /// The status and header fields of a response head (without its final CRLF CRLF).
    static func parseHead(_ text: String) throws -> (status: Int, headers: [(String, String)]) {
        var lines = text.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure.malformed(text) }
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), trimmingSpaces(line[line.index(after: colon)...])))
        }
        return (status, headers)
    }

    private static func trimmingSpaces(_ text: Substring) -> String {
        var text = text
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
