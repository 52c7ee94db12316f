import NIOCore
import EdgePolicy
import EdgeUpstream

/// The timer state of one connection: idle between requests, reading a head
/// (header-read deadline from its first byte), or busy with a request.
///
/// Pure state machine; ``ConnectionTimeoutHandler`` carries out its actions.
package struct ConnectionTimeouts {
    package enum State: Equatable {
        case awaitingHead
        case readingHead
        case busy
        case closed
    }

    package enum Action: Equatable {
        case none
        case arm(TimeAmount)
        case cancel
    }

    package enum Expiry: Equatable {
        /// Nothing in progress: close quietly.
        case idle
        /// A head was started and not finished: answer 408 and close.
        case headerRead
        case ignore
    }

    package private(set) var state: State = .awaitingHead
    package let idleTimeout: TimeAmount
    package let headerReadTimeout: TimeAmount

    package init(idleTimeout: TimeAmount, headerReadTimeout: TimeAmount) {
        self.idleTimeout = idleTimeout
        self.headerReadTimeout = headerReadTimeout
    }

    package func start() -> Action { state == .awaitingHead ? .arm(idleTimeout) : .none }

    package mutating func bytesReceived() -> Action {
        guard state == .awaitingHead else { return .none }
        state = .readingHead
        return .arm(headerReadTimeout)
    }

    package mutating func headReceived() -> Action {
        guard state != .closed else { return .none }
        state = .busy
        return .cancel
    }

    package mutating func responseCompleted() -> Action {
        guard state == .busy else { return .none }
        state = .awaitingHead
        return .arm(idleTimeout)
    }

    package mutating func expired() -> Expiry {
        switch state {
        case .awaitingHead:
            state = .closed
            return .idle
        case .readingHead:
            state = .closed
            return .headerRead
        case .busy, .closed:
            return .ignore
        }
    }

    package mutating func closed() -> Action {
        state = .closed
        return .cancel
    }
}
