/// Response header values that come from outside (the backend, the client) are
/// checked where they are put on a response: no header validator runs after the
/// request handler, so nothing with CR, LF or NUL may reach the encoder.
package enum ResponseHeaderValue {
    /// Whether `value` can be written as a header value without splitting the response.
    package static func isSafe(_ value: String) -> Bool {
        !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 })
    }

    /// A raw (`google.api.HttpBody`) response's content type: the backend's, unless empty or unsafe.
    package static func rawContentType(_ value: String) -> String {
        value.isEmpty || !isSafe(value) ? "application/octet-stream" : value
    }
}
