import NIOCore
import NIOHTTP1
import EdgeCore
import EdgePolicy
import EdgeUpstream

/// The ``RequestTranscoding`` the server runs with when the gateway reloads: it
/// matches on the current snapshot and remembers that snapshot in the route, so
/// `prepare` and `render` use the same schema as `match`, and the call goes to the
/// same snapshot's pool (``pinnedUpstream(for:)``), even if a reload swapped in
/// another one meanwhile.
public struct ReloadingTranscoder: RequestTranscoding {
    public struct Route: Sendable {
        public let snapshot: GatewaySnapshot
        public let matched: SchemaTranscoder.Matched
    }

    public let store: GatewaySnapshotStore

    public init(store: GatewaySnapshotStore) {
        self.store = store
    }

    public func match(method: HTTPMethod, uri: String) -> Result<MatchedRoute<Route>, EdgeError> {
        let snapshot = store.current
        // The snapshot's transcoder builds the final route: no second MatchedRoute per request.
        return snapshot.transcoder.match(method: method, uri: uri) { Route(snapshot: snapshot, matched: $0) }
    }

    // The calls below hand the snapshot's transcoder only what it reads (the inner
    // route and the options), not a copy of the MatchedRoute (Strings, settings).

    public func prepare(_ route: MatchedRoute<Route>, body: ByteBuffer?) -> Result<ByteBuffer, EdgeError> {
        route.route.snapshot.transcoder.prepare(route.route.matched, options: route.settings.parseOptions, body: body)
    }

    public func render(_ message: ByteBuffer?, for route: MatchedRoute<Route>) -> Result<ByteBuffer, EdgeError> {
        route.route.snapshot.transcoder.render(message, for: route.route.matched, options: route.settings.printOptions)
    }

    public func prepareElement(_ route: MatchedRoute<Route>, json: UnsafeRawBufferPointer) -> Result<ByteBuffer, EdgeError> {
        route.route.snapshot.transcoder.prepareElement(route.route.matched, options: route.settings.parseOptions, json: json)
    }

    public func prepareRaw(_ route: MatchedRoute<Route>, contentType: String, data: ByteBuffer) -> Result<ByteBuffer, EdgeError> {
        route.route.snapshot.transcoder.prepareRaw(
            route.route.matched, options: route.settings.parseOptions, contentType: contentType, data: data)
    }

    public func renderRaw(_ message: ByteBuffer?, for route: MatchedRoute<Route>) -> Result<RawBody, EdgeError> {
        route.route.snapshot.transcoder.renderRaw(message, for: route.route.matched)
    }

    public func unmatchedPolicies() -> PolicyChain {
        store.current.transcoder.unmatchedPolicies()
    }

    public func openAPIAnswer(uri: String) -> OpenAPIEndpoint? {
        guard OpenAPIDocument.mayAnswer(uri: uri) else { return nil }
        return store.current.transcoder.openAPIAnswer(uri: uri)
    }

    public func pinnedUpstream(for route: MatchedRoute<Route>) -> (any UpstreamCalling & UpstreamStreaming)? {
        route.route.snapshot.pinnedUpstream
    }
}
