import NIOCore
import EdgeConfig
import EdgeCore

/// `GET /admin/routes`: `{"routes":[{"method":"GET","pattern":"/v1/…","grpc_method":"pkg.S.M",…}]}`.
package enum RouteListJSON {
    package static func write(_ routes: [RouteDescription], into buffer: inout ByteBuffer) {
        buffer.writeStaticString(#"{"routes":["#)
        for (index, route) in routes.enumerated() {
            if index > 0 { buffer.writeStaticString(",") }
            buffer.writeStaticString(#"{"method":"#)
            JSONText.writeString(route.httpMethod, into: &buffer)
            buffer.writeStaticString(#","pattern":"#)
            JSONText.writeString(route.pattern, into: &buffer)
            buffer.writeStaticString(#","grpc_method":"#)
            JSONText.writeString(route.grpcMethod, into: &buffer)
            buffer.writeStaticString(#","body":"#)
            JSONText.writeString(route.body, into: &buffer)
            buffer.writeStaticString(#","response_body":"#)
            JSONText.writeString(route.responseBody, into: &buffer)
            buffer.writeStaticString(#","cluster":"#)
            if let cluster = route.cluster {
                JSONText.writeString(cluster, into: &buffer)
            } else {
                buffer.writeStaticString("null")
            }
            buffer.writeStaticString("}")
        }
        buffer.writeStaticString("]}")
    }
}
