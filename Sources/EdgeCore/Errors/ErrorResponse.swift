import NIOCore
import NIOHTTP1

/// The HTTP form of an ``EdgeError``: status, headers and `google.rpc.Status` body.
public enum ErrorResponse {
    /// Headers the error itself requires (`Allow`, `WWW-Authenticate` on 401).
    public static func headers(for error: EdgeError, into headers: inout HTTPHeaders) {
        for (name, value) in error.headers { headers.add(name: name, value: value) }
        if error.httpStatus == .unauthorized, !headers.contains(name: "www-authenticate") {
            headers.add(name: "www-authenticate", value: "Bearer")
        }
    }
}
