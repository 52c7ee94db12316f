/// A benchmark command's arguments, `--flag value` pairs read front to back, with the
/// checks every command makes on a value (present, a number) and their messages.
struct BenchArguments {
    private var rest: ArraySlice<String>

    init(_ arguments: [String]) { rest = arguments[...] }

    /// The next flag; nil after the last.
    mutating func nextFlag() -> String? { rest.popFirst() }

    /// The value that follows `flag`.
    mutating func value(after flag: String) throws -> String {
        guard let value = rest.popFirst() else { throw BenchFailure("\(flag) needs a value") }
        return value
    }

    /// A number greater than 0 after `flag`.
    mutating func positiveNumber(after flag: String) throws -> Double {
        guard let number = Double(try value(after: flag)), number > 0 else { throw BenchFailure("\(flag) needs a positive number") }
        return number
    }

    /// A whole number (0 or more) after `flag`.
    mutating func count(after flag: String) throws -> Int {
        guard let count = Int(try value(after: flag)), count >= 0 else { throw BenchFailure("\(flag) needs a number") }
        return count
    }
}
