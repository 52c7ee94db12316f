/// Why a certificate, key or CA file cannot be used: a sentence naming the file,
/// for `edge validate`, a refused reload and the log. Never contains key material.
public struct TLSFileProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
