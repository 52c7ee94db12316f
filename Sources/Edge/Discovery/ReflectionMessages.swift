import NIOCore

/// The few `grpc.reflection.v1` (and, identical on the wire, `v1alpha`)
/// `ServerReflectionInfo` messages the edge sends and reads, hand-coded in the
/// protobuf wire format: a request carries one of its `message_request` fields,
/// a response one of its `message_response` fields.
enum ReflectionRequest: Equatable {
    /// `list_services` (field 7)
    case listServices
    /// `file_containing_symbol` (field 4): a fully qualified service, method or type name.
    case fileContainingSymbol(String)
    /// `file_by_filename` (field 3)
    case fileByFilename(String)

    /// The serialized `ServerReflectionRequest`.
    func serialized() -> ByteBuffer {
        var buffer = ByteBuffer()
        switch self {
        case .listServices: ProtoWire.writeString(7, "", into: &buffer)
        case .fileContainingSymbol(let symbol): ProtoWire.writeString(4, symbol, into: &buffer)
        case .fileByFilename(let name): ProtoWire.writeString(3, name, into: &buffer)
        }
        return buffer
    }
}

enum ReflectionResponse: Equatable {
    /// `list_services_response` (field 6): the service names.
    case services([String])
    /// `file_descriptor_response` (field 4): serialized `FileDescriptorProto`s.
    case files([[UInt8]])
    /// `error_response` (field 7): a gRPC status code and message.
    case error(code: Int, message: String)

    /// Parses a serialized `ServerReflectionResponse`.
    init(parsing buffer: ByteBuffer) throws {
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

/// Just enough of the protobuf wire format for the reflection messages.
enum ProtoWire {
    struct Malformed: Error, CustomStringConvertible {
        var reason: String
        var description: String { "malformed protobuf: \(reason)" }
    }

    enum Value {
        case varint(UInt64)
        case bytes(ByteBuffer)
        case fixed
    }

    static func writeVarint(_ value: UInt64, into buffer: inout ByteBuffer) {
        var value = value
        while value >= 0x80 {
            buffer.writeInteger(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        buffer.writeInteger(UInt8(value))
    }

    static func writeString(_ field: Int, _ text: String, into buffer: inout ByteBuffer) {
        writeVarint(UInt64(field << 3 | 2), into: &buffer)
        writeVarint(UInt64(text.utf8.count), into: &buffer)
        buffer.writeString(text)
    }

    /// Reads fields one by one; groups (wire types 3 and 4) are refused.
    struct Reader {
        private var buffer: ByteBuffer

        init(_ buffer: ByteBuffer) { self.buffer = buffer }

        mutating func next() throws -> (Int, Value)? {
            guard buffer.readableBytes > 0 else { return nil }
            let key = try varint()
            let field = Int(truncatingIfNeeded: key >> 3)
            switch key & 7 {
            case 0: return (field, .varint(try varint()))
            case 1: return (field, try skip(8))
            case 5: return (field, try skip(4))
            case 2:
                let length = try varint()
                guard length <= UInt64(buffer.readableBytes), let slice = buffer.readSlice(length: Int(length)) else {
                    throw Malformed(reason: "field \(field) is longer than the message")
                }
                return (field, .bytes(slice))
            default:
                throw Malformed(reason: "unsupported wire type \(key & 7) for field \(field)")
            }
        }

        private mutating func skip(_ count: Int) throws -> Value {
            guard buffer.readSlice(length: count) != nil else { throw Malformed(reason: "truncated fixed-size field") }
            return .fixed
        }

        private mutating func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while shift < 64 {
                guard let byte = buffer.readInteger(as: UInt8.self) else { throw Malformed(reason: "truncated varint") }
                result |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
            throw Malformed(reason: "varint longer than 10 bytes")
        }
    }
}
