import NIOConcurrencyHelpers
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// An in-process HTTP/2 gRPC server that holds every call it gets until the test lets them
/// go: a backend in trouble whose calls pile up, reached deterministically (wait until it
/// holds N calls, no sleeps). ``releaseAll()`` answers each held call with response headers,
/// one empty message (valid for any proto3 message) and `grpc-status: 0`.
///
/// Counts what it saw: calls that arrived, calls held now, and calls the client reset
/// (the edge cancelling a stream).
final class GatedGRPCBackend: @unchecked Sendable {
    struct Counts: Equatable {
        var arrived = 0
        var held = 0
        var resets = 0
    }

    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private var channel: Channel!
    private let state = NIOLockedValueBox<(counts: Counts, waiting: [Held])>((Counts(), []))

    /// A held call: answered on its stream's loop when released.
    private struct Held {
        var id: ObjectIdentifier
        var answer: @Sendable () -> Void
    }

    var port: Int { channel.localAddress!.port! }
    var counts: Counts { state.withLockedValue { $0.counts } }

    init() throws {
        var configuration = NIOHTTP2Handler.ConnectionConfiguration()
        configuration.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: 1000),
            HTTP2Setting(parameter: .maxHeaderListSize, value: 1 << 16),
        ]
        let connection = configuration
        channel = try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    let http2 = NIOHTTP2Handler(mode: .server, eventLoop: channel.eventLoop, connectionConfiguration: connection) { stream in
                        stream.eventLoop.makeCompletedFuture {
                            try stream.pipeline.syncOperations.addHandler(StreamHandler(backend: self))
                        }
                    }
                    try channel.pipeline.syncOperations.addHandler(http2)
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
    }

    /// Answers every call held now (OK, one empty message).
    func releaseAll() {
        let waiting = state.withLockedValue { state -> [Held] in
            defer { state.waiting = [] }
            state.counts.held = 0
            return state.waiting
        }
        for held in waiting { held.answer() }
    }

    /// Waits (up to 10 s) until `condition` holds on the counts.
    @discardableResult
    func waitUntil(_ condition: (Counts) -> Bool) -> Bool {
        for _ in 0..<1000 {
            if condition(counts) { return true }
            usleep(10_000)
        }
        return condition(counts)
    }

    func shutdown() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }

    fileprivate func hold(_ id: ObjectIdentifier, answer: @escaping @Sendable () -> Void) {
        state.withLockedValue {
            $0.counts.arrived += 1
            $0.counts.held += 1
            $0.waiting.append(Held(id: id, answer: answer))
        }
    }

    /// The stream closed before it was answered (the client reset it).
    fileprivate func abandoned(_ id: ObjectIdentifier) {
        state.withLockedValue { state in
            guard let index = state.waiting.firstIndex(where: { $0.id == id }) else { return }
            state.waiting.remove(at: index)
            state.counts.held -= 1
            state.counts.resets += 1
        }
    }

    private final class StreamHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTP2Frame.FramePayload
        typealias OutboundOut = HTTP2Frame.FramePayload

        private let backend: GatedGRPCBackend
        private var context: ChannelHandlerContext?
        private var answered = false

        init(backend: GatedGRPCBackend) {
            self.backend = backend
        }

        func handlerAdded(context: ChannelHandlerContext) {
            self.context = context
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            // Held from the request's headers on: streaming requests need not end first.
            guard case .headers = unwrapInboundIn(data), !answered else { return }
            answered = true
            let loop = context.eventLoop
            backend.hold(ObjectIdentifier(self)) { [self] in
                loop.execute { self.answer() }
            }
        }

        private func answer() {
            guard let context else { return }
            var headers: HPACKHeaders = [":status": "200", "content-type": "application/grpc"]
            context.write(wrapOutboundOut(.headers(.init(headers: headers))), promise: nil)
            var frame = ByteBuffer()
            frame.writeInteger(UInt8(0))
            frame.writeInteger(UInt32(0))
            context.write(wrapOutboundOut(.data(.init(data: .byteBuffer(frame)))), promise: nil)
            headers = ["grpc-status": "0"]
            context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: headers, endStream: true))), promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            backend.abandoned(ObjectIdentifier(self))
            self.context = nil
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            context.close(promise: nil)
        }
    }
}
