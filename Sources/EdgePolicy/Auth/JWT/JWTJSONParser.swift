/// A small, strict, bounded JSON parser for token headers and claims sets (RFC 8259):
/// no Foundation on the request path, a nesting limit (a deeply nested claims set is
/// rejected, not recursed into), a member limit, duplicate member names rejected (two
/// parsers must not read two different claims sets from one token), strings checked
/// to be valid UTF-8 without control characters.
package struct JWTJSONParser {
    package struct Limits {
        package var maxDepth: Int
        package var maxMembers: Int
    }

    package enum Failure: Error, Equatable {
        case syntax
        case tooDeep
        case tooManyMembers
        case duplicateMember(String)
    }

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0
    private var members = 0
    private let limits: Limits

    private init(_ bytes: [UInt8], limits: Limits) {
        self.bytes = bytes
        self.limits = limits
    }

    /// The one value `bytes` hold (whitespace around it allowed, nothing else).
    package static func parse(_ bytes: [UInt8], limits: Limits) -> Result<JWTJSONValue, Failure> {
        var parser = JWTJSONParser(bytes, limits: limits)
        do {
            let value = try parser.parseValue()
            parser.skipWhitespace()
            guard parser.index == bytes.count else { return .failure(.syntax) }
            return .success(value)
        } catch let failure as Failure {
            return .failure(failure)
        } catch {
            return .failure(.syntax)
        }
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws -> JWTJSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw Failure.syntax }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        default: return .number(try parseNumber())
        }
    }

    private mutating func expect(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw Failure.syntax }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw Failure.syntax }
        index += count
    }

    private mutating func enter() throws {
        depth += 1
        if depth > limits.maxDepth { throw Failure.tooDeep }
    }

    private mutating func countMember() throws {
        members += 1
        if members > limits.maxMembers { throw Failure.tooManyMembers }
    }

    private mutating func parseObject() throws -> JWTJSONValue {
        try enter()
        index += 1
        var result: [String: JWTJSONValue] = [:]
        skipWhitespace()
        if close(UInt8(ascii: "}")) { return .object(result) }
        repeat {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw Failure.syntax }
            let name = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw Failure.syntax }
            index += 1
            let value = try parseValue()
            try countMember()
            guard result.updateValue(value, forKey: name) == nil else { throw Failure.duplicateMember(name) }
        } while try anotherFollows(closing: UInt8(ascii: "}"))
        return .object(result)
    }

    private mutating func parseArray() throws -> JWTJSONValue {
        try enter()
        index += 1
        var result: [JWTJSONValue] = []
        skipWhitespace()
        if close(UInt8(ascii: "]")) { return .array(result) }
        repeat {
            result.append(try parseValue())
            try countMember()
        } while try anotherFollows(closing: UInt8(ascii: "]"))
        return .array(result)
    }

    /// After a member or an element: `,` taken, true (another follows), or the container's
    /// `closing` byte taken, false (it ends); anything else is a syntax error.
    @inline(__always)
    private mutating func anotherFollows(closing: UInt8) throws -> Bool {
        skipWhitespace()
        guard index < bytes.count else { throw Failure.syntax }
        if bytes[index] == UInt8(ascii: ",") {
            index += 1
            return true
        }
        guard close(closing) else { throw Failure.syntax }
        return false
    }

    /// Takes `closing` if it is the next byte and leaves the container's level: whether it was.
    @inline(__always)
    private mutating func close(_ closing: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == closing else { return false }
        index += 1
        depth -= 1
        return true
    }

    private mutating func parseNumber() throws -> String {
        let start = index
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { throw Failure.syntax }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if isDigit(bytes[index]) {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        } else {
            throw Failure.syntax
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw Failure.syntax }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw Failure.syntax }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func parseString() throws -> String {
        index += 1  // the opening quote
        var scalars: [UInt8] = []
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = try Self.validated(bytes[start..<index])
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw Failure.syntax }
            index += 1
        }
        scalars.append(contentsOf: bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return try Self.validated(scalars[...])
            }
            if byte < 0x20 { throw Failure.syntax }
            if byte != UInt8(ascii: "\\") {
                scalars.append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < bytes.count else { throw Failure.syntax }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escape)
            case UInt8(ascii: "b"): scalars.append(0x08)
            case UInt8(ascii: "f"): scalars.append(0x0C)
            case UInt8(ascii: "n"): scalars.append(0x0A)
            case UInt8(ascii: "r"): scalars.append(0x0D)
            case UInt8(ascii: "t"): scalars.append(0x09)
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800...0xDBFF).contains(code) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw Failure.syntax
                    }
                    index += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw Failure.syntax }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(code) {
                    throw Failure.syntax
                }
                guard let scalar = Unicode.Scalar(code) else { throw Failure.syntax }
                scalars.append(contentsOf: UTF8.encode(scalar)!)
            default: throw Failure.syntax
            }
        }
        throw Failure.syntax
    }

    private mutating func hex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw Failure.syntax }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw Failure.syntax
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private static func validated(_ slice: ArraySlice<UInt8>) throws -> String {
        guard let text = String(validating: slice, as: UTF8.self) else { throw Failure.syntax }
        return text
    }
}
