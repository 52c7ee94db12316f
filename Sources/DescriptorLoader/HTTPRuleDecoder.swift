/// Decodes `google.api.http` (`MethodOptions` extension 72295728) straight from
/// the options' wire bytes, so no generated code for `google/api/http.proto`
/// is needed.
enum HTTPRuleDecoder {
    static let extensionNumber: UInt64 = 72_295_728

    struct DecodeError: Error, CustomStringConvertible {
        let description: String
    }

    /// The primary rule followed by its `additional_bindings`, flattened.
    static func rules(fromMethodOptions bytes: [UInt8], origin: HTTPRule.Origin) throws -> [HTTPRule] {
        var reader = ProtoReader(bytes: bytes[...])
        var rules: [HTTPRule] = []
        while let (number, wireType) = try reader.nextTag() {
            if number == extensionNumber && wireType == 2 {
                let ruleBytes = try reader.readLengthDelimited()
                rules += try decodeRule(ruleBytes, origin: origin, nested: false)
            } else {
                try reader.skip(wireType: wireType)
            }
        }
        return rules
    }

    private static func decodeRule(_ bytes: ArraySlice<UInt8>, origin: HTTPRule.Origin, nested: Bool) throws -> [HTTPRule] {
        var reader = ProtoReader(bytes: bytes)
        var method = ""
        var pattern = ""
        var body = ""
        var responseBody = ""
        var additional: [ArraySlice<UInt8>] = []
        while let (number, wireType) = try reader.nextTag() {
            switch (number, wireType) {
            case (2, 2): method = "GET"; pattern = try reader.readString()
            case (3, 2): method = "PUT"; pattern = try reader.readString()
            case (4, 2): method = "POST"; pattern = try reader.readString()
            case (5, 2): method = "DELETE"; pattern = try reader.readString()
            case (6, 2): method = "PATCH"; pattern = try reader.readString()
            case (8, 2):
                var custom = ProtoReader(bytes: try reader.readLengthDelimited())
                while let (n, w) = try custom.nextTag() {
                    switch (n, w) {
                    case (1, 2): method = try custom.readString().uppercased()
                    case (2, 2): pattern = try custom.readString()
                    default: try custom.skip(wireType: w)
                    }
                }
            case (7, 2): body = try reader.readString()
            case (12, 2): responseBody = try reader.readString()
            case (11, 2): additional.append(try reader.readLengthDelimited())
            default: try reader.skip(wireType: wireType)
            }
        }
        if nested && !additional.isEmpty {
            throw DecodeError(description: "additional_bindings must not nest")
        }
        // A binding without a verb is kept (with an empty method) so that
        // SchemaValidator reports it instead of it silently disappearing.
        var rules = [HTTPRule(httpMethod: method, pattern: pattern, body: body, responseBody: responseBody, origin: origin)]
        for extra in additional {
            rules += try decodeRule(extra, origin: origin, nested: true)
        }
        return rules
    }
}

/// A minimal protobuf wire reader for descriptor options; not the hot path.
struct ProtoReader {
    var bytes: ArraySlice<UInt8>

    struct Truncated: Error, CustomStringConvertible {
        var description: String { "truncated or malformed protobuf data" }
    }

    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while let byte = bytes.first {
            bytes.removeFirst()
            if shift >= 64 { throw Truncated() }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        throw Truncated()
    }

    mutating func nextTag() throws -> (UInt64, UInt64)? {
        if bytes.isEmpty { return nil }
        let tag = try readVarint()
        return (tag >> 3, tag & 7)
    }

    mutating func readLengthDelimited() throws -> ArraySlice<UInt8> {
        let length = try readVarint()
        guard length <= UInt64(bytes.count) else { throw Truncated() }
        let slice = bytes.prefix(Int(length))
        bytes = bytes.dropFirst(Int(length))
        return slice
    }

    mutating func readString() throws -> String {
        String(decoding: try readLengthDelimited(), as: UTF8.self)
    }

    mutating func skip(wireType: UInt64) throws {
        switch wireType {
        case 0: _ = try readVarint()
        case 1:
            guard bytes.count >= 8 else { throw Truncated() }
            bytes = bytes.dropFirst(8)
        case 2: _ = try readLengthDelimited()
        case 5:
            guard bytes.count >= 4 else { throw Truncated() }
            bytes = bytes.dropFirst(4)
        case 3:
            // Skip a group up to its matching end tag.
            while let (_, w) = try nextTag() {
                if w == 4 { return }
                try skip(wireType: w)
            }
            throw Truncated()
        default: throw Truncated()
        }
    }
}
