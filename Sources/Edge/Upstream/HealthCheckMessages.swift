import NIOCore

/// `grpc.health.v1` messages, encoded and decoded by hand: `HealthCheckRequest{string
/// service = 1}` and `HealthCheckResponse{ServingStatus status = 1}`.
enum HealthCheckMessages {
    static let path = "/grpc.health.v1.Health/Check"

    enum ServingStatus: Int, Equatable {
        case unknown = 0
        case serving = 1
        case notServing = 2
        case serviceUnknown = 3

        var name: String {
            switch self {
            case .unknown: return "UNKNOWN"
            case .serving: return "SERVING"
            case .notServing: return "NOT_SERVING"
            case .serviceUnknown: return "SERVICE_UNKNOWN"
            }
        }
    }

    /// The request with its 5-byte gRPC frame header.
    static func framedRequest(service: String) -> ByteBuffer {
        let name = Array(service.utf8)
        var message: [UInt8] = []
        if !name.isEmpty {
            message.append(0x0A)
            writeVarint(UInt64(name.count), into: &message)
            message += name
        }
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt32(message.count))
        buffer.writeBytes(message)
        return buffer
    }

    /// The status of a serialized response; nil when it is not a valid message.
    /// Unknown fields are skipped; an absent status is UNKNOWN (proto3 default).
    static func servingStatus(of message: ByteBuffer) -> ServingStatus? {
        var buffer = message
        var status = 0
        while buffer.readableBytes > 0 {
            guard let tag = readVarint(&buffer) else { return nil }
            switch tag & 7 {
            case 0:
                guard let value = readVarint(&buffer) else { return nil }
                if tag >> 3 == 1 { status = Int(truncatingIfNeeded: value) }
            case 1:
                guard buffer.readSlice(length: 8) != nil else { return nil }
            case 2:
                guard let length = readVarint(&buffer), length <= UInt64(buffer.readableBytes),
                    buffer.readSlice(length: Int(length)) != nil
                else { return nil }
            case 5:
                guard buffer.readSlice(length: 4) != nil else { return nil }
            default:
                return nil
            }
        }
        // Values this version does not know are treated like UNKNOWN: not serving.
        return ServingStatus(rawValue: status) ?? .unknown
    }

    private static func writeVarint(_ value: UInt64, into bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    private static func readVarint(_ buffer: inout ByteBuffer) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while shift < 64, let byte = buffer.readInteger(as: UInt8.self) {
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        return nil
    }
}
