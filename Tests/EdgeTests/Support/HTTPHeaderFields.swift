/// Something that carries HTTP header fields in wire order (a response head, a
/// handshake answer); looks them up by name, case-insensitively as HTTP does.
protocol HTTPHeaderFields {
    var headers: [(String, String)] { get }
}

extension HTTPHeaderFields {
    /// The first value of the header `name`.
    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// Every value of the header `name`, in order.
    func headers(_ name: String) -> [String] {
        headers.filter { $0.0.lowercased() == name.lowercased() }.map { $0.1 }
    }
}
