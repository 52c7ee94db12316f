import NIOCore

/// Durations in the configuration: a decimal number and a unit, `250ms`, `1.5s`, `2m`, `1h` (also `us`, `ns`).
public enum ConfigDuration {
    public static func parse(_ text: String) -> TimeAmount? {
        let trimmed = text.trimmingCharacters(in: " ")
        let units: [(String, Double)] = [
            ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
        ]
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count)
            guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
                number.filter({ $0 == "." }).count <= 1, number.first != ".", number.last != ".",
                let value = Double(number)
            else { continue }
            let nanos = value * scale
            guard nanos.isFinite, nanos < 1e18 else { return nil }
            return .nanoseconds(Int64(nanos.rounded()))
        }
        return nil
    }

    /// `1.5s`-style text for messages and summaries.
    public static func format(_ amount: TimeAmount) -> String {
        let nanos = amount.nanoseconds
        if nanos % 3_600_000_000_000 == 0, nanos > 0 { return "\(nanos / 3_600_000_000_000)h" }
        if nanos % 60_000_000_000 == 0, nanos > 0 { return "\(nanos / 60_000_000_000)m" }
        if nanos % 1_000_000_000 == 0 { return "\(nanos / 1_000_000_000)s" }
        if nanos % 1_000_000 == 0 { return "\(nanos / 1_000_000)ms" }
        return "\(nanos)ns"
    }
}

extension String {
    package func trimmingCharacters(in character: Character) -> String {
        var text = Substring(self)
        while text.first == character { text = text.dropFirst() }
        while text.last == character { text = text.dropLast() }
        return String(text)
    }
}
