import DescriptorLoader
import NIOCore
import NIOHTTP1
import Transcoder
import EdgeConfig
import EdgeCore
import EdgePolicy
import EdgeUpstream

/// What the server would do with one request, without calling anything:
/// the same ``SchemaTranscoder`` match and bind (path, query and JSON body →
/// wire bytes), then the wire bytes read back as JSON, or the error response
/// the client would get. `edge match` prints this.
public struct RequestPreview: Sendable {
    public enum Outcome: Sendable {
        /// The route and the request message exactly as it would be sent, as JSON.
        case forwarded(route: Transcoder.Route, requestJSON: [UInt8])
        /// The error response: its HTTP status and `google.rpc.Status` JSON body.
        case refused(EdgeError, statusJSON: [UInt8])
    }

    package let transcoder: SchemaTranscoder
    package let printer: WireToJSON

    public init(schema: Schema, config: EdgeConfig) throws {
        transcoder = try SchemaTranscoder(schema: schema, config: config)
        printer = WireToJSON(schema: schema)
    }

    /// - Parameters:
    ///   - method: the HTTP method (`GET`, a custom verb's name, …).
    ///   - target: the request target, `/path?query`.
    ///   - body: the request body, `nil` for none.
    public func outcome(method: String, target: String, body: [UInt8]?) -> Outcome {
        switch transcoder.match(method: HTTPMethod(rawValue: method), uri: target) {
        case .failure(let error):
            return Self.refused(error)
        case .success(let matched):
            switch transcoder.prepare(matched, body: body.map { ByteBuffer(bytes: $0) }) {
            case .failure(let error):
                return Self.refused(error)
            case .success(let message):
                let route = matched.route.route
                do {
                    let json = try printer.convert(
                        Array(message.readableBytesView), messageType: route.method.inputType, options: .defaults)
                    return .forwarded(route: route, requestJSON: json)
                } catch {
                    return Self.refused(EdgeError(code: .internal, message: "the request message does not read back: \(error)"))
                }
            }
        }
    }

    package static func refused(_ error: EdgeError) -> Outcome {
        let body = StatusBody.render(error, detailsRenderer: nil, allocator: ByteBufferAllocator())
        return .refused(error, statusJSON: Array(body.readableBytesView))
    }
}
