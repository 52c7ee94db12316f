import NIOCore
import EdgeCore

/// A suspended policy's wait for its asynchronous answer (a Redis reply, a key-set fetch),
/// told straight to the handler that holds the request: no future, no callback list and no
/// closure per request when the answer comes on the request's own loop (a global rate limit's
/// script call is this wait itself). ``PolicyVerdict/suspend(_:)``'s futures become one of these
/// (``PolicyFutureWait``), so that the handlers know one way to wait.
public protocol PolicyWait: AnyObject, Sendable {
    /// Called once, on the request's loop, just after the verdict: the wait calls
    /// `target.policyWaitEnded(self)` on that loop once its answer is in — at once, from here, if it
    /// already is.
    func notify(_ target: any PolicyWaitTarget, on eventLoop: EventLoop)

    /// The policy's verdict now that its answer is in (once, on the request's loop, after the
    /// target was told): it may add to the exchange, as ``PolicyResume`` does.
    func resume(_ exchange: inout PolicyExchange) -> PolicyVerdict
}

/// Whoever holds a suspended request (the connection's handler): told on the request's loop.
public protocol PolicyWaitTarget: AnyObject {
    func policyWaitEnded(_ wait: any PolicyWait)
}

/// A ``PolicyVerdict/suspend(_:)`` future as a ``PolicyWait``: its value applied, or its failure
/// (policies turn their failures into verdicts, so it never should) refused as unavailable, in
/// the name of the policy that suspended.
public final class PolicyFutureWait: PolicyWait, @unchecked Sendable {
    private let future: EventLoopFuture<PolicyResume>
    private let policy: String
    /// Set on the request's loop before the target is told.
    private var result: Result<PolicyResume, any Error>?

    public init(_ future: EventLoopFuture<PolicyResume>, policy: String) {
        self.future = future
        self.policy = policy
    }

    public func notify(_ target: any PolicyWaitTarget, on eventLoop: EventLoop) {
        let bound = NIOLoopBound(target, eventLoop: eventLoop)
        future.hop(to: eventLoop).whenComplete { result in
            self.result = result
            bound.value.policyWaitEnded(self)
        }
    }

    public func resume(_ exchange: inout PolicyExchange) -> PolicyVerdict {
        switch result {
        case .success(let resume): return resume.apply(&exchange)
        case .failure(let error): return .refuse(EdgeError(code: .unavailable, message: "\(policy): \(error)"))
        case nil: preconditionFailure("PolicyFutureWait.resume before its future completed")
        }
    }
}
