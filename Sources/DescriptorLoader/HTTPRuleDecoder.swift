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
