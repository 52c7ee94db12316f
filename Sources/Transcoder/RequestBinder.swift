import DescriptorLoader

/// Turns one matched HTTP request into the gRPC request message's wire bytes:
/// the JSON body (the whole request, or the rule's `body` field) first, then
/// the path and query bindings.
///
/// The two parts are converted separately and concatenated. Protobuf's merge
/// semantics make that the same as one message: a singular field given in both
/// takes the binding's value (the path wins over the body, as in grpc-gateway),
/// repeated fields append, and nested messages merge.
public struct RequestBinder: Sendable {
    public let jsonToWire: JSONToWire

    public init(jsonToWire: JSONToWire) {
        self.jsonToWire = jsonToWire
    }

    /// - Parameters:
    ///   - body: the request body; empty or only white space counts as no body.
    ///   - output: the wire bytes are appended here; left as it was on error.
    /// - Throws: ``TranscodeError``; body errors carry paths from the request
    ///   message (`product.variants[2].stock` for `body: "product"`).
    public func bind(
        route: Route, bindings: RequestBindings, body: UnsafeRawBufferPointer,
        options: JSONParseOptions, into output: inout [UInt8]
    ) throws {
        let start = output.count
        do {
            if !Self.isBlank(body) {
                switch route.body {
                case .none:
                    throw TranscodeError(.badBinding, "this route takes no request body")
                case .wholeRequest:
                    try jsonToWire.convert(body, message: route.inputOrdinal, options: options, into: &output)
                case .field(let field):
                    do {
                        try jsonToWire.convertField(
                            body, message: route.inputOrdinal, fieldNumber: field.number, options: options, into: &output)
                    } catch let error as TranscodeError {
                        throw error.prefixed(by: field.jsonName)
                    }
                }
            }
            if !bindings.isEmpty {
                let json = bindings.jsonObject()
                try json.withUnsafeBytes { bytes in
                    try jsonToWire.convert(bytes, message: route.inputOrdinal, options: options, into: &output)
                }
            }
        } catch {
            output.removeSubrange(start...)
            throw error
        }
    }

    static func isBlank(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for byte in bytes where byte != 0x20 && byte != 0x0A && byte != 0x0D && byte != 0x09 {
            return false
        }
        return true
    }
}

extension TranscodeError {
    /// The same error with its path moved under `component` (`stock` → `product.stock`).
    func prefixed(by component: String) -> TranscodeError {
        let path: String
        if self.path.isEmpty {
            path = component
        } else if self.path.hasPrefix("[") {
            path = component + self.path
        } else {
            path = component + "." + self.path
        }
        return TranscodeError(kind, path: path, message, offset: offset)
    }
}
