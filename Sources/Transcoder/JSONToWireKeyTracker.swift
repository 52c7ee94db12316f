/// Duplicate-key detection for map and `Struct` objects (Go's protojson and
/// Python's json_format reject `{"a": 1, "a": 2}` there too).
///
/// Keys of the objects being read are kept on one stack shared by the whole
/// conversion, so a map costs no allocation: each object compares a new key
/// with its own earlier keys. Past ``linearLimit`` keys an object switches to
/// a (randomly seeded) `Set`, so that large hostile maps stay linear.
struct JSONToWireKeyTracker {
    static let linearLimit = 32

    private var stack: [JSONReaderStringToken] = []

    /// One object's share of the stack.
    struct Frame {
        fileprivate let base: Int
        fileprivate var large: Set<[UInt8]>?
    }

    mutating func begin() -> Frame {
        Frame(base: stack.count, large: nil)
    }

    mutating func end(_ frame: Frame) {
        stack.removeSubrange(frame.base...)
    }

    /// Records `key` in `frame`; returns false when the object already had it.
    mutating func insert(_ key: JSONReaderStringToken, _ frame: inout Frame, _ reader: JSONReader) -> Bool {
        if frame.large != nil {
            return frame.large!.insert(Self.decoded(key, reader)).inserted
        }
        for i in frame.base..<stack.count where Self.same(stack[i], key, reader) {
            return false
        }
        stack.append(key)
        if stack.count - frame.base > Self.linearLimit {
            frame.large = Set(stack[frame.base...].map { Self.decoded($0, reader) })
        }
        return true
    }

    @inline(__always)
    private static func same(_ a: JSONReaderStringToken, _ b: JSONReaderStringToken, _ reader: JSONReader) -> Bool {
        if !a.escaped && !b.escaped {
            guard a.count == b.count else { return false }
            return JSONToWireNameTable.equal(reader.base + a.start, reader.base + b.start, a.count)
        }
        return decoded(a, reader) == decoded(b, reader)
    }

    private static func decoded(_ token: JSONReaderStringToken, _ reader: JSONReader) -> [UInt8] {
        var bytes: [UInt8] = []
        reader.decode(token, into: &bytes)
        return bytes
    }
}
