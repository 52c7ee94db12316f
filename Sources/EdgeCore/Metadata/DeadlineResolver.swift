import NIOCore
import NIOHTTP1

/// Picks the upstream deadline of one request: the route's default timeout, or
/// what the client asked for (`grpc-timeout` / `X-Request-Timeout`, the shorter
/// of the two when both are present), never more than the route's maximum.
public enum DeadlineResolver {
    public static func timeout(headers: HTTPHeaders, defaultTimeout: TimeAmount, maxTimeout: TimeAmount) -> Result<TimeAmount, EdgeError> {
        var requested: TimeAmount?
        for (name, value) in headers {
            let parsed: TimeAmount?
            if name.utf8.count == 12, name.lowercased() == "grpc-timeout" {
                parsed = TimeoutHeader.parseGRPCTimeout(trimmed(value))
                guard parsed != nil else {
                    return .failure(.badRequest("invalid grpc-timeout '\(value)': expected 1-8 digits and a unit (H, M, S, m, u, n)"))
                }
            } else if name.utf8.count == 17, name.lowercased() == "x-request-timeout" {
                parsed = TimeoutHeader.parseSeconds(trimmed(value))
                guard parsed != nil else {
                    return .failure(.badRequest("invalid X-Request-Timeout '\(value)': expected seconds, e.g. 2.5"))
                }
            } else {
                continue
            }
            if let parsed { requested = min(requested ?? parsed, parsed) }
        }
        return .success(min(requested ?? defaultTimeout, maxTimeout))
    }

    private static func trimmed(_ value: String) -> Substring {
        var text = Substring(value)
        while text.first == " " || text.first == "\t" { text = text.dropFirst() }
        while text.last == " " || text.last == "\t" { text = text.dropLast() }
        return text
    }
}
