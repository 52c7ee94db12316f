import Edge
import NIOCore
import NIOHTTP1
import EdgeConfig
import EdgeCore
import EdgePolicy

/// Stands in for the real transcoder: a few fixed routes whose "protobuf
/// message" is the JSON body itself, so the server can be tested alone.
///
/// - `POST /v1/echo` (body `*`) → `/test.Echo/Echo`, answered with the body.
/// - `POST /v1/small` (body `*`, 16-byte body limit) → `/test.Echo/Echo`.
/// - `GET /v1/status/{code}` (no body) → `/test.Status/Code{code}`.
/// - `GET /v1/slow` → `/test.Slow/Wait`, answered when the test says so.
/// - `POST /v1/bad-json` → prepare fails with a transcoding error naming a field.
struct FakeTranscoder: RequestTranscoding {
    typealias Route = String
    var settings = RouteSettings()

    func match(method: HTTPMethod, uri: String) -> Result<MatchedRoute<String>, EdgeError> {
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        func route(_ grpcPath: String, label: String, body: Bool, settings: RouteSettings? = nil) -> Result<MatchedRoute<String>, EdgeError> {
            let service = String(grpcPath.dropFirst().split(separator: "/")[0])
            let resolved = settings ?? self.settings
            return .success(MatchedRoute(
                grpcPath: grpcPath, service: service, label: label, acceptsBody: body,
                settings: resolved, callPolicy: resolved.callPolicy(idempotent: method == .GET), route: String(path)))
        }
        switch path {
        case "/v1/echo":
            guard method == .POST else { return .failure(.methodNotAllowed(method: method.rawValue, path: path, allowed: ["POST"])) }
            return route("/test.Echo/Echo", label: "POST /v1/echo", body: true)
        case "/v1/small":
            var small = settings
            small.maxBodyBytes = 16
            return route("/test.Echo/Echo", label: "POST /v1/small", body: true, settings: small)
        case "/v1/slow":
            return route("/test.Slow/Wait", label: "GET /v1/slow", body: false)
        case "/v1/bad-json":
            return route("/test.Echo/Echo", label: "POST /v1/bad-json", body: true)
        default:
            if path.hasPrefix("/v1/status/") {
                return route("/test.Status/Code" + path.dropFirst("/v1/status/".count), label: "GET /v1/status/{code}", body: false)
            }
            return .failure(.routeNotFound(method: method.rawValue, path: path))
        }
    }

    func prepare(_ route: MatchedRoute<String>, body: ByteBuffer?) -> Result<ByteBuffer, EdgeError> {
        if route.route == "/v1/bad-json" {
            return .failure(.transcoding(.init(.invalidValue, path: "book.pages", "expected int32, got \"many\"")))
        }
        return .success(body ?? ByteBuffer())
    }

    func render(_ message: ByteBuffer?, for route: MatchedRoute<String>) -> Result<ByteBuffer, EdgeError> {
        .success(message.flatMap { $0.readableBytes > 0 ? $0 : nil } ?? ByteBuffer(string: "{}"))
    }
}
