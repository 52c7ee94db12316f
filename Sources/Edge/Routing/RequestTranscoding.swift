import NIOCore
import NIOHTTP1
import EdgeConfig
import EdgeCore
import EdgePolicy
import EdgeUpstream

/// The seam between the HTTP server and the transcoder: everything that turns an
/// HTTP request into an ``UpstreamRequest`` message and an upstream message back
/// into a JSON body.
///
/// The server calls these on the connection's event loop, in order: ``match(method:uri:)``
/// once the head is read (so that the route's body limit and body rule are
/// known while the body arrives), ``prepare(_:body:)`` once the body is
/// complete, ``render(_:for:)`` with the backend's answer. Implementations must
/// not block. The gateway plugs in the real `RouteTable`/`JSONToWire`/`WireToJSON`
/// implementation; tests use a fake.
public protocol RequestTranscoding: Sendable {
    /// What the transcoder needs to remember between the head and the body (bindings, plans).
    associatedtype Route: Sendable

    /// Finds the route of a request head: 404 / 405 / binding errors as ``EdgeError``.
    func match(method: HTTPMethod, uri: String) -> Result<MatchedRoute<Route>, EdgeError>

    /// The serialized request message from the bindings and the JSON body (`nil` when there is none).
    func prepare(_ route: MatchedRoute<Route>, body: ByteBuffer?) -> Result<ByteBuffer, EdgeError>

    /// The JSON response body for a successful call's message (`nil`: the backend sent none).
    func render(_ message: ByteBuffer?, for route: MatchedRoute<Route>) -> Result<ByteBuffer, EdgeError>

    /// One message of a streamed request body (an NDJSON line or an array element),
    /// with the path and query bindings applied to it as to every message.
    func prepareElement(_ route: MatchedRoute<Route>, json: UnsafeRawBufferPointer) -> Result<ByteBuffer, EdgeError>

    /// A raw body (or one chunk of it) as the route's `google.api.HttpBody` request
    /// message, bindings applied. Only for routes with ``RouteStreaming/rawRequest``.
    func prepareRaw(_ route: MatchedRoute<Route>, contentType: String, data: ByteBuffer) -> Result<ByteBuffer, EdgeError>

    /// The raw body of a `google.api.HttpBody` response message. Only for routes with
    /// ``RouteStreaming/rawResponse``.
    func renderRaw(_ message: ByteBuffer?, for route: MatchedRoute<Route>) -> Result<RawBody, EdgeError>

    /// The upstream client for `route`'s calls when the transcoder pins one: the
    /// hot-reload transcoder answers with the pool of the snapshot the route was
    /// matched on, so a request whose body was still arriving during a reload is
    /// called on that snapshot too. `nil` (the default): the server's upstream.
    func pinnedUpstream(for route: MatchedRoute<Route>) -> (any UpstreamCalling & UpstreamStreaming)?

    /// The policies for requests that match no route (IP rules, CORS on the 404/405 and on
    /// preflights of methods the path lacks). Matched requests take their route's
    /// ``MatchedRoute/policies``. Default: none.
    func unmatchedPolicies() -> PolicyChain

    /// The OpenAPI document's answer to a `GET` of `uri` (`/openapi.json`, `/openapi.yaml`,
    /// `/docs`, …) when `openapi` is enabled, with the policies the request passes first;
    /// nil for every other request target (decided by a prefix check first, see
    /// ``OpenAPIDocument/mayAnswer(uri:)``). Asked before route matching.
    func openAPIAnswer(uri: String) -> OpenAPIEndpoint?
}

extension RequestTranscoding {
    public func prepareElement(_ route: MatchedRoute<Route>, json: UnsafeRawBufferPointer) -> Result<ByteBuffer, EdgeError> {
        prepare(route, body: ByteBuffer(bytes: json))
    }

    public func prepareRaw(_ route: MatchedRoute<Route>, contentType: String, data: ByteBuffer) -> Result<ByteBuffer, EdgeError> {
        .failure(EdgeError(code: .unimplemented, message: "\(route.label) takes no raw request body"))
    }

    public func renderRaw(_ message: ByteBuffer?, for route: MatchedRoute<Route>) -> Result<RawBody, EdgeError> {
        .failure(EdgeError(code: .internal, message: "\(route.label) has no raw response body"))
    }

    public func openAPIAnswer(uri: String) -> OpenAPIEndpoint? { nil }

    @inline(__always)
    public func pinnedUpstream(for route: MatchedRoute<Route>) -> (any UpstreamCalling & UpstreamStreaming)? { nil }

    public func unmatchedPolicies() -> PolicyChain { .empty }
}

/// A request head matched to a route.
public struct MatchedRoute<Route: Sendable>: Sendable {
    /// `/pkg.Service/Method`
    public var grpcPath: String
    /// `pkg.Service`
    public var service: String
    /// The route's name in metrics and logs: its HTTP rule, e.g. `GET /v1/{name=shelves/*}`.
    public var label: String
    /// Whether the rule takes a request body (`body:` set).
    public var acceptsBody: Bool
    public var settings: RouteSettings
    public var callPolicy: CallPolicy
    /// Streaming sides and raw (`google.api.HttpBody`) bodies; ``RouteStreaming/unary`` for most routes.
    public var streaming: RouteStreaming
    /// The route's policy chain, compiled with the route table (empty: no policies).
    public var policies: PolicyChain
    /// How policies and observers name the route (made once per route, not per request).
    public var identity: RouteIdentity
    public var route: Route

    public init(
        grpcPath: String, service: String, label: String, acceptsBody: Bool, settings: RouteSettings, callPolicy: CallPolicy,
        streaming: RouteStreaming = .unary, policies: PolicyChain = .empty, identity: RouteIdentity? = nil, route: Route
    ) {
        self.policies = policies
        self.identity = identity ?? RouteIdentity(label: label, method: String(grpcPath.dropFirst()))
        self.streaming = streaming
        self.grpcPath = grpcPath
        self.service = service
        self.label = label
        self.acceptsBody = acceptsBody
        self.settings = settings
        self.callPolicy = callPolicy
        self.route = route
    }
}
