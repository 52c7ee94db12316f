import NIOCore
import NIOHTTP1
import EdgeCore

/// Runs a ``PolicyChain`` over one exchange: each policy in order until one does not
/// proceed; a waiting policy's verdict (``PolicyWait/resume(_:)``) is taken when its answer is
/// in, and the chain goes on from the next policy. A pure state machine: the handlers carry out its
/// steps (wait, answer, refuse, call the backend).
public struct PolicyChainRun: Sendable {
    public enum Step: Sendable {
        /// Every policy proceeded: call the backend.
        case proceed
        case refuse(EdgeError)
        case answer(HTTPResponseStatus)
        /// Have the wait notify the request's handler (``PolicyWait/notify(_:on:)``), then
        /// ``resume(after:exchange:)``. A policy's future comes as a ``PolicyFutureWait``.
        case wait(any PolicyWait)
    }

    private enum State: Sendable {
        case ready(next: Int)
        case suspended(at: Int)
        case finished
    }

    private let chain: PolicyChain
    private var state: State = .ready(next: 0)

    public init(chain: PolicyChain) {
        self.chain = chain
    }

    /// Runs from the first policy.
    public mutating func start(_ exchange: inout PolicyExchange) -> Step {
        guard case .ready(let next) = state else { preconditionFailure("PolicyChainRun.start called twice") }
        return run(from: next, &exchange)
    }

    /// The suspended policy's answer is in: its verdict, and on from there.
    public mutating func resume(after wait: any PolicyWait, exchange: inout PolicyExchange) -> Step {
        guard case .suspended(let index) = state else { preconditionFailure("PolicyChainRun.resume without a suspension") }
        return handle(wait.resume(&exchange), at: index, &exchange)
    }

    private mutating func run(from start: Int, _ exchange: inout PolicyExchange) -> Step {
        var index = start
        let policies = chain.policies
        while index < policies.count {
            let verdict = policies[index].evaluate(&exchange)
            if case .proceed = verdict {
                index += 1
                continue
            }
            return handle(verdict, at: index, &exchange)
        }
        state = .finished
        return .proceed
    }

    private mutating func handle(_ verdict: PolicyVerdict, at index: Int, _ exchange: inout PolicyExchange) -> Step {
        switch verdict {
        case .proceed:
            return run(from: index + 1, &exchange)
        case .refuse(let error):
            state = .finished
            exchange.decidedBy = chain.policies[index].name
            return .refuse(error)
        case .answer(let status):
            state = .finished
            exchange.decidedBy = chain.policies[index].name
            return .answer(status)
        case .suspend(let future):
            state = .suspended(at: index)
            return .wait(PolicyFutureWait(future, policy: chain.policies[index].name))
        case .wait(let wait):
            state = .suspended(at: index)
            return .wait(wait)
        }
    }
}
