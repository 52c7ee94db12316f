import EdgeRedis
import FuzzSupport
import NIOCore

/// The Redis client's reply parser (``RESPParser``, RESP2), as the channel feeds it:
/// bytes cumulate and every complete reply is taken off the front. Byte 0: its top bit
/// picks the limits (the defaults, or small ones the fuzzer can reach), the rest seeds
/// the chunk sizes; the rest of the input is what the server sent.
///
/// Beyond "no crash": the replies and the outcome (a parse error, or the bytes left
/// waiting for more) are the same whether the bytes arrive whole or cut anywhere (empty
/// chunks included); every reply keeps within the limits (nesting, array counts, bulk and
/// line lengths); every reply, written out again, parses back to itself, whole. Nothing
/// may allocate without bound (`-rss_limit_mb`): a declared length is never trusted.
let limitChoices = [
    RESPLimits.defaults,
    RESPLimits(maxLineBytes: 16, maxBulkBytes: 64, maxArrayCount: 8, maxDepth: 3),
]

struct Outcome: Equatable {
    var replies: [RESPValue] = []
    var error: RESPParseError?
    /// The bytes still waiting for the rest of a reply (after an error: not counted).
    var waiting = 0
}

@main
enum RESPReplyTarget: FuzzTarget {
    static func fuzz(_ input: UnsafeBufferPointer<UInt8>) {
        guard let first = input.first else { return }
        let limits = limitChoices[Int(first >> 7)]
        let parser = RESPParser(limits: limits)
        let bytes = UnsafeBufferPointer(rebasing: input.dropFirst())

        let whole = feed(parser, bytes, chunkSizes: [bytes.count + 1])
        var seed = UInt32(first & 0x7F) &+ 1
        var sizes: [Int] = []
        for _ in 0..<16 {
            seed = seed &* 1_103_515_245 &+ 12_345
            sizes.append(Int(seed >> 16) % 12)  // 0: an empty chunk
        }
        if sizes.allSatisfy({ $0 == 0 }) { sizes[0] = 1 }
        let chunked = feed(parser, bytes, chunkSizes: sizes)
        fuzzRequire(whole == chunked, "\(fuzzShow(Array(bytes))): \(whole) whole, \(chunked) in chunks \(sizes)")

        for reply in whole.replies {
            fuzzRequire(within(reply, limits, depth: 0), "\(fuzzShow(Array(bytes))): \(reply) exceeds \(limits)")
            var encoded = ByteBuffer()
            encode(reply, into: &encoded)
            let written = Array(encoded.readableBytesView)
            let again = written.withUnsafeBufferPointer { feed(parser, $0, chunkSizes: [written.count + 1]) }
            fuzzRequire(again == Outcome(replies: [reply]), "\(reply) written as \(fuzzShow(written)) reads as \(again)")
        }
    }
}

/// Feeds `bytes` in chunks of the given sizes (cycled), taking every complete reply after each.
func feed(_ parser: RESPParser, _ bytes: UnsafeBufferPointer<UInt8>, chunkSizes: [Int]) -> Outcome {
    var outcome = Outcome()
    var buffer = ByteBuffer()
    var offset = 0
    var turn = 0
    repeat {
        let end = min(bytes.count, offset + chunkSizes[turn % chunkSizes.count])
        turn += 1
        buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[offset..<end]))
        offset = end
        do {
            while let reply = try parser.parse(&buffer) { outcome.replies.append(reply) }
        } catch let error as RESPParseError {
            outcome.error = error
            return outcome
        } catch {
            fuzzFail("the parser threw \(error), not a RESPParseError")
        }
    } while offset < bytes.count
    outcome.waiting = buffer.readableBytes
    return outcome
}

/// Whether `value` keeps to `limits` (`depth`: the arrays around it).
func within(_ value: RESPValue, _ limits: RESPLimits, depth: Int) -> Bool {
    switch value {
    case .simpleString(let bytes), .error(let bytes): return bytes.readableBytes <= limits.maxLineBytes
    case .integer, .bulkString(nil), .array(nil): return true
    case .bulkString(let bytes?): return bytes.readableBytes <= limits.maxBulkBytes
    case .array(let elements?):
        return depth < limits.maxDepth && elements.count <= limits.maxArrayCount
            && elements.allSatisfy { within($0, limits, depth: depth + 1) }
    }
}

/// RESP2 as a server writes it.
func encode(_ value: RESPValue, into buffer: inout ByteBuffer) {
    switch value {
    case .simpleString(var bytes): buffer.writeString("+"); buffer.writeBuffer(&bytes); buffer.writeString("\r\n")
    case .error(var bytes): buffer.writeString("-"); buffer.writeBuffer(&bytes); buffer.writeString("\r\n")
    case .integer(let number): buffer.writeString(":\(number)\r\n")
    case .bulkString(nil): buffer.writeString("$-1\r\n")
    case .bulkString(var bytes?): buffer.writeString("$\(bytes.readableBytes)\r\n"); buffer.writeBuffer(&bytes); buffer.writeString("\r\n")
    case .array(nil): buffer.writeString("*-1\r\n")
    case .array(let elements?):
        buffer.writeString("*\(elements.count)\r\n")
        for element in elements { encode(element, into: &buffer) }
    }
}
