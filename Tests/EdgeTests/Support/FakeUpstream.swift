import Edge
import NIOConcurrencyHelpers
import NIOCore
import EdgeCore
import EdgePolicy
import EdgeUpstream

/// Stands in for the gRPC client: echoes, answers any status on demand, or
/// holds a call until the test releases it. Records every request it got.
final class FakeUpstream: UpstreamCalling {
    private let recorded = NIOLockedValueBox<[UpstreamRequest]>([])
    private let held = NIOLockedValueBox<[EventLoopPromise<UpstreamResponse>]>([])
    /// Metadata the echo route sends back.
    let responseHeaders: [(name: String, value: String)] = [("x-backend", "fake"), ("trace-bin", "AAEC")]
    let responseTrailers: [(name: String, value: String)] = [("x-served-by", "echo")]

    var requests: [UpstreamRequest] { recorded.withLockedValue { $0 } }
    var heldCount: Int { held.withLockedValue { $0.count } }

    func call(_ request: UpstreamRequest, policy: CallPolicy, on eventLoop: any EventLoop) -> EventLoopFuture<UpstreamResponse> {
        recorded.withLockedValue { $0.append(request) }
        if request.path == "/test.Slow/Wait" {
            let promise = eventLoop.makePromise(of: UpstreamResponse.self)
            held.withLockedValue { $0.append(promise) }
            return promise.futureResult
        }
        if request.path.hasPrefix("/test.Status/Code"), let number = Int(request.path.dropFirst("/test.Status/Code".count)),
            let code = GRPCStatusCode(rawValue: number)
        {
            let message = code == .ok ? ByteBuffer(string: #"{"ok":true}"#) : nil
            return eventLoop.makeSucceededFuture(UpstreamResponse(
                status: GRPCStatus(code: code, message: code == .ok ? "" : "backend says \(code)", details: code == .ok ? nil : [8, 1]),
                headers: [("x-backend", "fake")], trailers: [("x-code", String(number))], message: message))
        }
        if request.metadata.contains(where: { $0.name == "split" }) {
            // Metadata that would split the HTTP response if it were written as is.
            return eventLoop.makeSucceededFuture(UpstreamResponse(
                status: GRPCStatus(code: .ok),
                headers: [("x-evil", "a\r\nSet-Cookie: pwn=1"), ("bad name", "v"), ("x-fine", "ok"), ("x-nul", "a\u{0}b")],
                trailers: [("x-evil-trailer", "b\r\n\r\nHTTP/1.1 200 OK")], message: request.message))
        }
        return eventLoop.makeSucceededFuture(UpstreamResponse(
            status: GRPCStatus(code: .ok), headers: responseHeaders, trailers: responseTrailers, message: request.message))
    }

    /// Answers every held call with `{"slow":true}`.
    func releaseHeld() {
        let promises = held.withLockedValue { promises -> [EventLoopPromise<UpstreamResponse>] in
            defer { promises = [] }
            return promises
        }
        for promise in promises {
            promise.succeed(UpstreamResponse(status: GRPCStatus(code: .ok), message: ByteBuffer(string: #"{"slow":true}"#)))
        }
    }
}
