import NIOCore
import EdgeCore

/// The seam between the HTTP side and the upstream gRPC side: one unary call.
///
/// The server builds an ``UpstreamRequest`` on the event loop of the downstream
/// connection and gets an ``UpstreamResponse`` back on the same loop. The future
/// never fails: transport problems become gRPC statuses (unreachable →
/// UNAVAILABLE, deadline → DEADLINE_EXCEEDED), so the error mapping has one input.
public protocol UpstreamCalling: Sendable {
    func call(_ request: UpstreamRequest, policy: CallPolicy, on eventLoop: any EventLoop) -> EventLoopFuture<UpstreamResponse>

    /// The same call without a future: `completion` runs exactly once, on `eventLoop`
    /// (possibly before this returns, e.g. when no cluster serves the service). A caller
    /// on `eventLoop` saves the promise, its callback list and the hop of the future
    /// variant. The default implementation wraps ``call(_:policy:on:)``.
    func call(
        _ request: UpstreamRequest, policy: CallPolicy, on eventLoop: any EventLoop,
        completion: @escaping @Sendable (UpstreamResponse) -> Void
    )
}

extension UpstreamCalling {
    public func call(
        _ request: UpstreamRequest, policy: CallPolicy, on eventLoop: any EventLoop,
        completion: @escaping @Sendable (UpstreamResponse) -> Void
    ) {
        self.call(request, policy: policy, on: eventLoop).hop(to: eventLoop).whenComplete { result in
            switch result {
            case .success(let response):
                completion(response)
            case .failure(let error):
                completion(UpstreamResponse(status: GRPCStatus(code: .unavailable, message: "upstream call failed: \(error)")))
            }
        }
    }
}
