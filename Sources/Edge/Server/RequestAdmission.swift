import NIOCore
import NIOHTTP1
import EdgeCore
import EdgePolicy
import EdgeUpstream

/// The one admission path of a request head, for plain requests, streams, raw bodies
/// and WebSocket upgrades alike: match the route (a CORS preflight on the route of the
/// method it asks about), then run that route's ``PolicyChain`` — or, when nothing
/// matched, the unmatched chain before the 404/405 goes out. The edge's own answers
/// (the OpenAPI document and its page) take the same path with `openapi`'s chain.
///
/// One per request (a reference, so that the handler's states share it without copying),
/// owned by the connection's handler while the head is being admitted (which may
/// take a suspension: a key-set fetch, a Redis reply); afterwards it is the record of what
/// the policies decided (``policyHeaders``, ``metadata``) and tells the observers how the
/// exchange ended (``completed(_:)``).
package final class RequestAdmission<Route: Sendable> {
    package enum Outcome {
        case admitted(MatchedRoute<Route>)
        case refused(EdgeError)
        /// A policy answered (a preflight's `204`): an empty response, no backend call.
        case answered(HTTPResponseStatus)
        /// The edge's own answer (the OpenAPI document, its page) goes out: its policies let it through.
        case document(OpenAPIDocument.Answer)
        /// A policy waits: have the wait notify the handler (``PolicyWait/notify(_:on:)``), then ``resume(after:)``.
        case waiting(any PolicyWait)
    }

    /// The route, or why there is none (refused once the chain has run: IP rules first).
    private let target: Result<MatchedRoute<Route>, EdgeError>
    package let chain: PolicyChain
    /// The server's own observers (metrics): they see every exchange, whatever its chain.
    private let serverObservers: [any ExchangeObserver]
    package private(set) var exchange: PolicyExchange?
    private var run: PolicyChainRun?
    /// A preflight that no policy answered is refused as the `OPTIONS` it is.
    private let preflightRefusal: EdgeError?
    /// What the edge answers itself once the chain lets the request through (`/openapi.json`).
    private let document: OpenAPIDocument.Answer?

    /// Matches `head` and prepares its chain; ``start()`` runs it.
    package convenience init<Transcoder: RequestTranscoding>(
        head: HTTPRequestHead, transcoder: Transcoder, connection: @autoclosure () -> ConnectionInfo, requestID: String,
        observers: [any ExchangeObserver] = []
    ) where Transcoder.Route == Route {
        var target = transcoder.match(method: head.method, uri: head.uri)
        var preflight: (methods: [String], refusal: EdgeError)?
        if case .failure(let miss) = target, let asked = Self.preflightMethod(head, miss: miss) {
            let allow = miss.headers.first { $0.name == "allow" }?.value ?? ""
            preflight = (allow.split(separator: ",").map { String($0.trimmingSpaces()) }, miss)
            target = transcoder.match(method: asked, uri: head.uri)
            if case .failure = target { target = .failure(miss) }
        }
        self.init(
            head: head, target: target, transcoder: transcoder, connection: connection(), requestID: requestID, preflight: preflight,
            observers: observers)
    }

    /// A request the edge refuses before routing it (a malformed head, over a limit): no
    /// policy runs, but the observers see it.
    package init<Transcoder: RequestTranscoding>(
        unrouted head: HTTPRequestHead, refusal: EdgeError, transcoder: Transcoder, connection: @autoclosure () -> ConnectionInfo,
        requestID: String, observers: [any ExchangeObserver]
    ) where Transcoder.Route == Route {
        let chain = transcoder.unmatchedPolicies()
        self.target = .failure(refusal)
        self.chain = chain
        self.serverObservers = observers
        self.preflightRefusal = nil
        self.document = nil
        if !chain.observers.isEmpty || !observers.isEmpty {
            exchange = PolicyExchange(head: head, connection: connection(), route: nil, requestID: requestID, addresses: chain.addresses)
            startObservers()
        }
    }

    /// A head whose route the caller resolved itself (a WebSocket upgrade tries several methods).
    package convenience init<Transcoder: RequestTranscoding>(
        head: HTTPRequestHead, target: Result<MatchedRoute<Route>, EdgeError>, transcoder: Transcoder,
        connection: @autoclosure () -> ConnectionInfo, requestID: String,
        preflight: (methods: [String], refusal: EdgeError)? = nil, observers: [any ExchangeObserver] = []
    ) where Transcoder.Route == Route {
        let chain: PolicyChain
        switch target {
        case .success(let route): chain = route.policies
        case .failure: chain = transcoder.unmatchedPolicies()
        }
        self.init(
            head: head, target: target, chain: chain, document: nil, connection: connection(), requestID: requestID, preflight: preflight,
            observers: observers)
    }

    /// A `GET` of the OpenAPI document or its page (``RequestTranscoding/openAPIAnswer(uri:)``):
    /// its policies run as a route's, then ``start()`` or ``resume(after:)`` gives
    /// ``Outcome/document(_:)``; metrics and logs call it `openapi`.
    package convenience init(
        document head: HTTPRequestHead, endpoint: OpenAPIEndpoint, connection: @autoclosure () -> ConnectionInfo, requestID: String,
        observers: [any ExchangeObserver]
    ) {
        // No route: `document` is what goes out once the chain proceeds (see `finish`).
        self.init(
            head: head, target: .failure(.routeNotFound(method: "GET", path: "openapi")), chain: endpoint.policies,
            document: endpoint.answer, connection: connection(), requestID: requestID, preflight: nil,
            observers: observers)
    }

    private init(
        head: HTTPRequestHead, target: Result<MatchedRoute<Route>, EdgeError>, chain: PolicyChain, document: OpenAPIDocument.Answer?,
        connection: @autoclosure () -> ConnectionInfo, requestID: String, preflight: (methods: [String], refusal: EdgeError)?,
        observers: [any ExchangeObserver]
    ) {
        self.target = target
        self.chain = chain
        self.serverObservers = observers
        self.preflightRefusal = preflight?.refusal
        self.document = document
        if !chain.isEmpty || !observers.isEmpty {
            exchange = PolicyExchange(
                head: head, connection: connection(), route: try? target.get().identity, requestID: requestID,
                addresses: chain.addresses, isPreflight: preflight != nil, pathMethods: preflight?.methods ?? [])
            startObservers()
            if !chain.policies.isEmpty { run = PolicyChainRun(chain: chain) }
        }
    }

    /// The observers see the exchange start, before any policy runs (a trace begins here).
    private func startObservers() {
        // In place: a copy out and back costs a retain and release of every field.
        guard exchange != nil else { return }
        for observer in serverObservers { observer.exchangeStarted(&exchange!) }
        for observer in chain.observers { observer.exchangeStarted(&exchange!) }
    }

    /// `OPTIONS` with `Origin` and `Access-Control-Request-Method` on a path that has routes
    /// (but none for `OPTIONS`): the method asked about.
    private static func preflightMethod(_ head: HTTPRequestHead, miss: EdgeError) -> HTTPMethod? {
        guard head.method == .OPTIONS, miss.httpStatus == .methodNotAllowed, head.headers.contains(name: "origin"),
            let asked = head.headers.first(name: "access-control-request-method"), !asked.isEmpty
        else { return nil }
        return HTTPMethod(rawValue: asked)
    }

    package func start() -> Outcome {
        // The chain works on the exchange in place (not on a copy written back).
        guard exchange != nil, run != nil else { return finish(.proceed) }
        return finish(run!.start(&exchange!))
    }

    /// The waiting policy's answer is in (on the request's loop).
    package func resume(after wait: any PolicyWait) -> Outcome {
        guard exchange != nil, run != nil else { preconditionFailure("RequestAdmission.resume without a chain") }
        return finish(run!.resume(after: wait, exchange: &exchange!))
    }

    private func finish(_ step: PolicyChainRun.Step) -> Outcome {
        switch step {
        case .proceed:
            if let document { return .document(document) }
            if let preflightRefusal { return .refused(preflightRefusal) }
            switch target {
            case .success(let route): return .admitted(route)
            case .failure(let miss): return .refused(miss)
            }
        case .refuse(let error): return .refused(error)
        case .answer(let status): return .answered(status)
        case .wait(let wait): return .waiting(wait)
        }
    }

    /// The route's label (`unmatched`, `openapi` for the document and its page) for metrics and logs.
    package var label: String { document == nil ? (try? target.get().label) ?? "unmatched" : "openapi" }

    /// Headers the policies set for every response of this exchange.
    package var policyHeaders: [(name: String, value: String)] { exchange?.responseHeaders ?? [] }

    /// Metadata the policies add for the backend.
    package var metadata: [(name: String, value: String)] { exchange?.metadata ?? [] }

    /// The trace of the exchange, when one was started: the upstream call's attempts report to it.
    package var trace: ExchangeTrace? { exchange?.trace }

    /// The exchange is complete: the observers see it. Called exactly once per admission.
    package func completed(_ outcome: ExchangeOutcome) {
        guard let exchange else { return }
        var outcome = outcome
        if outcome.decidedBy == nil { outcome.decidedBy = exchange.decidedBy }
        for observer in serverObservers { observer.exchangeCompleted(exchange, outcome: outcome) }
        for observer in chain.observers { observer.exchangeCompleted(exchange, outcome: outcome) }
    }
}
