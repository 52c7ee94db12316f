/// Recursive-descent parser for ``PathTemplate`` (one pass over the UTF-8 bytes).
///
/// Literals follow RFC 3986 `pchar` minus `:` (which starts the verb, as in
/// Envoy): unreserved characters, sub-delimiters other than `*`, `@`, and
/// percent-escapes. Identifiers are protobuf field names.
struct PathTemplateParser {
    private let text: String
    private let bytes: [UInt8]
    private var position = 0
    private var segments: [PathTemplate.Segment] = []
    private var variables: [PathTemplate.Variable] = []

    init(_ text: String) {
        self.text = text
        self.bytes = Array(text.utf8)
    }

    mutating func parse() throws -> PathTemplate {
        guard peek == UInt8(ascii: "/") else {
            throw error(bytes.isEmpty ? "template is empty" : "template must start with '/'")
        }
        position += 1
        if position == bytes.count {
            return PathTemplate(text: text, segments: [], variables: [], verb: nil)
        }
        try parseSegments(inVariable: false)
        var verb: String?
        if peek == UInt8(ascii: ":") {
            position += 1
            let literal = try parseLiteral(what: "verb")
            verb = literal
        }
        if position < bytes.count {
            throw error(unexpected("end of template"))
        }
        if let index = segments.firstIndex(of: .multiWildcard), index != segments.count - 1 {
            throw PathTemplateError(
                template: text, position: multiWildcardPosition ?? 0,
                reason: "'**' must be the last segment (only a verb may follow it)")
        }
        var seen: Set<[String]> = []
        for variable in variables where !seen.insert(variable.fieldPath).inserted {
            throw PathTemplateError(
                template: text, position: 0,
                reason: "field '\(variable.fieldPathText)' is bound by more than one variable")
        }
        return PathTemplate(text: text, segments: segments, variables: variables, verb: verb)
    }

    private var multiWildcardPosition: Int?

    private var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    private func error(_ reason: String) -> PathTemplateError {
        PathTemplateError(template: text, position: position, reason: reason)
    }

    private func unexpected(_ expected: String) -> String {
        guard let byte = peek else { return "expected \(expected), found end of template" }
        return "expected \(expected), found '\(Self.describe(byte))'"
    }

    private static func describe(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : "\\u{\(String(byte, radix: 16))}"
    }

    // Segments = Segment { "/" Segment } ;
    private mutating func parseSegments(inVariable: Bool) throws {
        try parseSegment(inVariable: inVariable)
        while peek == UInt8(ascii: "/") {
            position += 1
            try parseSegment(inVariable: inVariable)
        }
    }

    // Segment = "*" | "**" | LITERAL | Variable ;
    private mutating func parseSegment(inVariable: Bool) throws {
        switch peek {
        case UInt8(ascii: "*"):
            let start = position
            position += 1
            if peek == UInt8(ascii: "*") {
                position += 1
                if multiWildcardPosition == nil { multiWildcardPosition = start }
                segments.append(.multiWildcard)
            } else {
                segments.append(.wildcard)
            }
            if let next = peek, next != UInt8(ascii: "/"), next != UInt8(ascii: ":"), next != UInt8(ascii: "}") {
                throw error("'*' and '**' must be a whole segment")
            }
        case UInt8(ascii: "{"):
            if inVariable { throw error("nested variables are not allowed") }
            try parseVariable()
        case nil, UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "}"):
            throw error(unexpected("a segment") + " (empty segment)")
        default:
            segments.append(.literal(try parseLiteral(what: "literal")))
        }
    }

    // Variable = "{" FieldPath [ "=" Segments ] "}" ;
    private mutating func parseVariable() throws {
        position += 1  // "{"
        var fieldPath: [String] = [try parseIdentifier()]
        while peek == UInt8(ascii: ".") {
            position += 1
            fieldPath.append(try parseIdentifier())
        }
        let first = segments.count
        if peek == UInt8(ascii: "=") {
            position += 1
            try parseSegments(inVariable: true)
        } else {
            segments.append(.wildcard)
        }
        guard peek == UInt8(ascii: "}") else {
            throw error(unexpected("'}' closing the variable '\(fieldPath.joined(separator: "."))'"))
        }
        position += 1
        variables.append(
            PathTemplate.Variable(
                fieldPath: fieldPath,
                segments: first..<segments.count,
                endsWithMultiWildcard: segments.last == .multiWildcard))
    }

    // IDENT = letter { letter | digit | "_" } ; (protobuf field names)
    private mutating func parseIdentifier() throws -> String {
        let start = position
        guard let first = peek, Self.isLetter(first) || first == UInt8(ascii: "_") else {
            throw error(unexpected("a field name"))
        }
        position += 1
        while let byte = peek, Self.isLetter(byte) || Self.isDigit(byte) || byte == UInt8(ascii: "_") {
            position += 1
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    // LITERAL = 1*( unreserved / pct-encoded / sub-delims-except-"*" / "@" ) ;
    private mutating func parseLiteral(what: String) throws -> String {
        let start = position
        while let byte = peek {
            if Self.isLiteralByte(byte) {
                position += 1
            } else if byte == UInt8(ascii: "%") {
                guard position + 2 < bytes.count,
                    PercentDecoding.hexValue(bytes[position + 1]) != nil,
                    PercentDecoding.hexValue(bytes[position + 2]) != nil
                else {
                    throw error("'%' must be followed by two hex digits")
                }
                position += 3
            } else if byte == UInt8(ascii: "/") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "}") {
                break
            } else if byte == UInt8(ascii: "*") {
                throw error("'*' and '**' must be a whole segment")
            } else {
                throw error("invalid character '\(Self.describe(byte))' in \(what)")
            }
        }
        if position == start {
            throw error(unexpected(what == "verb" ? "a verb after ':'" : "a segment") + (what == "verb" ? "" : " (empty segment)"))
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func isLiteralByte(_ byte: UInt8) -> Bool {
        if isLetter(byte) || isDigit(byte) { return true }
        switch byte {
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"),
            UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("),
            UInt8(ascii: ")"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="),
            UInt8(ascii: "@"):
            return true
        default:
            return false
        }
    }
}
