/// A benchmark that cannot run or whose converters disagree; printed and exits 1.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
