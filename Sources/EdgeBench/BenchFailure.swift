#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A benchmark that cannot run or whose converters disagree; printed and exits 1.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }

    /// Runs the command `name`; an error is printed (`EdgeBench <name>: <error>`) and exits 1.
    static func exitOnError(_ name: String, _ body: () throws -> Void) {
        do {
            try body()
        } catch {
            print("EdgeBench \(name): \(error)")
            exit(1)
        }
    }
}
