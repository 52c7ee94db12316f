#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import DescriptorLoader
import Transcoder

/// `EdgeBench probe j2w|w2j MESSAGE [--schema PATH]`: converts standard input
/// with the edge's converter and prints the result (wire as hex, JSON as
/// text) or the `TranscodeError`, for comparing single documents with other
/// implementations (e.g. Python's `json_format`) when a benchmark's
/// validation fails.
enum TranscodeProbe {
    static func run(_ arguments: [String]) {
        var rest = arguments[...]
        var schemaSource = TranscodeBench.sharedBench + "/protos"
        var positional: [String] = []
        while let a = rest.popFirst() {
            if a == "--schema", let v = rest.popFirst() { schemaSource = v } else { positional.append(a) }
        }
        guard positional.count == 2, ["j2w", "w2j"].contains(positional[0]) else {
            print("usage: EdgeBench probe j2w|w2j MESSAGE [--schema PATH] < input")
            exit(2)
        }
        do {
            let schema = try SchemaLoader.load(sources: [schemaSource])
            guard let ordinal = schema.ordinal(of: positional[1]) else { throw BenchFailure("no message \(positional[1])") }
            var input: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = read(0, &chunk, chunk.count)
                if n <= 0 { break }
                input += chunk[0..<n]
            }
            var output: [UInt8] = []
            if positional[0] == "j2w" {
                try input.withUnsafeBytes { try JSONToWire(schema: schema).convert($0, message: ordinal, options: .defaults, into: &output) }
                print(output.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined())
            } else {
                try input.withUnsafeBytes { try WireToJSON(schema: schema).convert($0, message: ordinal, options: .defaults, into: &output) }
                print(String(decoding: output, as: UTF8.self))
            }
        } catch {
            print("error: \(error)")
            exit(1)
        }
    }
}
