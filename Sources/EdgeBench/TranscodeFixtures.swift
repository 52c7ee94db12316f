#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import SwiftProtobuf

/// The inputs of the transcoding benchmark, as JSON text and as canonical wire
/// bytes (serialized by the generated code, so both converters read the same bytes).
///
/// - product: the shared `fixtures/product.json` (pretty-printed, as the gateway
///   benchmark posts it) with an `id` added;
/// - list50: a `ListProductsResponse` of 50 copies of it in the same layout,
///   each with its own `id` and variant SKUs.
struct TranscodeFixtures {
    let productJSON: [UInt8]
    let productWire: [UInt8]
    let listJSON: [UInt8]
    let listWire: [UInt8]

    static let listSize = 50

    init(productFile path: String) throws {
        guard let text = Self.readFile(path) else {
            throw BenchFailure("cannot read \(path)")
        }
        guard let brace = text.firstIndex(of: "{") else {
            throw BenchFailure("\(path) is not a JSON object")
        }
        func variant(_ n: Int) -> String {
            let number = String(repeating: "0", count: max(0, 6 - String(n).count)) + String(n)
            var body = text[text.index(after: brace)...]
            while body.last?.isWhitespace == true { body.removeLast() }
            return "{\n  \"id\": \"prod-\(number)\"," + body.replacingAll("SKU-002207", with: "SKU-\(number)")
        }
        productJSON = Array(variant(2207).utf8)
        let products = (0..<Self.listSize).map { variant(100_000 + $0) }
        listJSON = Array(("{\n\"products\": [\n" + products.joined(separator: ",\n") + "\n],\n\"nextPageToken\": \"page-2\"\n}\n").utf8)
        productWire = try Bench_V1_Product(jsonUTF8Bytes: productJSON).serializedBytes()
        listWire = try Bench_V1_ListProductsResponse(jsonUTF8Bytes: listJSON).serializedBytes()
    }

    static func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Substring {
    /// Plain substring replacement (no Foundation in this target).
    func replacingAll(_ target: String, with replacement: String) -> String {
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
