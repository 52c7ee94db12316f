import EdgeRedis
import NIOCore
import XCTest

final class RESPParserTests: XCTestCase {
    private func parseAll(_ text: String, limits: RESPLimits = .defaults) throws -> [RESPValue] {
        var buffer = ByteBuffer(string: text)
        var values: [RESPValue] = []
        while let value = try RESPParser(limits: limits).parse(&buffer) { values.append(value) }
        XCTAssertEqual(buffer.readableBytes, 0, "bytes left over")
        return values
    }

    func testEveryType() throws {
        let values = try parseAll("+OK\r\n-ERR bad\r\n:-42\r\n$3\r\nfoo\r\n$-1\r\n$0\r\n\r\n*2\r\n:1\r\n*1\r\n+x\r\n*-1\r\n*0\r\n")
        XCTAssertEqual(values, [
            .simpleString(ByteBuffer(string: "OK")), .error(ByteBuffer(string: "ERR bad")), .integer(-42),
            .bulkString(ByteBuffer(string: "foo")), .bulkString(nil), .bulkString(ByteBuffer()),
            .array([.integer(1), .array([.simpleString(ByteBuffer(string: "x"))])]), .array(nil), .array([]),
        ])
        XCTAssertEqual(values[1].errorMessage, "ERR bad")
        XCTAssertEqual(values[3].string, "foo")
    }

    func testBulkStringMayHoldCRLF() throws {
        XCTAssertEqual(try parseAll("$4\r\na\r\nb\r\n"), [.bulkString(ByteBuffer(string: "a\r\nb"))])
    }

    func testIncompleteRepliesConsumeNothing() throws {
        for text in ["", "+", "+OK", "+OK\r", ":12", "$3\r\nfo", "$3\r\nfoo", "$3\r\nfoo\r", "*2\r\n:1\r\n", "*1\r\n$2\r\nab\r"] {
            var buffer = ByteBuffer(string: text)
            XCTAssertNil(try RESPParser().parse(&buffer), text)
            XCTAssertEqual(buffer.readableBytes, text.utf8.count, text)
        }
    }

    func testMalformedRepliesThrow() {
        let cases: [(String, RESPParseError)] = [
            ("?x\r\n", .unknownType(UInt8(ascii: "?"))),
            ("+OK\rx", .missingLineFeed),
            ("+O\nK\r\n", .bareLineFeed),
            (":12a\r\n", .invalidInteger),
            (":\r\n", .invalidInteger),
            (":-\r\n", .invalidInteger),
            (":99999999999999999999\r\n", .invalidInteger),
            (":9223372036854775808\r\n", .invalidInteger),
            ("$-2\r\n", .invalidLength(-2)),
            ("*-5\r\n", .invalidLength(-5)),
            ("$3\r\nfooXY", .bulkNotTerminated),
            ("$ 3\r\nfoo\r\n", .invalidInteger),
        ]
        for (text, expected) in cases {
            var buffer = ByteBuffer(string: text)
            XCTAssertThrowsError(try RESPParser().parse(&buffer), text) { error in
                XCTAssertEqual(error as? RESPParseError, expected, text)
            }
        }
    }

    func testLimits() {
        let limits = RESPLimits(maxLineBytes: 8, maxBulkBytes: 4, maxArrayCount: 3, maxDepth: 2)
        let cases: [(String, RESPParseError)] = [
            ("+123456789\r\n", .lineTooLong(limit: 8)),
            ("+1234567890123", .lineTooLong(limit: 8)),
            ("$5\r\nhello\r\n", .bulkTooLarge(length: 5, limit: 4)),
            ("*4\r\n", .arrayTooLarge(count: 4, limit: 3)),
            ("*1\r\n*1\r\n*1\r\n:1\r\n", .nestedTooDeep(limit: 2)),
        ]
        for (text, expected) in cases {
            var buffer = ByteBuffer(string: text)
            XCTAssertThrowsError(try RESPParser(limits: limits).parse(&buffer), text) { error in
                XCTAssertEqual(error as? RESPParseError, expected, text)
            }
        }
        var fits = ByteBuffer(string: "*1\r\n*1\r\n$4\r\nabcd\r\n")
        XCTAssertEqual(try RESPParser(limits: limits).parse(&fits), .array([.array([.bulkString(ByteBuffer(string: "abcd"))])]))
    }

    /// A huge declared array with few bytes behind it allocates nothing: it is just incomplete.
    func testHugeDeclaredArrayIsIncompleteNotAllocated() throws {
        var buffer = ByteBuffer(string: "*1000000\r\n:1\r\n")
        XCTAssertNil(try RESPParser().parse(&buffer))
    }

    func testDeepNestingWithinDefaultLimitThrowsNotCrashes() {
        var buffer = ByteBuffer(string: String(repeating: "*1\r\n", count: 100_000) + ":1\r\n")
        XCTAssertThrowsError(try RESPParser().parse(&buffer)) { error in
            XCTAssertEqual(error as? RESPParseError, .nestedTooDeep(limit: 32))
        }
    }
}
