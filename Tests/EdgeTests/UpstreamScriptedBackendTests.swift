import NIOConcurrencyHelpers
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import XCTest

/// An in-process HTTP/2 "gRPC server" written directly on swift-nio-http2, so the upstream
/// tests control every frame: split messages, several messages per frame, trailers-only,
/// bad `:status`, RST_STREAM, GOAWAY, PING floods, responses that never come.
///
/// The script maps (path, attempt number for that path, request) to the steps to play.
final class ScriptedH2Backend: @unchecked Sendable {
    enum Step {
        case headers(HPACKHeaders, endStream: Bool)
        case data(ByteBuffer, endStream: Bool)
        case reset(HTTP2ErrorCode)
        /// GOAWAY on the connection with last-stream-id 0 (nothing processed), then close it.
        case goAwayAndClose
        case pings(Int)
        /// Raw bytes on the connection that no HTTP/2 peer can parse (a frame longer than
        /// SETTINGS_MAX_FRAME_SIZE).
        case garbageFrame
        /// Never answer.
        case hang
        /// Play the following steps after this long (the stream stays open meanwhile).
        case delay(TimeAmount)
    }

    struct Request {
        var path: String
        var attempt: Int
        var headers: HPACKHeaders
        var body: ByteBuffer
        /// The request message without its 5-byte frame header.
        var message: ByteBuffer {
            var body = self.body
            body.moveReaderIndex(forwardBy: min(5, body.readableBytes))
            return body
        }
    }

    struct Log {
        var attempts: [String: Int] = [:]
        var requests: [Request] = []
        /// Streams the client reset, per path.
        var resets: [String: Int] = [:]
        var connections = 0
        /// Requests being answered now (from the end of the request to the last step
        /// written), and the most there ever were at once.
        var answering = 0
        var maxAnswering = 0
    }

    typealias Script = @Sendable (Request) -> [Step]

    let group: MultiThreadedEventLoopGroup
    private var channel: Channel!
    private let log = NIOLockedValueBox(Log())
    let script: Script

    var port: Int { self.channel.localAddress!.port! }
    var address: String { "127.0.0.1:\(self.port)" }
    var snapshot: Log { self.log.withLockedValue { $0 } }

