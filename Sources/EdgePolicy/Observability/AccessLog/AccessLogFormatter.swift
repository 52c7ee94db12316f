import NIOCore
import EdgeConfig

/// Turns an ``AccessLogRecord`` into one line (JSON or text), appended straight to a
/// `ByteBuffer`: no `String` is built, no Foundation. The field selection is compiled
/// once, at init; a line then costs one capacity reservation and a pass over its bytes.
package struct AccessLogFormatter: Sendable {
    package let format: AccessLogSettings.Format
    /// JSON: the keys in output order.
    private let jsonFields: [AccessLogField]
    /// Text: the tokens in their fixed order, only those selected.
    private let textTokens: [TextToken]

    /// The pieces of a text line, in order: `time client "METHOD path PROTOCOL" status
    /// grpc=CODE in=NB out=NB 1.234ms upstream=1.000ms retries=N key=value...`.
    private enum TextToken: Sendable {
        case time, clientAddress
        case requestLine(method: Bool, path: Bool, httpProtocol: Bool)
        case status, grpcCode, bytesIn, bytesOut, duration, upstreamDuration, retries
        case keyed(AccessLogField)
    }

    package init(format: AccessLogSettings.Format, fields: [AccessLogField]?) {
        self.format = format
        let fields = fields ?? AccessLogField.allCases
        self.jsonFields = fields
        let selected = Set(fields)
        var tokens: [TextToken] = []
        if selected.contains(.time) { tokens.append(.time) }
        if selected.contains(.client_address) { tokens.append(.clientAddress) }
        if selected.contains(.method) || selected.contains(.path) || selected.contains(.protocol) {
            tokens.append(.requestLine(
                method: selected.contains(.method), path: selected.contains(.path), httpProtocol: selected.contains(.protocol)))
        }
        let positional: [(AccessLogField, TextToken)] = [
            (.status, .status), (.grpc_code, .grpcCode), (.bytes_in, .bytesIn), (.bytes_out, .bytesOut),
            (.duration_ms, .duration), (.upstream_duration_ms, .upstreamDuration), (.retries, .retries),
        ]
        for (field, token) in positional where selected.contains(field) { tokens.append(token) }
        let keyed: [AccessLogField] = [
            .route, .grpc_method, .upstream_cluster, .consumer, .subject, .refused_by, .request_id, .trace_id, .user_agent,
        ]
        for field in keyed where selected.contains(field) { tokens.append(.keyed(field)) }
        self.textTokens = tokens
    }

    /// Appends `record` as one line ending in `\n`.
    package func append(_ record: AccessLogRecord, to buffer: inout ByteBuffer) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.maximumBytes(record)) { memory in
            var writer = ReservedByteWriter(memory)
            switch format {
            case .json: writeJSON(record, to: &writer)
            case .text: writeText(record, to: &writer)
            }
            writer.byte(UInt8(ascii: "\n"))
            return writer.count
        }
    }

    /// A bound on the line's length: every string byte escaped at worst, plus room for
    /// every key, number and separator.
    package static func maximumBytes(_ record: AccessLogRecord) -> Int {
        // Summed one by one: an array of them would allocate on every line.
        var stringBytes = record.method.utf8.count + record.path.utf8.count
        stringBytes += (record.requestID?.utf8.count ?? 0) + (record.traceID?.utf8.count ?? 0)
        stringBytes += (record.clientAddress?.utf8.count ?? 0) + (record.consumer?.utf8.count ?? 0)
        stringBytes += (record.subject?.utf8.count ?? 0) + (record.httpProtocol?.utf8.count ?? 0)
        stringBytes += (record.route?.utf8.count ?? 0) + (record.grpcMethod?.utf8.count ?? 0)
        stringBytes += (record.upstreamCluster?.utf8.count ?? 0) + (record.refusedBy?.utf8.count ?? 0)
        stringBytes += record.userAgent?.utf8.count ?? 0
        return stringBytes * ReservedByteWriter.worstCaseExpansion + AccessLogField.allCases.count * 48 + 64
    }

    // MARK: JSON

    private func writeJSON(_ record: AccessLogRecord, to writer: inout ReservedByteWriter) {
        writer.byte(UInt8(ascii: "{"))
        var first = true
        for field in jsonFields {
            if !first { writer.byte(UInt8(ascii: ",")) }
            first = false
            writer.ascii(Self.jsonKey(field))
            switch field {
            case .time:
                writer.byte(UInt8(ascii: "\""))
                writer.rfc3339(unixNanos: record.timeUnixNanos)
                writer.byte(UInt8(ascii: "\""))
            case .request_id: Self.jsonOptional(record.requestID, to: &writer)
            case .trace_id: Self.jsonOptional(record.traceID, to: &writer)
            case .client_address: Self.jsonOptional(record.clientAddress, to: &writer)
            case .consumer: Self.jsonOptional(record.consumer, to: &writer)
            case .subject: Self.jsonOptional(record.subject, to: &writer)
            case .protocol: Self.jsonOptional(record.httpProtocol, to: &writer)
            case .method: writer.jsonString(record.method)
            case .path: Self.withPathBytes(record.path) { writer.jsonString(bytes: $0) }
            case .route: Self.jsonOptional(record.route, to: &writer)
            case .grpc_method: Self.jsonOptional(record.grpcMethod, to: &writer)
            case .upstream_cluster: Self.jsonOptional(record.upstreamCluster, to: &writer)
            case .status: writer.decimal(record.status)
            case .grpc_code:
                if let code = record.grpcCode { writer.decimal(code) } else { writer.ascii("null") }
            case .bytes_in: writer.decimal(record.bytesIn)
            case .bytes_out: writer.decimal(record.bytesOut)
            case .duration_ms: writer.milliseconds(nanoseconds: record.durationNanos)
            case .upstream_duration_ms:
                if let nanos = record.upstreamDurationNanos {
                    writer.milliseconds(nanoseconds: nanos)
                } else {
                    writer.ascii("null")
                }
            case .retries: writer.decimal(record.retries)
            case .refused_by: Self.jsonOptional(record.refusedBy, to: &writer)
            case .user_agent: Self.jsonOptional(record.userAgent, to: &writer)
            }
        }
        writer.byte(UInt8(ascii: "}"))
    }

    @inline(__always)
    private static func jsonOptional(_ value: String?, to writer: inout ReservedByteWriter) {
        if let value { writer.jsonString(value) } else { writer.ascii("null") }
    }

    /// `"key":` for each field, as static bytes.
    private static func jsonKey(_ field: AccessLogField) -> StaticString {
        switch field {
        case .time: "\"time\":"
        case .request_id: "\"request_id\":"
        case .trace_id: "\"trace_id\":"
        case .client_address: "\"client_address\":"
        case .consumer: "\"consumer\":"
        case .subject: "\"subject\":"
        case .protocol: "\"protocol\":"
        case .method: "\"method\":"
        case .path: "\"path\":"
        case .route: "\"route\":"
        case .grpc_method: "\"grpc_method\":"
        case .upstream_cluster: "\"upstream_cluster\":"
        case .status: "\"status\":"
        case .grpc_code: "\"grpc_code\":"
        case .bytes_in: "\"bytes_in\":"
        case .bytes_out: "\"bytes_out\":"
        case .duration_ms: "\"duration_ms\":"
        case .upstream_duration_ms: "\"upstream_duration_ms\":"
        case .retries: "\"retries\":"
        case .refused_by: "\"refused_by\":"
        case .user_agent: "\"user_agent\":"
        }
    }

    /// The request target's bytes up to its first `?`: the query is never logged.
    @inline(__always)
    private static func withPathBytes(_ target: String, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        ReservedByteWriter.withUTF8(target) { bytes in
            var end = 0
            while end < bytes.count && bytes[end] != UInt8(ascii: "?") { end += 1 }
            body(UnsafeBufferPointer(rebasing: bytes[0..<end]))
        }
    }

    // MARK: Text

    private func writeText(_ record: AccessLogRecord, to writer: inout ReservedByteWriter) {
        var first = true
        for token in textTokens {
            guard Self.isPresent(token, in: record) else { continue }
            if !first { writer.byte(UInt8(ascii: " ")) }
            first = false
            switch token {
            case .time:
                writer.rfc3339(unixNanos: record.timeUnixNanos)
            case .clientAddress:
                if let address = record.clientAddress { writer.textValue(address) } else { writer.byte(UInt8(ascii: "-")) }
            case .requestLine(let method, let path, let httpProtocol):
                writer.byte(UInt8(ascii: "\""))
                var separate = false
                if method {
                    ReservedByteWriter.withUTF8(record.method) { writer.textEscaped(bytes: $0) }
                    separate = true
                }
                if path {
                    if separate { writer.byte(UInt8(ascii: " ")) }
                    Self.withPathBytes(record.path) { writer.textEscaped(bytes: $0) }
                    separate = true
                }
                if httpProtocol, let version = record.httpProtocol {
                    if separate { writer.byte(UInt8(ascii: " ")) }
                    ReservedByteWriter.withUTF8(version) { writer.textEscaped(bytes: $0) }
                }
                writer.byte(UInt8(ascii: "\""))
            case .status:
                writer.decimal(record.status)
            case .grpcCode:
                writer.ascii("grpc=")
                if let code = record.grpcCode {
                    if let name = Self.grpcCodeName(code) { writer.ascii(name) } else { writer.decimal(code) }
                } else {
                    writer.byte(UInt8(ascii: "-"))
                }
            case .bytesIn:
                writer.ascii("in=")
                writer.decimal(record.bytesIn)
                writer.byte(UInt8(ascii: "B"))
            case .bytesOut:
                writer.ascii("out=")
                writer.decimal(record.bytesOut)
                writer.byte(UInt8(ascii: "B"))
            case .duration:
                writer.milliseconds(nanoseconds: record.durationNanos)
                writer.ascii("ms")
            case .upstreamDuration:
                writer.ascii("upstream=")
                if let nanos = record.upstreamDurationNanos {
                    writer.milliseconds(nanoseconds: nanos)
                    writer.ascii("ms")
                } else {
                    writer.byte(UInt8(ascii: "-"))
                }
            case .retries:
                writer.ascii("retries=")
                writer.decimal(record.retries)
            case .keyed(let field):
                writer.ascii(Self.textKey(field))
                if let value = Self.textString(field, of: record) {
                    writer.textValue(value)
                } else {
                    writer.byte(UInt8(ascii: "-"))
                }
            }
        }
    }

    /// Whether a text token has something to say: a missing gRPC code, upstream time or
    /// keyed value, and zero retries, are left out of the human line.
    private static func isPresent(_ token: TextToken, in record: AccessLogRecord) -> Bool {
        switch token {
        case .grpcCode: record.grpcCode != nil
        case .upstreamDuration: record.upstreamDurationNanos != nil
        case .retries: record.retries != 0
        case .keyed(let field): textString(field, of: record) != nil
        default: true
        }
    }

    private static func textKey(_ field: AccessLogField) -> StaticString {
        switch field {
        case .route: "route="
        case .grpc_method: "grpc_method="
        case .upstream_cluster: "cluster="
        case .consumer: "consumer="
        case .subject: "subject="
        case .refused_by: "refused_by="
        case .request_id: "id="
        case .trace_id: "trace="
        case .user_agent: "ua="
        default: "?="  // not a keyed text field (see init)
        }
    }

    private static func textString(_ field: AccessLogField, of record: AccessLogRecord) -> String? {
        switch field {
        case .route: record.route
        case .grpc_method: record.grpcMethod
        case .upstream_cluster: record.upstreamCluster
        case .consumer: record.consumer
        case .subject: record.subject
        case .refused_by: record.refusedBy
        case .request_id: record.requestID
        case .trace_id: record.traceID
        case .user_agent: record.userAgent
        default: nil
        }
    }

    /// The canonical names of gRPC status codes (grpc/doc/statuscodes.md).
    package static func grpcCodeName(_ code: Int) -> StaticString? {
        switch code {
        case 0: "OK"
        case 1: "CANCELLED"
        case 2: "UNKNOWN"
        case 3: "INVALID_ARGUMENT"
        case 4: "DEADLINE_EXCEEDED"
        case 5: "NOT_FOUND"
        case 6: "ALREADY_EXISTS"
        case 7: "PERMISSION_DENIED"
        case 8: "RESOURCE_EXHAUSTED"
        case 9: "FAILED_PRECONDITION"
        case 10: "ABORTED"
        case 11: "OUT_OF_RANGE"
        case 12: "UNIMPLEMENTED"
        case 13: "INTERNAL"
        case 14: "UNAVAILABLE"
        case 15: "DATA_LOSS"
        case 16: "UNAUTHENTICATED"
        default: nil
        }
    }
}
