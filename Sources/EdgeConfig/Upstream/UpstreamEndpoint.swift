/// A parsed `host:port` endpoint: the configuration's `clusters[].endpoints` entries
/// (``EdgeConfig/Endpoint``) and the upstream client's, parsed once when the file is read.
public struct UpstreamEndpoint: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`, `dns-name:port` and `[v6]:port` (port 1–65535, no spaces).
    public init?(parsing text: String) {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (1...65535).contains(port), !host.isEmpty,
                !host.contains(" ")
            else { return nil }
            self.host = host
            self.port = port
            return
        }
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let host = String(text[..<colon])
        guard !host.isEmpty, !host.contains(":"), !host.contains(" "), let port = Int(text[text.index(after: colon)...]),
            (1...65535).contains(port)
        else {
            return nil
        }
        self.host = host
        self.port = port
    }

    /// Whether `host` is an IP literal (no SNI for those).
    package var isIPAddress: Bool {
        self.host.contains(":") || self.host.allSatisfy { $0 == "." || $0.isNumber }
    }

    public var description: String { self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)" }
}
