import NIOCore
import NIOHTTP1
import EdgeCore

/// A policy's answer on a request head.
public enum PolicyVerdict: Sendable {
    /// On to the next policy (and, after the last, to the backend).
    case proceed
    /// The request is refused: the error becomes the response (its HTTP status and the
    /// `google.rpc.Status` JSON), with the headers the policies have set so far.
    case refuse(EdgeError)
    /// The edge answers itself, without a body and without calling the backend
    /// (a CORS preflight's `204`), with the headers the policies have set.
    case answer(HTTPResponseStatus)
    /// Wait for something asynchronous. The future must complete on any loop; the chain
    /// carries on on the request's own loop by applying the ``PolicyResume`` it yields.
    case suspend(EventLoopFuture<PolicyResume>)
    /// Wait for something asynchronous that answers on the request's own loop, without a
    /// future (``PolicyWait``): the chain carries on with the wait's own verdict.
    case wait(any PolicyWait)
}

/// What a suspended policy does once its asynchronous answer is in: it may add to the
/// exchange and gives the verdict the policy would have given had the answer been there.
public struct PolicyResume: Sendable {
    public let apply: @Sendable (inout PolicyExchange) -> PolicyVerdict

    public init(_ apply: @escaping @Sendable (inout PolicyExchange) -> PolicyVerdict) {
        self.apply = apply
    }

    /// Evaluates `policy` again: for policies whose asynchronous work only filled a cache
    /// they then read (a key set), and that promise not to suspend twice for it.
    public static func reevaluate(_ policy: any RequestPolicy) -> PolicyResume {
        PolicyResume { exchange in policy.evaluate(&exchange) }
    }
}
