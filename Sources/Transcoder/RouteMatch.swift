/// The outcome of ``RouteTable/match(method:path:query:)``.
public enum RouteMatch: Sendable {
    /// The route and everything the URL binds (path variables and query parameters).
    case matched(Route, RequestBindings)
    /// The path matches routes of other HTTP methods only (HTTP 405); `allowed`
    /// is sorted and without duplicates, ready for an `Allow` header.
    case methodNotAllowed(allowed: [String])
    /// No route has this path (HTTP 404).
    case notFound
    /// A route matched but the URL cannot be bound (HTTP 400): bad
    /// percent-encoding, an unknown or conflicting query parameter, …
    case invalid(TranscodeError)
}
