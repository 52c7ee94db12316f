import Foundation

/// A blocking RFC 6455 client over a plain socket, for the WebSocket tests: it
/// writes exact frames (masked as a client must, or deliberately not, fragmented,
/// binary, ping, close) and reads the server's frames one by one, every read
/// bounded by a timeout so a broken server fails the test instead of hanging it.
final class TestWebSocketClient: HTTPHeaderFields {
    struct Frame {
        var fin: Bool
        var opcode: UInt8
        var payload: [UInt8]

        var text: String { String(decoding: payload, as: UTF8.self) }
        var isClose: Bool { opcode == Opcode.close }
        /// A close frame's status code (nil when it carries none).
        var closeCode: Int? { isClose && payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : nil }
        var closeReason: String { isClose && payload.count > 2 ? String(decoding: payload[2...], as: UTF8.self) : "" }

        /// The payload (or the close reason) as a JSON object; nil if it is not one.
        var json: [String: Any]? {
            let bytes = isClose ? Array(payload.dropFirst(2)) : payload
            return (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
        }
    }

    enum Opcode {
        static let continuation: UInt8 = 0x0
        static let text: UInt8 = 0x1
        static let binary: UInt8 = 0x2
        static let close: UInt8 = 0x8
        static let ping: UInt8 = 0x9
        static let pong: UInt8 = 0xA
    }

    /// The handshake's answer.
    let status: Int
    let headers: [(String, String)]
    /// The response body when the upgrade was refused.
    let body: String

    private let connection: ClientSocket

    /// Connects and sends the upgrade request; `status` is 101 when the server switched protocols.
    /// - Parameters:
    ///   - receiveBufferBytes: a small `SO_RCVBUF` makes a client that does not read fill up sooner.
    ///   - framesWithRequest: frames (see ``frame(opcode:payload:fin:masked:)``) written in the same
    ///     write as the upgrade request, before its answer.
    init(
        port: Int, target: String, method: String = "GET", headers extra: [(String, String)] = [], readTimeoutSeconds: Int = 10,
        receiveBufferBytes: Int? = nil, framesWithRequest: [UInt8] = []
    ) throws {
        let connection = try ClientSocket(
            port: port, readTimeoutSeconds: readTimeoutSeconds, receiveBufferBytes: receiveBufferBytes.map(Int32.init))
        self.connection = connection
        var key = [UInt8](repeating: 0, count: 16)
        for index in key.indices { key[index] = UInt8.random(in: 0...255) }
        var request = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        request += "Sec-WebSocket-Key: \(Data(key).base64EncodedString())\r\nSec-WebSocket-Version: 13\r\n"
        for (name, value) in extra { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        connection.send(Array(request.utf8) + framesWithRequest)
        let (code, parsed) = try connection.readHeadFields()
        status = code
        headers = parsed
        let length = parsed.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? 0
        body = code == 101 ? "" : String(decoding: try connection.readBytes(length), as: UTF8.self)
    }

    // MARK: - Sending

    func sendText(_ text: String) { sendFrame(opcode: Opcode.text, payload: Array(text.utf8)) }

    func sendClose(code: UInt16 = 1000, reason: String = "") {
        sendFrame(opcode: Opcode.close, payload: [UInt8(code >> 8), UInt8(code & 0xFF)] + Array(reason.utf8))
    }

    /// Writes one frame; client frames are masked unless `masked` is false (a protocol violation).
    func sendFrame(opcode: UInt8, payload: [UInt8], fin: Bool = true, masked: Bool = true) {
        connection.send(Self.frame(opcode: opcode, payload: payload, fin: fin, masked: masked))
    }

    /// The bytes of one client frame.
    static func frame(opcode: UInt8, payload: [UInt8], fin: Bool = true, masked: Bool = true) -> [UInt8] {
        var frame: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        let maskBit: UInt8 = masked ? 0x80 : 0
        switch payload.count {
        case 0..<126:
            frame.append(maskBit | UInt8(payload.count))
        case 126...0xFFFF:
            frame.append(maskBit | 126)
            frame += [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default:
            frame.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { frame.append(UInt8((payload.count >> shift) & 0xFF)) }
        }
        if masked {
            let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
            frame += mask
            frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        } else {
            frame += payload
        }
        return frame
    }

    // MARK: - Receiving

    /// The next frame from the server (server frames are never masked).
    func readFrame() throws -> Frame {
        let head = try connection.readBytes(2)
        let fin = head[0] & 0x80 != 0
        let opcode = head[0] & 0x0F
        var length = Int(head[1] & 0x7F)
        if head[1] & 0x80 != 0 { throw ClientSocket.Failure.malformed("the server masked a frame") }
        if length == 126 {
            let bytes = try connection.readBytes(2)
            length = Int(bytes[0]) << 8 | Int(bytes[1])
        } else if length == 127 {
            length = try connection.readBytes(8).reduce(0) { $0 << 8 | Int($1) }
        }
        return Frame(fin: fin, opcode: opcode, payload: try connection.readBytes(length))
    }

    /// Every frame up to and including the close frame.
    func readUntilClose() throws -> (messages: [Frame], close: Frame) {
        var messages: [Frame] = []
        while true {
            let frame = try readFrame()
            if frame.isClose { return (messages, frame) }
            messages.append(frame)
        }
    }

    /// Whether the server closes the TCP connection within the read timeout.
    func waitForClose() -> Bool { connection.waitForClose() }

    /// Closes the socket without a close frame (a client that goes away).
    func drop() { connection.abort() }
}
