import NIOCore
import NIOHPACK
import EdgeCore

/// The HEADERS of a gRPC call, for unary and streaming calls alike: pseudo-headers,
/// `content-type`, `te`, `grpc-timeout` from the deadline, and the request metadata
/// without the names the edge sets itself or that HTTP/2 forbids.
package enum GRPCRequestHeaders {
    package static func make(
        path: String, authority: String, tls: Bool, deadline: NIODeadline, metadata: [(name: String, value: String)]
    ) -> HPACKHeaders {
        var headers = HPACKHeaders()
        headers.reserveCapacity(8 + metadata.count)
        headers.add(name: ":method", value: "POST")
        headers.add(name: ":scheme", value: tls ? "https" : "http")
        headers.add(name: ":path", value: path)
        headers.add(name: ":authority", value: authority)
        headers.add(name: "content-type", value: "application/grpc")
        headers.add(name: "te", value: "trailers")
        if deadline != .distantFuture {
            // Different on nearly every call: indexing it would only churn the HPACK table.
            headers.add(name: "grpc-timeout", value: GRPCTimeout.encode(deadline - .now()), indexing: .nonIndexable)
        }
        for (name, value) in metadata where !HopByHop.isReservedUpstream(name) {
            headers.add(name: name, value: value, indexing: indexing(name))
        }
        return headers
    }

    /// How a metadata entry goes into the HPACK dynamic table (4 KB by default, searched
    /// linearly by NIO's encoder for every header sent): values that differ on every
    /// request are sent as literals without indexing, so the table keeps the values that
    /// repeat (`x-forwarded-for`, `authorization`, custom metadata) and stays small.
    package static func indexing(_ name: String) -> HPACKIndexing {
        switch name {
        case "x-request-id", "traceparent", "tracestate", "x-b3-traceid", "x-b3-spanid", "x-amzn-trace-id":
            return .nonIndexable
        default:
            return .indexable
        }
    }
}
