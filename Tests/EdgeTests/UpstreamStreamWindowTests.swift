import NIOConcurrencyHelpers
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import XCTest

@testable import Edge
@testable import EdgePolicy
@testable import EdgeTLS
@testable import EdgeUpstream

/// The flow-control window a streaming call grants the server: the configured stream
/// window (SETTINGS_INITIAL_WINDOW_SIZE), also for the first stream of a new connection.
/// Opened before the server acknowledged the edge's SETTINGS, that stream started from the
/// default 64 KiB in NIO's accounting, its channel asked for the configured window on top
/// (WINDOW_UPDATE), and the server's view became twice the window (~16 MiB) — what a
/// paused stream can then leave buffered in the edge.
final class UpstreamStreamWindowTests: XCTestCase {
    /// Answers each stream with `sent` bytes of gRPC messages and records what the client
    /// grants, frame by frame (NIO without a stream multiplexer hands this handler every frame).
    private final class GrantRecorder: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTP2Frame
        typealias OutboundOut = HTTP2Frame
        static let messages = 6
        static let messageBytes = 1 << 20
        static var sent: Int { messages * (messageBytes + 5) }
        private let state = NIOLockedValueBox((initial: 65535, updates: [Int: Int](), streams: [Int]()))

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let frame = unwrapInboundIn(data)
            var answer = false
            state.withLockedValue { state in
                switch frame.payload {
                case .settings(.settings(let settings)):
                    for setting in settings where setting.parameter == .initialWindowSize { state.initial = setting.value }
                case .windowUpdate(let increment) where frame.streamID != .rootStream:
                    state.updates[Int(frame.streamID), default: 0] += increment
                case .headers:
                    state.streams.append(Int(frame.streamID))
                    answer = true
                default:
                    break
                }
            }
            guard answer else { return }
            let headers: HPACKHeaders = [":status": "200", "content-type": "application/grpc"]
            context.write(wrapOutboundOut(HTTP2Frame(streamID: frame.streamID, payload: .headers(.init(headers: headers)))), promise: nil)
            for _ in 0..<Self.messages {
                var message = context.channel.allocator.buffer(capacity: Self.messageBytes + 5)
                message.writeInteger(UInt8(0))
                message.writeInteger(UInt32(Self.messageBytes))
                message.writeRepeatingByte(7, count: Self.messageBytes)
                context.write(wrapOutboundOut(HTTP2Frame(streamID: frame.streamID, payload: .data(.init(data: .byteBuffer(message))))), promise: nil)
            }
            context.flush()
        }

        /// The window each stream seen so far has left in the server's view: what the
        /// client granted minus what was sent.
        var windows: [Int: Int] {
            state.withLockedValue { state in
                Dictionary(uniqueKeysWithValues: state.streams.map { ($0, state.initial + (state.updates[$0] ?? 0) - Self.sent) })
            }
        }
    }

    func testTheFirstStreamOfANewConnectionGetsTheConfiguredWindow() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let recorder = GrantRecorder()
        let server = try ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOHTTP2Handler(mode: .server))
                    try channel.pipeline.syncOperations.addHandler(recorder)
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        defer { try? server.close().wait() }

        let window = 8 << 20
        let pool = try UpstreamPool(
            clusters: [UpstreamClusterConfig(name: "s", endpoints: ["127.0.0.1:\(server.localAddress!.port!)"], streamWindowSize: window)],
            services: ["*": "s"])
        defer { pool.close() }
        var handles: [StreamHandle] = []
        var recorders: [StreamRecorder] = []
        for _ in 0..<2 {
            let head = UpstreamStreamHead(path: "/t.S/M", service: "t.S", metadata: [], deadline: .now() + .seconds(10))
            let streamRecorder = StreamRecorder()
            streamRecorder.keepMessages = false
            recorders.append(streamRecorder)
            handles.append(StreamHandle.open(pool, head, on: group.next(), observer: streamRecorder))
        }
        // Each stream reads its 6 MiB; the client then tops its window up to what it wants.
        for streamRecorder in recorders { XCTAssertTrue(streamRecorder.waitForMessages(GrantRecorder.messages)) }
        // The event that shows the state: both streams' WINDOW_UPDATEs reached the server.
        let deadline = NIODeadline.now() + .seconds(15)
        while NIODeadline.now() < deadline,
            recorder.windows.count < 2 || recorder.windows.values.contains(where: { $0 < window / 2 })
        {
            usleep(10_000)
        }
        let windows = recorder.windows
        XCTAssertEqual(windows.count, 2, "\(windows)")
        for (stream, bytes) in windows {
            XCTAssertLessThanOrEqual(bytes, window, "stream \(stream)'s window in the server's view: \(windows)")
            XCTAssertGreaterThanOrEqual(bytes, window / 2, "stream \(stream) was topped up: \(windows)")
        }
        for handle in handles { handle.onLoop { $0.cancel() } }
    }
}