    /// - Parameter maxConcurrentStreams: SETTINGS_MAX_CONCURRENT_STREAMS to advertise (NIO's default when nil).
    init(maxConcurrentStreams: Int? = nil, script: @escaping Script) throws {
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.script = script
        var configuration = NIOHTTP2Handler.ConnectionConfiguration()
        configuration.controlFrameRateLimit.maximumCount = 100_000
        if let maxConcurrentStreams {
            configuration.initialSettings = [
                HTTP2Setting(parameter: .maxConcurrentStreams, value: maxConcurrentStreams),
                HTTP2Setting(parameter: .maxHeaderListSize, value: 1 << 16),
            ]
        }
        let connection = configuration
        self.channel = try ServerBootstrap(group: self.group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                self.log.withLockedValue { $0.connections += 1 }
                return channel.eventLoop.makeCompletedFuture {
                    let http2 = NIOHTTP2Handler(mode: .server, eventLoop: channel.eventLoop, connectionConfiguration: connection) { stream in
                        stream.eventLoop.makeCompletedFuture {
                            try stream.pipeline.syncOperations.addHandler(StreamHandler(backend: self, connection: channel))
                        }
                    }
                    try channel.pipeline.syncOperations.addHandler(http2)
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
    }

    func shutdown() {
        try? self.channel.close().wait()
        try? self.group.syncShutdownGracefully()
    }

    /// Waits (up to 3 s) until `condition` holds on the log.
    func waitUntil(_ condition: (Log) -> Bool) -> Bool {
        for _ in 0..<300 {
            if condition(self.snapshot) { return true }
            usleep(10_000)
        }
        return condition(self.snapshot)
    }

    fileprivate func record(_ request: inout Request) {
        self.log.withLockedValue { log in
            let attempt = (log.attempts[request.path] ?? 0) + 1
            log.attempts[request.path] = attempt
            request.attempt = attempt
            log.requests.append(request)
        }
    }

    fileprivate func answering(_ delta: Int) {
        self.log.withLockedValue { log in
            log.answering += delta
            log.maxAnswering = max(log.maxAnswering, log.answering)
        }
    }

    fileprivate func recordReset(path: String) {
        self.log.withLockedValue { $0.resets[path, default: 0] += 1 }
    }

    private final class StreamHandler: ChannelInboundHandler {
        typealias InboundIn = HTTP2Frame.FramePayload
        typealias OutboundOut = HTTP2Frame.FramePayload

        private let backend: ScriptedH2Backend
        private let connection: Channel
        private var headers = HPACKHeaders()
        private var body = ByteBuffer()
        private var path = ""
        private var answered = false

        init(backend: ScriptedH2Backend, connection: Channel) {
            self.backend = backend
            self.connection = connection
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch self.unwrapInboundIn(data) {
            case .headers(let headers):
                self.headers = headers.headers
                self.path = headers.headers.first(name: ":path") ?? ""
                if headers.endStream { self.respond(context: context) }
            case .data(let data):
                if case .byteBuffer(var buffer) = data.data { self.body.writeBuffer(&buffer) }
                if data.endStream { self.respond(context: context) }
            default:
                break
            }
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if let closed = event as? StreamClosedEvent, closed.reason == .cancel {
                self.backend.recordReset(path: self.path)
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            if let closed = error as? NIOHTTP2Errors.StreamClosed, closed.errorCode == .cancel {
                self.backend.recordReset(path: self.path)
            }
            context.close(promise: nil)
        }

        private func respond(context: ChannelHandlerContext) {
            guard !self.answered else { return }
            self.answered = true
            var request = Request(path: self.path, attempt: 0, headers: self.headers, body: self.body)
            self.backend.record(&request)
            self.backend.answering(1)
            self.play(self.backend.script(request)[...], context: context)
        }

        private func play(_ steps: ArraySlice<ScriptedH2Backend.Step>, context: ChannelHandlerContext) {
            for (index, step) in zip(steps.indices, steps) {
                switch step {
                case .delay(let delay):
                    let rest = steps[(index + 1)...]
                    let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                    context.eventLoop.scheduleTask(in: delay) {
                        let (handler, context) = loopBound.value
                        handler.play(rest, context: context)
                    }
                    return
                case .headers(let headers, let endStream):
                    context.writeAndFlush(self.wrapOutboundOut(.headers(.init(headers: headers, endStream: endStream))), promise: nil)
                case .data(let buffer, let endStream):
                    context.writeAndFlush(self.wrapOutboundOut(.data(.init(data: .byteBuffer(buffer), endStream: endStream))), promise: nil)
                case .reset(let code):
                    context.writeAndFlush(self.wrapOutboundOut(.rstStream(code)), promise: nil)
                case .goAwayAndClose:
                    let frame = HTTP2Frame(streamID: .rootStream, payload: .goAway(lastStreamID: .rootStream, errorCode: .noError, opaqueData: nil))
                    let connection = self.connection
                    connection.writeAndFlush(frame).whenComplete { _ in
                        connection.eventLoop.scheduleTask(in: .milliseconds(50)) { connection.close(promise: nil) }
                    }
                case .pings(let count):
                    for i in 0..<count {
                        self.connection.write(HTTP2Frame(streamID: .rootStream, payload: .ping(HTTP2PingData(withInteger: UInt64(i)), ack: false)), promise: nil)
                    }
                    self.connection.flush()
                case .garbageFrame:
                    let http2 = try! self.connection.pipeline.syncOperations.context(handlerType: NIOHTTP2Handler.self)
                    var bytes = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01])
                    bytes.writeRepeatingByte(0, count: 64)
                    http2.writeAndFlush(NIOAny(bytes), promise: nil)
                case .hang:
                    return
                }
            }
            self.backend.answering(-1)
        }
    }
}

/// Building blocks for scripts.
enum GRPCScript {
    static func responseHeaders(_ extra: [(String, String)] = []) -> HPACKHeaders {
        var headers: HPACKHeaders = [":status": "200", "content-type": "application/grpc"]
        for (name, value) in extra { headers.add(name: name, value: value) }
        return headers
    }

    static func trailers(_ code: Int, message: String? = nil, extra: [(String, String)] = []) -> HPACKHeaders {
        var headers: HPACKHeaders = ["grpc-status": String(code)]
        if let message { headers.add(name: "grpc-message", value: message) }
        for (name, value) in extra { headers.add(name: name, value: value) }
        return headers
    }

    static func trailersOnly(_ code: Int, message: String? = nil, extra: [(String, String)] = []) -> HPACKHeaders {
        var headers = responseHeaders()
        headers.add(contentsOf: trailers(code, message: message, extra: extra))
        return headers
    }

    static func frame(_ message: [UInt8], compressed: Bool = false) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt8(compressed ? 1 : 0))
        buffer.writeInteger(UInt32(message.count))
        buffer.writeBytes(message)
        return buffer
    }

    static func unary(_ message: [UInt8], headers: [(String, String)] = [], trailers extra: [(String, String)] = []) -> [ScriptedH2Backend.Step] {
        [
            .headers(responseHeaders(headers), endStream: false),
            .data(frame(message), endStream: false),
            .headers(trailers(0, extra: extra), endStream: true),
        ]
    }
}

final class UpstreamScriptedBackendTests: XCTestCase {
    func testBackendStartsAndStops() throws {
        let backend = try ScriptedH2Backend { _ in [] }
        XCTAssertGreaterThan(backend.port, 0)
        backend.shutdown()
    }
}
