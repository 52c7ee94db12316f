import EdgeCore

/// The serialized `google.rpc.Status` of a rate-limit rejection: `RESOURCE_EXHAUSTED` with the standard
/// detail messages `google.rpc.QuotaFailure` (which limits) and `google.rpc.RetryInfo` (when to retry),
/// encoded by hand (a few fields; no protobuf runtime on this path).
package enum RateLimitStatusDetails {
    package static func status(message: String, violations: [(subject: String, description: String)], retryAfterMicros: Int64) -> [UInt8] {
        var quotaFailure = ProtoWriter()
        for violation in violations {
            var entry = ProtoWriter()
            entry.string(1, violation.subject)
            entry.string(2, violation.description)
            quotaFailure.bytes(1, entry.bytes)
        }
        var duration = ProtoWriter()
        let seconds = retryAfterMicros / 1_000_000
        let nanos = (retryAfterMicros % 1_000_000) * 1000
        if seconds != 0 { duration.varint(1, UInt64(seconds)) }
        if nanos != 0 { duration.varint(2, UInt64(nanos)) }
        var retryInfo = ProtoWriter()
        retryInfo.bytes(1, duration.bytes)

        var status = ProtoWriter()
        status.varint(1, UInt64(GRPCStatusCode.resourceExhausted.rawValue))
        status.string(2, message)
        status.bytes(3, any("type.googleapis.com/google.rpc.QuotaFailure", quotaFailure.bytes))
        status.bytes(3, any("type.googleapis.com/google.rpc.RetryInfo", retryInfo.bytes))
        return status.bytes
    }

    private static func any(_ typeURL: String, _ value: [UInt8]) -> [UInt8] {
        var message = ProtoWriter()
        message.string(1, typeURL)
        message.bytes(2, value)
        return message.bytes
    }

    package struct ProtoWriter {
        package var bytes: [UInt8] = []

        package mutating func rawVarint(_ value: UInt64) {
            var value = value
            while value >= 0x80 {
                bytes.append(UInt8(value & 0x7F) | 0x80)
                value >>= 7
            }
            bytes.append(UInt8(value))
        }

        package mutating func varint(_ field: Int, _ value: UInt64) {
            rawVarint(UInt64(field << 3))
            rawVarint(value)
        }

        package mutating func bytes(_ field: Int, _ value: [UInt8]) {
            rawVarint(UInt64(field << 3 | 2))
            rawVarint(UInt64(value.count))
            bytes.append(contentsOf: value)
        }

        package mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }
    }
}
