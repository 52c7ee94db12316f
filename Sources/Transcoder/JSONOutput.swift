/// The wire→JSON printer's output: a growable buffer written through a raw
/// pointer. An append is a capacity compare and a store (a `memcpy` for runs),
/// without the uniqueness check and generic paths of appending to an
/// `inout [UInt8]`, which the printer does for every key, comma and digit.
///
/// A plain struct over memory it allocates, or starts on the caller's memory
/// (``init(borrowing:)``) and moves to its own when that is full: pass it
/// `inout` only (a copy would share the memory) and call ``deallocate()`` once
/// (``collect(capacity:_:)`` does).
struct JSONOutput {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count: Int
    private var capacity: Int
    /// Whether `base` was allocated here (else it is the caller's memory).
    private(set) var ownsMemory: Bool

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        self.base = .allocate(capacity: self.capacity)
        self.count = 0
        self.ownsMemory = true
    }

    /// Writes into `memory` while it has room (it must outlive this output).
    init(borrowing memory: UnsafeMutableRawBufferPointer) {
        if let address = memory.baseAddress, memory.count > 0 {
            self.base = address.bindMemory(to: UInt8.self, capacity: memory.count)
            self.capacity = memory.count
            self.ownsMemory = false
        } else {
            self.capacity = 64
            self.base = .allocate(capacity: 64)
            self.ownsMemory = true
        }
        self.count = 0
    }

    func deallocate() {
        if ownsMemory { base.deallocate() }
    }

    /// The bytes written so far (valid until the next append).
    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    /// Runs `body` on a fresh output and returns what it wrote as an array.
    static func collect<E: Error>(capacity: Int = 64, _ body: (inout JSONOutput) throws(E) -> Void) throws(E) -> [UInt8] {
        var output = JSONOutput(capacity: capacity)
        defer { output.deallocate() }
        try body(&output)
        return Array(output.bytes)
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if _slowPath(count == capacity) { grow(1) }
        base[count] = byte
        count &+= 1
    }

    @inline(__always)
    mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        let n = bytes.count
        if _slowPath(capacity &- count < n) { grow(n) }
        if n > 0 { Self.copy(UnsafeRawPointer(bytes.baseAddress!), to: base + count, count: n) }
        count &+= n
    }

    /// Copies `n` > 0 bytes: up to 16 (keys, short values) with two
    /// overlapping loads and stores instead of a call to `memcpy`.
    @inline(__always)
    static func copy(_ source: UnsafeRawPointer, to target: UnsafeMutablePointer<UInt8>, count n: Int) {
        let out = UnsafeMutableRawPointer(target)
        if n >= 8 && n <= 16 {
            let head = source.loadUnaligned(as: UInt64.self)
            let tail = source.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
            out.storeBytes(of: head, as: UInt64.self)
            out.storeBytes(of: tail, toByteOffset: n &- 8, as: UInt64.self)
        } else if n >= 4 && n < 8 {
            let head = source.loadUnaligned(as: UInt32.self)
            let tail = source.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)
            out.storeBytes(of: head, as: UInt32.self)
            out.storeBytes(of: tail, toByteOffset: n &- 4, as: UInt32.self)
        } else if n < 4 {
            for i in 0..<n { out.storeBytes(of: source.load(fromByteOffset: i, as: UInt8.self), toByteOffset: i, as: UInt8.self) }
        } else {
            out.copyMemory(from: source, byteCount: n)
        }
    }

    @inline(__always)
    mutating func append(contentsOf bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append(contentsOf: $0) }
    }

    @inline(__always)
    mutating func append(contentsOf bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBufferPointer { append(contentsOf: $0) }
    }

    /// Makes room for `n` bytes, counts them as written and returns where they
    /// start: the caller must store all `n`.
    @inline(__always)
    mutating func appendUninitialized(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if _slowPath(capacity &- count < n) { grow(n) }
        let start = base + count
        count &+= n
        return start
    }

    /// Drops what was written from `range.lowerBound` on (a member that printed nothing, a failure).
    @inline(__always)
    mutating func removeSubrange(_ range: PartialRangeFrom<Int>) {
        count = range.lowerBound
    }

    @inline(never)
    private mutating func grow(_ needed: Int) {
        var newCapacity = capacity &* 2
        while newCapacity &- count < needed { newCapacity &*= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.initialize(from: base, count: count)
        if ownsMemory { base.deallocate() }
        ownsMemory = true
        base = newBase
        capacity = newCapacity
    }
}
