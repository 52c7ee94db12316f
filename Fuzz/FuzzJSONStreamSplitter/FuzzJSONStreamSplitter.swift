import FuzzSupport
import Transcoder

/// `JSONStreamSplitter` on a body cut into chunks anywhere. The first byte picks
/// the framing, the second seeds the chunk sizes; the rest is the body. Beyond
/// "no crash": the elements concatenate to the input (in order, with only white
/// space and, in an array, `[` `,` `]` between them), and the outcome (elements
/// and failure) is the same whether the body arrives whole or in chunks.
@main
enum JSONStreamSplitterTarget: FuzzTarget {
    static func fuzz(_ input: UnsafeBufferPointer<UInt8>) {
        guard input.count >= 2 else { return }
        let framings: [JSONStreamSplitter.Framing] = [.lines, .array, .automatic]
        let framing = framings[Int(input[0]) % framings.count]
        let body = Array(input.dropFirst(2))

        let whole = split(body, framing: framing, chunkSizes: [body.count + 1])
        var seed = UInt32(input[1]) &+ 1
        var sizes: [Int] = []
        for _ in 0..<16 {
            seed = seed &* 1_103_515_245 &+ 12_345
            sizes.append(Int(seed >> 16) % 8)  // 0: an empty chunk
        }
        let chunked = split(body, framing: framing, chunkSizes: sizes)
        fuzzRequire(whole.elements == chunked.elements, "\(fuzzShow(body)): elements differ whole and in chunks \(sizes)")
        fuzzRequire(whole.failure == chunked.failure, "\(fuzzShow(body)): \(String(describing: whole.failure)) whole, \(String(describing: chunked.failure)) in chunks \(sizes)")

        // The elements are the input's bytes, in order, with only separators between and after them.
        var position = 0
        func isSeparator(_ byte: UInt8) -> Bool {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D: return true
            case UInt8(ascii: "["), UInt8(ascii: ","), UInt8(ascii: "]"): return framing != .lines
            default: return false
            }
        }
        for element in whole.elements {
            fuzzRequire(!element.isEmpty, "\(fuzzShow(body)): an empty element")
            func elementIsNext() -> Bool {
                position + element.count <= body.count && body[position..<position + element.count].elementsEqual(element)
            }
            while position < body.count, isSeparator(body[position]), !elementIsNext() { position += 1 }
            fuzzRequire(
                elementIsNext(),
                "\(fuzzShow(body)): element \(fuzzShow(element)) is not the input's next bytes at \(position)")
            position += element.count
        }
        if whole.failure == nil {
            fuzzRequire(body[position...].allSatisfy(isSeparator), "\(fuzzShow(body)): bytes after the last element were dropped")
        }
    }
}

func split(
    _ body: [UInt8], framing: JSONStreamSplitter.Framing, chunkSizes: [Int]
) -> (elements: [[UInt8]], failure: JSONStreamSplitter.Failure?) {
    var splitter = JSONStreamSplitter(framing: framing)
    var elements: [[UInt8]] = []
    do {
        try body.withUnsafeBytes { bytes in
            var offset = 0
            var turn = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + chunkSizes[turn % chunkSizes.count])
                turn += 1
                try splitter.feed(UnsafeRawBufferPointer(rebasing: bytes[offset..<end])) { elements.append(Array($0)) }
                offset = end
            }
        }
        try splitter.finish { elements.append(Array($0)) }
        return (elements, nil)
    } catch let failure as JSONStreamSplitter.Failure {
        return (elements, failure)
    } catch {
        fatalError("the splitter threw \(error), not a Failure")
    }
}
