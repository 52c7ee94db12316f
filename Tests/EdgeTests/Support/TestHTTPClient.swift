/// A blocking HTTP/1.1 client over a plain BSD socket, for sending exact bytes
/// (pipelined requests, smuggling attempts, trickled headers) and reading
/// exactly what the server wrote. Every read has a generous timeout so a
/// broken server fails the test instead of hanging it.
final class TestConnection: ClientSocket {
    struct Response: HTTPHeaderFields {
        var status: Int
        var headers: [(String, String)]
        var body: String
    }

    init(port: Int, readTimeoutSeconds: Int = 10) throws {
        try super.init(port: port, readTimeoutSeconds: readTimeoutSeconds)
    }

    /// Sends `raw` and reads the response to it.
    func exchange(_ raw: String) throws -> Response {
        send(raw)
        return try readResponse()
    }

    /// The next response (a `100 Continue` counts as one).
    func readResponse() throws -> Response {
        let (status, headers) = try readHeadFields()
        var response = Response(status: status, headers: headers, body: "")
        if status < 200 { return response }
        if let lengthText = response.header("content-length"), let length = Int(lengthText) {
            response.body = String(decoding: try readBytes(length), as: UTF8.self)
        }
        return response
    }
}

/// Sends one request on a new connection and reads its response.
func httpRequest(port: Int, _ raw: String) throws -> TestConnection.Response {
    try TestConnection(port: port).exchange(raw)
}
