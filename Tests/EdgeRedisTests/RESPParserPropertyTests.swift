import EdgeRedis
import NIOCore
import XCTest

/// Property tests of ``RESPParser`` over seeded random replies: any split of the bytes gives the same
/// replies, every truncation is "incomplete" (never an error, never a crash), and garbage or a
/// corrupted byte gives an error or a reply, never a crash or a hang.
final class RESPParserPropertyTests: XCTestCase {
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func randomValue(_ rng: inout SplitMix64, depth: Int = 0) -> RESPValue {
        let kind = Int.random(in: 0..<(depth < 3 ? 7 : 5), using: &rng)
        func text() -> ByteBuffer {
            let length = Int.random(in: 0..<12, using: &rng)
            return ByteBuffer(bytes: (0..<length).map { _ in UInt8.random(in: 0x20...0x7E, using: &rng) })
        }
        switch kind {
        case 0: return .simpleString(text())
        case 1: return .error(text())
        case 2: return .integer(Int64.random(in: Int64.min + 1...Int64.max, using: &rng))
        case 3:
            let length = Int.random(in: 0..<40, using: &rng)
            return .bulkString(ByteBuffer(bytes: (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }))
        case 4: return .bulkString(nil)
        case 5: return .array(nil)
        default: return .array((0..<Int.random(in: 0..<5, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) })
        }
    }

    static func encode(_ value: RESPValue, into buffer: inout ByteBuffer) {
        switch value {
        case .simpleString(var bytes): buffer.writeString("+"); buffer.writeBuffer(&bytes); buffer.writeString("\r\n")
        case .error(var bytes): buffer.writeString("-"); buffer.writeBuffer(&bytes); buffer.writeString("\r\n")
        case .integer(let number): buffer.writeString(":\(number)\r\n")
        case .bulkString(nil): buffer.writeString("$-1\r\n")
        case .bulkString(.some(var bytes)): buffer.writeString("$\(bytes.readableBytes)\r\n"); buffer.writeBuffer(&bytes); buffer.writeString("\r\n")
        case .array(nil): buffer.writeString("*-1\r\n")
        case .array(.some(let values)):
            buffer.writeString("*\(values.count)\r\n")
            for element in values { encode(element, into: &buffer) }
        }
    }

    /// Feeds `bytes` to the parser in the given chunk sizes, as a channel would.
    static func feed(_ bytes: [UInt8], chunks: [Int]) throws -> [RESPValue] {
        var cumulation = ByteBuffer()
        var values: [RESPValue] = []
        var offset = 0
        for size in chunks + [bytes.count] where offset < bytes.count {
            let end = min(bytes.count, offset + size)
            cumulation.writeBytes(bytes[offset..<end])
            offset = end
            while let value = try RESPParser().parse(&cumulation) { values.append(value) }
        }
        return values
    }

    func testArbitrarySplitsGiveTheSameReplies() throws {
        var rng = SplitMix64(state: 0xED6E)
        for _ in 0..<500 {
            let values = (0..<Int.random(in: 1...6, using: &rng)).map { _ in Self.randomValue(&rng) }
            var buffer = ByteBuffer()
            for value in values { Self.encode(value, into: &buffer) }
            let bytes = Array(buffer.readableBytesView)
            let chunks = (0..<bytes.count).map { _ in Int.random(in: 1...8, using: &rng) }
            XCTAssertEqual(try Self.feed(bytes, chunks: chunks), values)
            XCTAssertEqual(try Self.feed(bytes, chunks: Array(repeating: 1, count: bytes.count)), values)
        }
    }

    func testEveryTruncationIsIncomplete() throws {
        var rng = SplitMix64(state: 0x7A11)
        for _ in 0..<300 {
            let value = Self.randomValue(&rng)
            var buffer = ByteBuffer()
            Self.encode(value, into: &buffer)
            let bytes = Array(buffer.readableBytesView)
            for cut in 0..<bytes.count {
                var prefix = ByteBuffer(bytes: bytes[0..<cut])
                XCTAssertNil(try RESPParser().parse(&prefix), "prefix of \(cut) bytes")
                XCTAssertEqual(prefix.readableBytes, cut)
            }
        }
    }

    func testGarbageNeverCrashes() {
        var rng = SplitMix64(state: 0x6A4B)
        var outcomes = (values: 0, errors: 0, incomplete: 0)
        let alphabet: [UInt8] = Array("+-:$*\r\n0123456789-ab".utf8)
        for round in 0..<20_000 {
            let length = Int.random(in: 0..<40, using: &rng)
            let bytes: [UInt8] = (0..<length).map { _ in
                round % 2 == 0 ? UInt8.random(in: 0...255, using: &rng) : alphabet.randomElement(using: &rng)!
            }
            var buffer = ByteBuffer(bytes: bytes)
            do {
                if try RESPParser().parse(&buffer) != nil { outcomes.values += 1 } else { outcomes.incomplete += 1 }
            } catch {
                XCTAssertTrue(error is RESPParseError)
                outcomes.errors += 1
            }
        }
        XCTAssertGreaterThan(outcomes.errors, 1000)
        XCTAssertGreaterThan(outcomes.values, 10)
    }

    func testCorruptedByteNeverCrashes() {
        var rng = SplitMix64(state: 0xC0DE)
        var changed = 0
        for _ in 0..<2000 {
            let value = Self.randomValue(&rng)
            var buffer = ByteBuffer()
            Self.encode(value, into: &buffer)
            var bytes = Array(buffer.readableBytesView)
            let index = Int.random(in: 0..<bytes.count, using: &rng)
            bytes[index] = UInt8.random(in: 0...255, using: &rng)
            var corrupted = ByteBuffer(bytes: bytes)
            if let parsed = try? RESPParser().parse(&corrupted), parsed == value { continue }
            changed += 1
        }
        XCTAssertGreaterThan(changed, 500)
    }
}
