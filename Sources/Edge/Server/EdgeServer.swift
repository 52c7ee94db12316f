import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import EdgeConfig
import EdgeCore
import EdgeTLS

/// The public HTTP/1.1 listener.
///
/// Each accepted connection lives on one event loop of `group` (one loop per
/// core) with the pipeline: ``ConnectionTimeoutHandler`` → HTTP decoder/encoder →
/// ``HTTPPipeliningHandler`` (pipelined requests answered in order) →
/// ``HTTPRequestHandler``. Keep-alive responses are flushed together at the end of
/// the loop iteration that completed them (``ResponseFlushBatch``). No response-header validator: header values from outside
/// (backend metadata, raw content types, the client's request id) are checked where
/// they are put on a response (``ResponseMetadata``, ``ResponseHeaderValue``,
/// `RequestIDGenerator.isAcceptable`). When there is a streaming
/// upstream, a ``WebSocketUpgradeHandler`` sits before the request handler for the
/// connection's first request (see docs/server.md, WebSocket).
///
/// Connections count against `listen.max_connections` from their accept (TLS ones before their
/// handshake); at the cap a new one is closed at once (``ListenerConnectionLimit``).
///
/// ``shutdown()`` drains: the listening socket closes at once, idle connections
/// close, in-flight requests finish (their connections then close), and
/// whatever is left after the drain timeout is closed.
public final class EdgeServer<Transcoder: RequestTranscoding>: Sendable {
    public let settings: ServerSettings
    private let shared: RequestContext<Transcoder>
    private let group: any EventLoopGroup
    private let logger: Logger
    private let state = NIOLockedValueBox(ListenerState())
    private let connections = NIOLockedValueBox([ObjectIdentifier: any Channel]())
    private let flushBatches = ResponseFlushBatches()
    /// TLS in front of every connection (`listen.tls`); `nil`: plaintext.
    public let tls: ListenerTLS?
    /// Open connections and their cap (`listen.max_connections`, updated on reload).
    public let connectionLimit: ListenerConnectionLimit

    private struct ListenerState {
        var channel: (any Channel)?
        var quiesce: ServerQuiescingHelper?
    }

    public init(
        settings: ServerSettings, context: RequestContext<Transcoder>, group: any EventLoopGroup, tls: ListenerTLS? = nil,
        logger: Logger = Logger(label: "edge.server")
    ) {
        self.settings = settings
        var context = context
        context.limits = settings.limits
        // x-forwarded-proto: what this listener serves.
        context.metadataPolicy.scheme = tls == nil ? "http" : "https"
        self.tls = tls
        self.connectionLimit = ListenerConnectionLimit(maximum: settings.maxConnections)
        self.shared = context
        self.group = group
        self.logger = logger
    }

    /// Binds and starts accepting; returns the bound address (port 0 picks a free port).
    @discardableResult
    public func start() async throws -> SocketAddress {
        let quiesce = ServerQuiescingHelper(group: group)
        let shared = self.shared
        let connections = self.connections
        let flushBatches = self.flushBatches
        let limits = settings.limits
        let tls = self.tls
        let connectionLimit = self.connectionLimit
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiesce.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            // A client's FIN must not cut off answers to requests it sent before it (see HTTPPipeliningHandler).
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                guard connectionLimit.tryAccept() else {
                    // At the cap: closed before it is even registered; no handler reads a byte.
                    channel.close(promise: nil)
                    return channel.eventLoop.makeSucceededVoidFuture()
                }
                let id = ObjectIdentifier(channel)
                connections.withLockedValue { $0[id] = channel }
                channel.closeFuture.whenComplete { _ in
                    connections.withLockedValue { _ = $0.removeValue(forKey: id) }
                    connectionLimit.connectionClosed()
                }
                return channel.eventLoop.makeCompletedFuture {
                    try tls?.addHandlers(to: channel.pipeline.syncOperations)
                    try Self.configure(
                        channel.pipeline.syncOperations, shared: shared, limits: limits,
                        flushBatch: flushBatches.batch(for: channel.eventLoop))
                }
            }
        let channel = try await bootstrap.bind(host: settings.host, port: settings.port).get()
        state.withLockedValue {
            $0.channel = channel
            $0.quiesce = quiesce
        }
        let address = channel.localAddress!
        logger.info("listening", metadata: ["address": "\(address)"])
        return address
    }

    package static func configure(
        _ pipeline: ChannelPipeline.SynchronousOperations, shared: RequestContext<Transcoder>, limits: HTTPLimits,
        flushBatch: ResponseFlushBatch
    ) throws {
        let timeouts = ConnectionTimeoutHandler(
            idleTimeout: limits.idleTimeout, headerReadTimeout: limits.headerReadTimeout, detailsRenderer: shared.detailsRenderer)
        let encoder = HTTPResponseEncoder()
        // With WebSocket, bytes read after an upgrade request go on to the frame decoder.
        let decoder = ByteToMessageHandler(HTTPRequestDecoder(
            leftOverBytesStrategy: shared.streamingUpstream == nil ? .dropBytes : .forwardBytes, limitConfiguration: limits.decoderLimits))
        let pipelining = HTTPPipeliningHandler()
        let requestHandler = HTTPRequestHandler(shared: shared, timeouts: timeouts, flushBatch: flushBatch)
        try pipeline.addHandler(timeouts)
        try pipeline.addHandler(encoder)
        try pipeline.addHandler(decoder)
        try pipeline.addHandler(pipelining)
        if let upstream = shared.streamingUpstream {
            let handlers = HTTPPipelineHandlers(
                timeouts: timeouts, encoder: encoder, decoder: decoder, inbound: [pipelining, requestHandler])
            try pipeline.addHandler(WebSocketUpgradeHandler(shared: shared, upstream: upstream, handlers: handlers))
        }
        try pipeline.addHandler(requestHandler)
    }

    /// The bound address, once started.
    public var localAddress: SocketAddress? { state.withLockedValue { $0.channel?.localAddress } }

    /// Stops accepting and drains (see the type's documentation). Safe to call more than once.
    public func shutdown() async {
        guard let quiesce = state.withLockedValue({ state -> ServerQuiescingHelper? in
            defer { state.quiesce = nil }
            return state.quiesce
        }) else { return }
        let drained = group.next().makePromise(of: Void.self)
        quiesce.initiateShutdown(promise: drained)
        let timeout = group.next().scheduleTask(in: settings.limits.drainTimeout) {}
        let finishedInTime: Bool = await withCheckedContinuation { continuation in
            let once = NIOLockedValueBox(false)
            let resume: @Sendable (Bool) -> Void = { value in
                let first = once.withLockedValue { done -> Bool in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume(returning: value) }
            }
            drained.futureResult.whenComplete { _ in resume(true) }
            timeout.futureResult.whenComplete { _ in resume(false) }
        }
        timeout.cancel()
        if !finishedInTime {
            let remaining = connections.withLockedValue { Array($0.values) }
            logger.warning("drain timeout passed; closing connections", metadata: ["connections": "\(remaining.count)"])
            for channel in remaining { channel.close(promise: nil) }
        }
        logger.info("listener stopped")
    }
}
