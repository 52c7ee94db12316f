/// Writes the Prometheus text exposition format (0.0.4): `# HELP` and `# TYPE` once per
/// family, then its samples, label values escaped (`\\`, `\"`, `\n`).
public struct MetricsTextWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() { bytes.reserveCapacity(16 << 10) }

    public mutating func family(_ name: String, type: String, help: String) {
        append("# HELP \(name) \(help)\n# TYPE \(name) \(type)\n")
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
        append(name)
        writeLabels(labels)
        append(" ")
        append(Self.format(value))
        append("\n")
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)], _ value: UInt64) {
        sample(name, labels, intText: String(value))
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Int) {
        sample(name, labels, intText: String(value))
    }

    private mutating func sample(_ name: String, _ labels: [(String, String)], intText: String) {
        append(name)
        writeLabels(labels)
        append(" ")
        append(intText)
        append("\n")
    }

    /// A histogram's `_bucket` (cumulative, `le` last among the labels), `_sum` and `_count`
    /// samples; bounds and sum are divided by `scale` (nanoseconds → seconds: 1e9).
    package mutating func histogram(_ name: String, _ labels: [(String, String)], _ histogram: MetricHistogram, scale: Double) {
        var cumulative: UInt64 = 0
        for (index, bound) in histogram.bounds.enumerated() {
            cumulative &+= histogram.counts[index]
            sample(name + "_bucket", labels + [("le", Self.format(Double(bound) / scale))], cumulative)
        }
        cumulative &+= histogram.counts[histogram.bounds.count]
        sample(name + "_bucket", labels + [("le", "+Inf")], cumulative)
        sample(name + "_sum", labels, Double(histogram.sum) / scale)
        sample(name + "_count", labels, histogram.count)
    }

    private mutating func writeLabels(_ labels: [(String, String)]) {
        guard !labels.isEmpty else { return }
        bytes.append(UInt8(ascii: "{"))
        for (index, (name, value)) in labels.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            append(name)
            append("=\"")
            for byte in value.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): append("\\\\")
                case UInt8(ascii: "\""): append("\\\"")
                case UInt8(ascii: "\n"): append("\\n")
                default: bytes.append(byte)
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
    }

    private mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// Integers without a fraction (`5`, not `5.0`), others as Swift prints them (shortest round trip).
    package static func format(_ value: Double) -> String {
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value.isNaN { return "NaN" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
