import NIOHTTP1
import EdgeCore

/// The one place a response head is made: every response the edge writes — answers,
/// errors, refusals by policies, streamed responses, WebSocket handshakes and refusals,
/// the header-read timeout — gets its framing headers, `x-request-id` and the headers the
/// policies set for the exchange (CORS, rate limits) here.
package enum ResponseHead {
    /// - Parameters:
    ///   - headers: the response's own headers (backend metadata, `Allow`, `WWW-Authenticate` …).
    ///   - policyHeaders: the exchange's ``PolicyExchange/responseHeaders``.
    ///   - contentType / contentLength: `nil` leaves them out (streamed and empty responses).
    package static func make(
        status: HTTPResponseStatus, version: HTTPVersion = .http1_1, headers: HTTPHeaders = HTTPHeaders(),
        policyHeaders: [(name: String, value: String)] = [], contentType: String? = nil, contentLength: Int? = nil,
        requestID: String, keepAlive: Bool
    ) -> HTTPResponseHead {
        var headers = headers
        for (name, value) in policyHeaders { headers.add(name: name, value: value) }
        if let contentType { headers.add(name: "content-type", value: contentType) }
        if let contentLength { headers.add(name: "content-length", value: String(contentLength)) }
        headers.add(name: "x-request-id", value: requestID)
        if !keepAlive { headers.add(name: "connection", value: "close") }
        return HTTPResponseHead(version: version, status: status, headers: headers)
    }

    /// The head of an error response (its `google.rpc.Status` JSON body is `bodyLength` bytes).
    package static func error(
        _ error: EdgeError, headers: HTTPHeaders = HTTPHeaders(), policyHeaders: [(name: String, value: String)] = [],
        bodyLength: Int, requestID: String, keepAlive: Bool
    ) -> HTTPResponseHead {
        var headers = headers
        ErrorResponse.headers(for: error, into: &headers)
        return make(
            status: error.httpStatus, headers: headers, policyHeaders: policyHeaders, contentType: "application/json",
            contentLength: bodyLength, requestID: requestID, keepAlive: keepAlive && !error.closeConnection)
    }

    /// A head as HTTP/1.1 bytes, for handlers below the response encoder (the header-read timeout).
    package static func serialize(_ head: HTTPResponseHead) -> String {
        var text = "HTTP/\(head.version.major).\(head.version.minor) \(head.status.code) \(head.status.reasonPhrase)\r\n"
        for (name, value) in head.headers { text += name + ": " + value + "\r\n" }
        return text + "\r\n"
    }
}
