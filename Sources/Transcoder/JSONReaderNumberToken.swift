/// A number token that matched the JSON grammar.
struct JSONReaderNumberToken {
    var start: Int
    var end: Int
    /// No fraction and no exponent.
    var integral: Bool
}
