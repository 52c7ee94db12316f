import NIOCore
import NIOHTTP2
import NIOPosix
import NIOSSL
import EdgeConfig
import EdgeCore

/// One HTTP/2 connection to one endpoint, owned by one event loop.
///
/// A ``Kind/unary`` connection runs unary calls on its frames
/// (``UpstreamUnaryConnectionHandler``); a ``Kind/multiplexed`` one gives each stream a
/// child channel (streaming calls, health checks).
///
/// Confined to `eventLoop`: every method must be called on it (hence `@unchecked Sendable`,
/// needed only to capture it in NIO's `@Sendable` callbacks, which run on the same loop).
package final class UpstreamConnection: @unchecked Sendable {
    package typealias StreamWaiter = (Result<NIOHTTP2Handler.StreamMultiplexer, UpstreamRetryDecision.Attempt>) -> Void

    package enum Kind {
        /// Unary calls on the connection's frames, no stream channels.
        case unary
        /// A stream channel per stream.
        case multiplexed
    }

    private enum State {
        case idle
        case connecting([StreamWaiter])
        /// The multiplexer is nil on a `.unary` connection.
        case ready(Channel, NIOHTTP2Handler.StreamMultiplexer?)
        case closed
    }

    package let endpoint: UpstreamEndpoint
    package let eventLoop: EventLoop
    package let kind: Kind
    /// The `:authority` of requests on this connection.
    package let authority: String
    private let cluster: UpstreamCluster
    private var state: State = .idle
    /// The unary calls' handler of a `.unary` connection, from the channel's initializer on.
    private var unaryHandler: UpstreamUnaryConnectionHandler?
    /// Unary calls waiting for the connection to come up.
    private var unaryWaiters: [UpstreamUnaryStream] = []
    /// Set by GOAWAY: streams above it were not processed and new streams must go elsewhere.
    package private(set) var goAwayLastStreamID: HTTP2StreamID?
    private var lastError: Error?
    /// No new streams (GOAWAY received or an HTTP/2 error seen); close when idle.
    private var draining = false
    /// A `.multiplexed` connection that is up but whose SETTINGS the server has not
    /// acknowledged yet: streams wait (see `settingsAcknowledged()`).
    private var awaitingSettingsAck: (channel: Channel, multiplexer: NIOHTTP2Handler.StreamMultiplexer, timeout: Scheduled<Void>)?
    private var settingsAcked = false
    /// Streams started and not yet finished on this connection.
    package var activeStreams = 0
    /// Told (once) when this connection can take no new streams: closed or going away.
    package var onRetire: ((UpstreamConnection) -> Void)?

    package init(endpoint: UpstreamEndpoint, eventLoop: EventLoop, cluster: UpstreamCluster, kind: Kind = .multiplexed) {
        self.endpoint = endpoint
        self.eventLoop = eventLoop
        self.kind = kind
        self.cluster = cluster
        self.authority = cluster.config.tlsServerName ?? endpoint.description
    }

    /// Whether new streams may be opened here.
    package var acceptsNewStreams: Bool {
        switch self.state {
        case .closed: return false
        case .idle, .connecting, .ready: return !self.draining
        }
    }

    /// The stream multiplexer when the connection is up (no waiting, no callback).
    package var readyMultiplexer: NIOHTTP2Handler.StreamMultiplexer? {
        if case .ready(_, let multiplexer?) = self.state { return multiplexer }
        return nil
    }

    /// The unary handler's open streams and queued calls (nil before the channel exists).
    package var unaryStreamCounts: (open: Int, queued: Int)? { self.unaryHandler?.streamCounts }

    /// Runs a unary call attempt (a `.unary` connection only), connecting first when needed.
    /// The attempt's slot (``activeStreams``) must be taken already; it is given back when
    /// the attempt's stream is over, whichever way.
    package func startUnary(_ stream: UpstreamUnaryStream) {
        switch self.state {
        case .ready:
            self.unaryHandler!.start(stream)
        case .connecting:
            self.unaryWaiters.append(stream)
        case .idle:
            self.unaryWaiters.append(stream)
            self.state = .connecting([])
            self.connect()
        case .closed:
            self.streamFinished()
            stream.complete(.failure(self.unavailable("connection to \(self.endpoint) is closed", notProcessed: true)))
        }
    }

    /// Hands a stream multiplexer to `waiter`, connecting first when needed. Failures to
    /// connect are reported as never-processed UNAVAILABLE attempts.
    package func withMultiplexer(_ waiter: @escaping StreamWaiter) {
        self.eventLoop.assertInEventLoop()
        switch self.state {
        case .ready(_, let multiplexer?):
            waiter(.success(multiplexer))
        case .ready(_, nil):
            waiter(.failure(self.unavailable("connection to \(self.endpoint) has no stream multiplexer", notProcessed: true)))
        case .connecting(var waiters):
            waiters.append(waiter)
            self.state = .connecting(waiters)
        case .idle:
            self.state = .connecting([waiter])
            self.connect()
        case .closed:
            waiter(.failure(self.unavailable("connection to \(self.endpoint) is closed", notProcessed: true)))
        }
    }

    private func connect() {
        let config = self.cluster.config
        let sslContext = self.cluster.sslContext
        let serverHostname = config.tlsServerName ?? (self.endpoint.isIPAddress ? nil : self.endpoint.host)
        self.cluster.stats.update { $0.connectionsOpened += 1 }
        let bootstrap = ClientBootstrap(group: self.eventLoop)
            .connectTimeout(config.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let sslContext {
                        try sync.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname))
                    }
                    switch self.kind {
                    case .unary:
                        // No multiplexer: frames go to the unary handler (NIO still answers
                        // PINGs and SETTINGS, does HPACK and buffers outbound frames).
                        let http2 = NIOHTTP2Handler(
                            mode: .client,
                            connectionConfiguration: UpstreamHTTP2Settings.connection(config),
                            streamConfiguration: UpstreamHTTP2Settings.stream(config)
                        )
                        try sync.addHandler(http2)
                        let handler = UpstreamUnaryConnectionHandler(
                            connection: self,
                            connectionWindowSize: UpstreamHTTP2Settings.connectionWindow(config),
                            streamWindowSize: UpstreamHTTP2Settings.streamWindow(config),
                            firstStreamID: HTTP2StreamID(config.firstStreamID)
                        )
                        try sync.addHandler(handler)
                        self.unaryHandler = handler
                    case .multiplexed:
                        let http2 = NIOHTTP2Handler(
                            mode: .client,
                            eventLoop: channel.eventLoop,
                            connectionConfiguration: UpstreamHTTP2Settings.connection(config),
                            streamConfiguration: UpstreamHTTP2Settings.stream(config)
                        ) { pushed in
                            // Push is disabled in SETTINGS; a server-initiated stream is refused.
                            pushed.close()
                        }
                        try sync.addHandler(http2)
                        try sync.addHandler(UpstreamConnectionHandler(connection: self, connectionWindowSize: config.connectionWindowSize))
                    }
                }
            }
        bootstrap.connect(host: self.endpoint.host, port: self.endpoint.port).assumeIsolated().whenComplete { [self] result in
            self.connectCompleted(result)
        }
    }

    private func connectCompleted(_ result: Result<Channel, Error>) {
        guard case .connecting(let waiters) = self.state else {
            // Closed while connecting (pool shutdown): drop the new channel.
            if case .success(let channel) = result { channel.close(promise: nil) }
            return
        }
        switch result {
        case .success(let channel) where self.kind == .unary:
            guard let handler = self.unaryHandler else {
                channel.close(promise: nil)
                self.failConnecting(waiters, error: ChannelError.inappropriateOperationForState)
                return
            }
            self.state = .ready(channel, nil)
            let unaryWaiters = self.unaryWaiters
            self.unaryWaiters = []
            for stream in unaryWaiters { handler.start(stream) }
        case .success(let channel):
            do {
                let multiplexer = try channel.pipeline.syncOperations.handler(type: NIOHTTP2Handler.self).syncMultiplexer()
                if self.settingsAcked {
                    self.becomeReady(channel, multiplexer, waiters: waiters)
                } else {
                    // A stream opened before the server acknowledges our SETTINGS starts
                    // from the default 64 KiB window in NIO's accounting; its channel then
                    // asks for the configured window on top, and the acknowledgement adds
                    // the SETTINGS' increase again: about twice the window it should get.
                    let timeout = self.eventLoop.assumeIsolated().scheduleTask(in: self.cluster.config.connectTimeout) {
                        self.settingsAckTimedOut()
                    }
                    self.awaitingSettingsAck = (channel, multiplexer, timeout)
                }
            } catch {
                channel.close(promise: nil)
                self.failConnecting(waiters, error: error)
            }
        case .failure(let error):
            self.failConnecting(waiters, error: error)
        }
    }

    /// The server acknowledged our SETTINGS (the first ACK; later ones change nothing here).
    package func settingsAcknowledged() {
        guard !self.settingsAcked else { return }
        self.settingsAcked = true
        guard let pending = self.awaitingSettingsAck, case .connecting(let waiters) = self.state else { return }
        self.awaitingSettingsAck = nil
        pending.timeout.cancel()
        self.becomeReady(pending.channel, pending.multiplexer, waiters: waiters)
    }

    private func becomeReady(_ channel: Channel, _ multiplexer: NIOHTTP2Handler.StreamMultiplexer, waiters: [StreamWaiter]) {
        self.state = .ready(channel, multiplexer)
        for waiter in waiters { waiter(.success(multiplexer)) }
    }

    /// Closes a connection still waiting for the SETTINGS acknowledgement (connect failed,
    /// or the pool closes).
    private func dropAwaitingSettingsAck() {
        guard let pending = self.awaitingSettingsAck else { return }
        self.awaitingSettingsAck = nil
        pending.timeout.cancel()
        pending.channel.close(promise: nil)
    }

    private func settingsAckTimedOut() {
        guard let pending = self.awaitingSettingsAck else { return }
        // channelClosed() fails the waiting streams with this error.
        self.lastError = UpstreamSettingsAckTimeout()
        pending.channel.close(promise: nil)
    }

    private func failConnecting(_ waiters: [StreamWaiter], error: Error) {
        self.dropAwaitingSettingsAck()
        self.cluster.stats.update { $0.connectFailures += 1 }
        self.state = .closed
        self.unaryHandler = nil
        let failure = self.unavailable("cannot connect to upstream \(self.endpoint) (cluster \(self.cluster.config.name)): \(error)", notProcessed: true)
        self.retire()
        for waiter in waiters { waiter(.failure(failure)) }
        self.failUnaryWaiters(failure)
    }

    private func failUnaryWaiters(_ failure: UpstreamRetryDecision.Attempt) {
        let streams = self.unaryWaiters
        self.unaryWaiters = []
        for stream in streams {
            self.streamFinished()
            stream.complete(.failure(failure))
        }
    }

    /// The connection used up its stream IDs: it takes no new streams and closes when idle.
    package func streamIDsExhausted() {
        self.draining = true
        self.retire()
    }

    package func receivedGoAway(lastStreamID: HTTP2StreamID, errorCode: HTTP2ErrorCode) {
        self.cluster.stats.update { $0.goAwaysReceived += 1 }
        if let current = self.goAwayLastStreamID {
            self.goAwayLastStreamID = min(current, lastStreamID)
        } else {
            self.goAwayLastStreamID = lastStreamID
        }
        self.draining = true
        self.retire()
        // Once the in-flight streams are done nothing will use this connection again.
        self.closeIfDrained()
    }

    package func receivedPing() {
        self.cluster.stats.update { $0.pingsReceived += 1 }
    }

    /// A stream-level problem (also reported on the stream): remembered for messages only.
    package func recordError(_ error: Error) {
        self.lastError = error
    }

    /// A connection-level error; the handler closes the channel right after.
    package func connectionFailed(_ error: Error) {
        self.lastError = error
        self.retire()
    }

    package func channelClosed() {
        self.cluster.stats.update { $0.connectionsClosed += 1 }
        // The handler holds this connection: break the cycle.
        self.unaryHandler = nil
        if case .connecting(let waiters) = self.state {
            self.failConnecting(waiters, error: self.lastError ?? ChannelError.ioOnClosedChannel)
            return
        }
        self.state = .closed
        self.retire()
    }

    package func streamFinished() {
        self.activeStreams -= 1
        self.closeIfDrained()
    }

    private func closeIfDrained() {
        if self.draining, self.activeStreams == 0, case .ready(let channel, _) = self.state {
            channel.close(promise: nil)
        }
    }

    /// Closes the connection; in-flight streams fail with UNAVAILABLE.
    package func close() {
        switch self.state {
        case .ready(let channel, _):
            channel.close(promise: nil)
        case .connecting(let waiters):
            self.state = .closed
            self.dropAwaitingSettingsAck()
            self.retire()
            let failure = self.unavailable("upstream pool is shutting down", notProcessed: true)
            for waiter in waiters { waiter(.failure(failure)) }
            self.failUnaryWaiters(failure)
        case .idle:
            self.state = .closed
            self.retire()
        case .closed:
            break
        }
    }

    /// Classifies a call's stream on this connection that closed without a complete
    /// response (unary and streaming calls alike): never sent, above a GOAWAY's last
    /// stream, refused, reset, or lost with the connection. `notProcessed`: safe to retry.
    package func abruptEnd(of streamID: HTTP2StreamID?, resetCode: HTTP2ErrorCode?) -> UpstreamRetryDecision.Attempt {
        guard let streamID else {
            return .init(status: GRPCStatus(code: .unavailable, message: self.closeReason + " before the request was sent"), notProcessed: true)
        }
        if let lastStreamID = self.goAwayLastStreamID, streamID > lastStreamID {
            return .init(
                status: GRPCStatus(code: .unavailable, message: "upstream \(self.endpoint) is going away (GOAWAY) and did not process the request"),
                notProcessed: true
            )
        }
        switch resetCode {
        case .some(.refusedStream):
            return .init(status: GRPCStatus(code: .unavailable, message: "upstream \(self.endpoint) refused the stream (REFUSED_STREAM)"), notProcessed: true)
        case .some(let code):
            return .init(
                status: GRPCStatus(code: GRPCStatusMapping.code(forHTTP2Error: code), message: "upstream \(self.endpoint) reset the stream (\(code))"),
                notProcessed: false
            )
        case .none:
            return .init(status: GRPCStatus(code: .unavailable, message: self.closeReason), notProcessed: false)
        }
    }

    /// Why streams on this connection ended abruptly, for status messages.
    package var closeReason: String {
        if let lastError = self.lastError { return "connection to \(self.endpoint) lost: \(lastError)" }
        return "connection to \(self.endpoint) closed"
    }

    private func retire() {
        if let onRetire = self.onRetire {
            self.onRetire = nil
            onRetire(self)
        }
    }

    private func unavailable(_ message: String, notProcessed: Bool) -> UpstreamRetryDecision.Attempt {
        UpstreamRetryDecision.Attempt(status: GRPCStatus(code: .unavailable, message: message), notProcessed: notProcessed)
    }
}

/// The server did not acknowledge the edge's HTTP/2 SETTINGS within the connect timeout.
package struct UpstreamSettingsAckTimeout: Error, CustomStringConvertible {
    package var description: String { "the server did not acknowledge HTTP/2 SETTINGS in time" }
}
