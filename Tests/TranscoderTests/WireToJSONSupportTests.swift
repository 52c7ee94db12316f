import Foundation
import XCTest
import DescriptorLoader
@testable import Transcoder

/// Shared helpers of the WireToJSON tests: the fixture schema, hex input, and
/// a small JSON parser that keeps bools, numbers and strings apart so that
/// outputs can be compared as values.
enum WireToJSONTestSupport {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    nonisolated(unsafe) private static var cached: (Schema, WireToJSON)?
    private static let lock = NSLock()

    static func schemaAndConverter() throws -> (Schema, WireToJSON) {
        lock.lock()
        defer { lock.unlock() }
        if let cached { return cached }
        let schema = try SchemaLoader.load(sources: [fixtures.appendingPathComponent("edgetest.protoset").path])
        let pair = (schema, WireToJSON(schema: schema))
        cached = pair
        return pair
    }

    static func converter() throws -> WireToJSON { try schemaAndConverter().1 }

    static func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var chars = Array(hex.utf8)
        if chars.count % 2 == 1 { chars.append(UInt8(ascii: "0")) }
        var i = 0
        while i < chars.count {
            out.append(UInt8(String(decoding: chars[i..<i + 2], as: UTF8.self), radix: 16)!)
            i += 2
        }
        return out
    }

    indirect enum JSON: Equatable {
        case null
        case bool(Bool)
        case number(Double)
        case string(String)
        case array([JSON])
        case object([String: JSON])
        case invalid(String)
    }

    static func parse(_ text: String) -> JSON {
        var parser = Parser(bytes: Array(text.utf8))
        guard let value = parser.value() else { return .invalid(text) }
        parser.skipSpace()
        return parser.i == parser.bytes.count ? value : .invalid(text)
    }

    /// A strict-enough JSON parser for test comparisons (rejects duplicate keys).
    struct Parser {
        let bytes: [UInt8]
        var i = 0

        mutating func skipSpace() {
            while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 }
        }

        mutating func literal(_ word: String) -> Bool {
            let w = Array(word.utf8)
            guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else { return false }
            i += w.count
            return true
        }

        mutating func value() -> JSON? {
            skipSpace()
            guard i < bytes.count else { return nil }
            switch bytes[i] {
            case UInt8(ascii: "n"): return literal("null") ? .null : nil
            case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
            case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
            case UInt8(ascii: "\""): return string().map { .string($0) }
            case UInt8(ascii: "["):
                i += 1
                var items: [JSON] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                while true {
                    guard let v = value() else { return nil }
                    items.append(v)
                    skipSpace()
                    guard i < bytes.count else { return nil }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                    return nil
                }
            case UInt8(ascii: "{"):
                i += 1
                var members: [String: JSON] = [:]
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                while true {
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\""), let key = string() else { return nil }
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
                    i += 1
                    guard let v = value(), members[key] == nil else { return nil }
                    members[key] = v
                    skipSpace()
                    guard i < bytes.count else { return nil }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                    return nil
                }
            default:
                let start = i
                while i < bytes.count, "+-.eE0123456789".utf8.contains(bytes[i]) { i += 1 }
                guard let d = Double(String(decoding: bytes[start..<i], as: UTF8.self)) else { return nil }
                return .number(d)
            }
        }

        mutating func string() -> String? {
            i += 1
            var units: [UInt16] = []
            var raw: [UInt8] = []
            func flush() {
                units.append(contentsOf: String(decoding: raw, as: UTF8.self).utf16)
                raw.removeAll()
            }
            while i < bytes.count {
                let b = bytes[i]
                if b == UInt8(ascii: "\"") {
                    i += 1
                    flush()
                    return String(decoding: units, as: UTF16.self)
                }
                if b < 0x20 { return nil }
                if b == UInt8(ascii: "\\") {
                    guard i + 1 < bytes.count else { return nil }
                    flush()
                    let e = bytes[i + 1]
                    i += 2
                    switch e {
                    case UInt8(ascii: "n"): units.append(0x0A)
                    case UInt8(ascii: "t"): units.append(0x09)
                    case UInt8(ascii: "r"): units.append(0x0D)
                    case UInt8(ascii: "b"): units.append(0x08)
                    case UInt8(ascii: "f"): units.append(0x0C)
                    case UInt8(ascii: "/"), UInt8(ascii: "\\"), UInt8(ascii: "\""): units.append(UInt16(e))
                    case UInt8(ascii: "u"):
                        guard i + 4 <= bytes.count, let u = UInt16(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16)
                        else { return nil }
                        units.append(u)
                        i += 4
                    default: return nil
                    }
                } else {
                    raw.append(b)
                    i += 1
                }
            }
            return nil
        }
    }
}

/// The test parser itself: a wrong comparison would make every other test meaningless.
final class WireToJSONSupportTests: XCTestCase {
    func testParserDistinguishesKinds() {
        typealias J = WireToJSONTestSupport.JSON
        XCTAssertEqual(WireToJSONTestSupport.parse(#"{"a": [1, true, "1", null]}"#),
                       .object(["a": .array([.number(1), .bool(true), .string("1"), .null])]))
        XCTAssertNotEqual(WireToJSONTestSupport.parse("1"), WireToJSONTestSupport.parse("true"))
        XCTAssertEqual(WireToJSONTestSupport.parse("1.0"), WireToJSONTestSupport.parse("1"))
        XCTAssertEqual(WireToJSONTestSupport.parse(#""\ud83d\ude00""#), .string("😀"))
        XCTAssertEqual(WireToJSONTestSupport.parse(#"{"a":1,"a":2}"#), J.invalid(#"{"a":1,"a":2}"#))
    }
}

/// Builds protobuf wire bytes by hand for the tests.
enum Wire {
    static func varint(_ value: UInt64) -> [UInt8] {
        var v = value
        var out: [UInt8] = []
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
        return out
    }

    static func tag(_ field: Int, _ wireType: Int) -> [UInt8] { varint(UInt64(field << 3 | wireType)) }
    static func varint(_ field: Int, _ value: UInt64) -> [UInt8] { tag(field, 0) + varint(value) }
    static func int(_ field: Int, _ value: Int64) -> [UInt8] { varint(field, UInt64(bitPattern: value)) }
    static func ld(_ field: Int, _ payload: [UInt8]) -> [UInt8] { tag(field, 2) + varint(UInt64(payload.count)) + payload }
    static func string(_ field: Int, _ text: String) -> [UInt8] { ld(field, Array(text.utf8)) }
    static func fixed64(_ field: Int, _ value: UInt64) -> [UInt8] {
        tag(field, 1) + (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }
    static func double(_ field: Int, _ value: Double) -> [UInt8] { fixed64(field, value.bitPattern) }
}
