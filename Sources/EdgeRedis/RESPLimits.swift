/// Bounds on what ``RESPParser`` accepts, so that a broken or hostile server cannot make the
/// client allocate without limit or recurse without end.
public struct RESPLimits: Sendable, Equatable {
    /// The longest simple string, error or length line, CRLF excluded.
    public var maxLineBytes: Int
    /// The longest bulk string.
    public var maxBulkBytes: Int
    /// The most elements one array may declare.
    public var maxArrayCount: Int
    /// How deep arrays may nest (a flat array is depth 1).
    public var maxDepth: Int

    public init(maxLineBytes: Int = 64 * 1024, maxBulkBytes: Int = 64 * 1024 * 1024, maxArrayCount: Int = 1 << 20, maxDepth: Int = 32) {
        self.maxLineBytes = maxLineBytes
        self.maxBulkBytes = maxBulkBytes
        self.maxArrayCount = maxArrayCount
        self.maxDepth = maxDepth
    }

    public static var defaults: RESPLimits { RESPLimits() }
}
