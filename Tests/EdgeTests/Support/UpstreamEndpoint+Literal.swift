@testable import Edge
@testable import EdgeConfig

/// Tests write endpoints as text (`"127.0.0.1:\(port)"`); the one parser reads them.
extension UpstreamEndpoint: ExpressibleByStringInterpolation {
    public init(stringLiteral text: String) {
        guard let endpoint = UpstreamEndpoint(parsing: text) else { preconditionFailure("not host:port: \(text)") }
        self = endpoint
    }
}
