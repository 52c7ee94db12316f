import NIOCore
import EdgeCore

/// The few `grpc.reflection.v1` (and, identical on the wire, `v1alpha`)
/// `ServerReflectionInfo` messages the edge sends and reads, hand-coded in the
/// protobuf wire format: a request carries one of its `message_request` fields,
/// a response one of its `message_response` fields.
package enum ReflectionRequest: Equatable {
    /// `list_services` (field 7)
    case listServices
    /// `file_containing_symbol` (field 4): a fully qualified service, method or type name.
    case fileContainingSymbol(String)
    /// `file_by_filename` (field 3)
    case fileByFilename(String)

    /// The serialized `ServerReflectionRequest`.
    package func serialized() -> ByteBuffer {
        var buffer = ByteBuffer()
        switch self {
        case .listServices: ProtoWire.writeString(7, "", into: &buffer)
        case .fileContainingSymbol(let symbol): ProtoWire.writeString(4, symbol, into: &buffer)
        case .fileByFilename(let name): ProtoWire.writeString(3, name, into: &buffer)
        }
        return buffer
    }
}

package enum ReflectionResponse: Equatable {
    /// `list_services_response` (field 6): the service names.
    case services([String])
    /// `file_descriptor_response` (field 4): serialized `FileDescriptorProto`s.
    case files([[UInt8]])
    /// `error_response` (field 7): a gRPC status code and message.
    case error(code: Int, message: String)

    /// Parses a serialized `ServerReflectionResponse`.
    package init(parsing buffer: ByteBuffer) throws {
        var reader = ProtoWire.Reader(buffer)
        var result: ReflectionResponse?
        while let (field, value) = try reader.next() {
            guard case .bytes(let body) = value else { continue }
            switch field {
            case 4:
                var files: [[UInt8]] = []
                var inner = ProtoWire.Reader(body)
                while let (number, item) = try inner.next() {
                    if number == 1, case .bytes(var file) = item { files.append(file.readBytes(length: file.readableBytes) ?? []) }
                }
                result = .files(files)
            case 6:
                var names: [String] = []
                var inner = ProtoWire.Reader(body)
                while let (number, item) = try inner.next() {
                    guard number == 1, case .bytes(let service) = item else { continue }
                    var serviceReader = ProtoWire.Reader(service)
                    while let (serviceField, nameValue) = try serviceReader.next() {
                        if serviceField == 1, case .bytes(var name) = nameValue { names.append(name.readString(length: name.readableBytes) ?? "") }
                    }
                }
                result = .services(names)
            case 7:
                var code = 0
                var message = ""
                var inner = ProtoWire.Reader(body)
                while let (number, item) = try inner.next() {
                    if number == 1, case .varint(let value) = item { code = Int(truncatingIfNeeded: value) }
                    if number == 2, case .bytes(var text) = item { message = text.readString(length: text.readableBytes) ?? "" }
                }
                result = .error(code: code, message: message)
            default:
                break
            }
        }
        guard let result else { throw ProtoWire.Malformed(reason: "a ServerReflectionResponse without a known message_response") }
        self = result
    }
}
