import EdgeUpstream

/// The life of one WebSocket stream as a pure state machine: what each event
/// means in each phase, and what ``WebSocketStreamHandler`` does about it.
///
/// Phases: `open` (frames flow both ways) → `closing` (our close frame is out,
/// waiting for the client's) → `closed` (the connection is closing or gone).
/// Independently the call is live until it ends or is cancelled, and the client
/// may have half-closed with its close frame.
package struct WebSocketStreamState {
    package enum Phase: Equatable {
        case open
        case closing
        case closed
    }

    /// What the request side of the route takes.
    package struct Shape: Equatable {
        /// The rule has `body:`: text frames are request messages. Otherwise the path
        /// and query alone make the one request message, sent when the call opens.
        package var acceptsBody: Bool
        /// Client or bidi streaming: any number of messages; else exactly one.
        package var streamsRequests: Bool
    }

    package enum MessageAction: Equatable {
        /// Transcode and send it; then half-close when the method takes no more.
        case send(finishSending: Bool)
        /// End the stream with INVALID_ARGUMENT.
        case refuse(String)
        /// After a close (either side's) or the call's end: dropped.
        case drop
    }

    package enum ClientCloseAction: Equatable {
        /// Half-close the call; first send the request built from the bindings alone
        /// when the method takes one message and none came.
        case finishSending(sendBindingsFirst: Bool)
        /// The close handshake is complete.
        case closeConnection
        case none
    }

    package enum EndAction: Equatable {
        /// Send our close frame (cancelling the call first if it is live); close the
        /// connection once it is written, or else wait for the client's close frame.
        case sendClose(cancelCall: Bool, closeAfterWrite: Bool)
        case closeConnection
        case none
    }

    package let shape: Shape
    package private(set) var phase = Phase.open
    package private(set) var callLive = true
    package private(set) var clientSentClose = false
    package private(set) var requestsSent = 0

    package init(shape: Shape) {
        self.shape = shape
    }

    /// The call is open: a route without `body:` sends its one request now.
    package mutating func callOpened() -> MessageAction {
        guard phase == .open, callLive, !shape.acceptsBody else { return .drop }
        requestsSent += 1
        return .send(finishSending: true)
    }

    /// A whole text message arrived.
    package mutating func receivedMessage(label: String) -> MessageAction {
        guard phase == .open, callLive, !clientSentClose else { return .drop }
        guard shape.acceptsBody else { return .refuse("\(label) takes no request messages: its request is the path and query") }
        guard shape.streamsRequests || requestsSent == 0 else { return .refuse("\(label) takes one request message") }
        requestsSent += 1
        return .send(finishSending: !shape.streamsRequests)
    }

    /// Whether frames (data, pong) may still go to the client.
    package var writesFrames: Bool { phase == .open }

    /// The client's close frame arrived.
    package mutating func receivedClientClose() -> ClientCloseAction {
        clientSentClose = true
        switch phase {
        case .open:
            guard callLive else { return .none }
            return .finishSending(sendBindingsFirst: !shape.streamsRequests && shape.acceptsBody && requestsSent == 0)
        case .closing:
            phase = .closed
            return .closeConnection
        case .closed:
            return .none
        }
    }

    /// The backend ended the call: its status goes in our close frame.
    package mutating func callEnded() -> EndAction {
        callLive = false
        guard phase == .open else { return .none }
        phase = .closing
        return .sendClose(cancelCall: false, closeAfterWrite: clientSentClose)
    }

    /// The edge refuses the stream (bad message, protocol violation). With
    /// `awaitClientClose` false (the frame decoder is broken) the connection closes
    /// once our close frame is written.
    package mutating func failed(awaitClientClose: Bool) -> EndAction {
        switch phase {
        case .open:
            let cancel = callLive
            callLive = false
            phase = .closing
            return .sendClose(cancelCall: cancel, closeAfterWrite: clientSentClose || !awaitClientClose)
        case .closing:
            guard !awaitClientClose else { return .none }
            phase = .closed
            return .closeConnection
        case .closed:
            return .none
        }
    }

    /// Our close frame was written and the connection should close now (handshake
    /// complete, or the client did not answer in time).
    package mutating func closeConnection() -> Bool {
        guard phase != .closed else { return false }
        phase = .closed
        return true
    }

    /// The connection is gone: whether the call must be cancelled.
    package mutating func connectionClosed() -> Bool {
        phase = .closed
        defer { callLive = false }
        return callLive
    }
}
