import NIOCore
import NIOHTTP1

/// The ``RequestTranscoding`` the server runs with when the gateway reloads: it
/// matches on the current snapshot and remembers that snapshot in the route, so
/// `prepare` and `render` use the same schema as `match` even if a reload
/// swapped in another one meanwhile.
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
                settings: route.settings, callPolicy: route.callPolicy, route: Route(snapshot: snapshot, matched: route.route)))
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

    private static func inner(_ route: MatchedRoute<Route>) -> MatchedRoute<SchemaTranscoder.Matched> {
        MatchedRoute(
            grpcPath: route.grpcPath, service: route.service, label: route.label, acceptsBody: route.acceptsBody,
            settings: route.settings, callPolicy: route.callPolicy, route: route.route.matched)
    }
}
