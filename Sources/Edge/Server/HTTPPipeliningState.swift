/// Whose turn it is on one HTTP/1.1 connection: requests are answered strictly in
/// order, so a request's parts reach the request handler only once the previous
/// response has ended. Pure state; ``HTTPPipeliningHandler`` buffers and delivers.
package struct HTTPPipeliningState {
    package enum Exchange: Equatable {
        /// Between exchanges: the next request part may be delivered.
        case idle
        /// A request is arriving and its response has not ended.
        case receiving
        /// The request has ended; waiting for the end of its response.
        case responding
        /// The response has ended (early, e.g. an error) while the request is still arriving.
        case finishingRequest
    }

    /// Draining (``NIOCore/ChannelShouldQuiesceEvent``) or the client's half-close.
    package enum Ending: Equatable {
        case open
        /// Quiescing: deliver up to the end of the request in progress, then nothing more.
        case afterRequestEnd
        /// Close once the current response has ended; later requests are dropped.
        case afterResponse
        /// The connection is being closed.
        case closed
    }

    package enum CloseAction: Equatable {
        case none
        /// Close now (nothing in flight).
        case close
        /// Close once the write just made (a response's end) has gone out.
        case closeAfterWrite
    }

    package private(set) var exchange: Exchange = .idle
    package private(set) var ending: Ending = .open
    /// The client half-closed (its FIN was delivered in order, after every request before it).
    package private(set) var inputClosed = false

    /// Whether request parts are being dropped (the connection is ending).
    package var dropsRequests: Bool { ending == .afterResponse || ending == .closed }

    /// A request part was handed to the request handler; `.close` when a quiesced
    /// connection's last request ended after its response did.
    package mutating func delivered(head: Bool, end: Bool) -> CloseAction {
        if head, exchange == .idle { exchange = .receiving }
        guard end else { return .none }
        switch exchange {
        case .receiving: exchange = .responding
        case .finishingRequest: exchange = .idle
        case .idle, .responding: break
        }
        if ending == .afterRequestEnd { ending = .afterResponse }
        if exchange == .idle, ending == .afterResponse {
            ending = .closed
            return .close
        }
        return .none
    }

    /// A parse error reaches the request handler, which answers it like a request.
    package mutating func deliveredError() {
        if exchange == .idle || exchange == .finishingRequest { exchange = .responding }
    }

    /// A response ended; `nothingBuffered`: no request waits behind it.
    package mutating func responseEnded(nothingBuffered: Bool) -> CloseAction {
        switch exchange {
        case .receiving: exchange = .finishingRequest
        case .responding: exchange = .idle
        case .idle, .finishingRequest: break
        }
        guard exchange == .idle else { return .none }
        if ending == .afterResponse || (inputClosed && nothingBuffered) {
            ending = .closed
            return .closeAfterWrite
        }
        return .none
    }

    /// The client's half-close, in order after the requests before it.
    package mutating func inputClosedDelivered() -> CloseAction {
        inputClosed = true
        guard exchange == .idle, ending != .closed else { return .none }
        ending = .closed
        return .close
    }

    /// The server drains: idle connections close, the exchange in progress finishes.
    package mutating func quiesce() -> CloseAction {
        switch (exchange, ending) {
        case (_, .closed), (_, .afterResponse):
            return .none
        case (.idle, _):
            ending = .closed
            return .close
        case (.responding, _):
            ending = .afterResponse
        case (.receiving, _), (.finishingRequest, _):
            ending = .afterRequestEnd
        }
        return .none
    }

    package mutating func closed() { ending = .closed }
}
