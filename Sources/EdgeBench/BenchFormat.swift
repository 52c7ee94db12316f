/// Number formatting for the tables (the bench avoids Foundation).
enum BenchFormat {
    /// `value` with `digits` decimals.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "–" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int(scaled / scale)
        let fraction = Int(scaled - Double(whole) * scale)
        var text = (value < 0 && scaled != 0 ? "-" : "") + String(whole)
        if digits > 0 {
            let f = String(fraction)
            text += "." + String(repeating: "0", count: digits - f.count) + f
        }
        return text
    }

    /// Three significant figures or so, without exponent notation.
    static func short(_ value: Double) -> String {
        if value >= 100 { return fixed(value, 0) }
        if value >= 10 { return fixed(value, 1) }
        return fixed(value, 2)
    }

    /// Thousands separated by a thin space-free comma: 1234567 -> 1,234,567.
    static func grouped(_ value: Double) -> String {
        let digits = String(Int(value.rounded()))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return out
    }
}
