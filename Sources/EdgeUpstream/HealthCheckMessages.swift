import NIOCore
import EdgeCore

/// `grpc.health.v1` messages, encoded and decoded by hand: `HealthCheckRequest{string
/// service = 1}` and `HealthCheckResponse{ServingStatus status = 1}`.
package enum HealthCheckMessages {
    package static let path = "/grpc.health.v1.Health/Check"

    package enum ServingStatus: Int, Equatable {
        case unknown = 0
        case serving = 1
        case notServing = 2
        case serviceUnknown = 3

        package var name: String {
            switch self {
            case .unknown: return "UNKNOWN"
            case .serving: return "SERVING"
            case .notServing: return "NOT_SERVING"
            case .serviceUnknown: return "SERVICE_UNKNOWN"
            }
        }
    }

    /// The request with its 5-byte gRPC frame header.
    package static func framedRequest(service: String) -> ByteBuffer {
        var message = ByteBuffer()
        if !service.isEmpty {
            ProtoWire.writeString(1, service, into: &message)
        }
        return GRPCFrame.framed(message)
    }

    /// The status of a serialized response; nil when it is not a valid message.
    /// Unknown fields are skipped; an absent status is UNKNOWN (proto3 default).
    package static func servingStatus(of message: ByteBuffer) -> ServingStatus? {
        var reader = ProtoWire.Reader(message)
        var status = 0
        do {
            while let (field, value) = try reader.next() {
                if field == 1, case .varint(let raw) = value { status = Int(truncatingIfNeeded: raw) }
            }
        } catch {
            return nil
        }
        // Values this version does not know are treated like UNKNOWN: not serving.
        return ServingStatus(rawValue: status) ?? .unknown
    }
}
