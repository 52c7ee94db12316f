import NIOCore
import NIOHTTP1

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
        switch snapshot.transcoder.match(method: method, uri: uri) {
        case .success(let route):
            return .success(MatchedRoute(
                grpcPath: route.grpcPath, service: route.service, label: route.label, acceptsBody: route.acceptsBody,
                settings: route.settings, callPolicy: route.callPolicy, streaming: route.streaming,
                route: Route(snapshot: snapshot, matched: route.route)))
        case .failure(let error):
            return .failure(error)
        }
    }

    public func prepare(_ route: MatchedRoute<Route>, body: ByteBuffer?) -> Result<ByteBuffer, EdgeError> {
        route.route.snapshot.transcoder.prepare(Self.inner(route), body: body)
    }

    public func render(_ message: ByteBuffer?, for route: MatchedRoute<Route>) -> Result<ByteBuffer, EdgeError> {
        route.route.snapshot.transcoder.render(message, for: Self.inner(route))
    }

    public func prepareElement(_ route: MatchedRoute<Route>, json: UnsafeRawBufferPointer) -> Result<ByteBuffer, EdgeError> {
        route.route.snapshot.transcoder.prepareElement(Self.inner(route), json: json)
    }

    public func prepareRaw(_ route: MatchedRoute<Route>, contentType: String, data: ByteBuffer) -> Result<ByteBuffer, EdgeError> {
        route.route.snapshot.transcoder.prepareRaw(Self.inner(route), contentType: contentType, data: data)
    }

    public func renderRaw(_ message: ByteBuffer?, for route: MatchedRoute<Route>) -> Result<RawBody, EdgeError> {
        route.route.snapshot.transcoder.renderRaw(message, for: Self.inner(route))
    }

    public func pinnedUpstream(for route: MatchedRoute<Route>) -> (any UpstreamCalling & UpstreamStreaming)? {
        route.route.snapshot.pinnedUpstream
    }

    private static func inner(_ route: MatchedRoute<Route>) -> MatchedRoute<SchemaTranscoder.Matched> {
        MatchedRoute(
            grpcPath: route.grpcPath, service: route.service, label: route.label, acceptsBody: route.acceptsBody,
            settings: route.settings, callPolicy: route.callPolicy, streaming: route.streaming, route: route.route.matched)
    }
}
