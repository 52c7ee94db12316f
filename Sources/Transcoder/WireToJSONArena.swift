/// Owns the memory of the compiled plans. Plans are plain structs of
/// integers and pointers into this memory, so that reading them while
/// printing never touches a reference count. Written only while
/// ``WireToJSON`` compiles its plans, read-only afterwards (hence
/// `@unchecked Sendable`); freed with the converter.
final class WireToJSONArena: @unchecked Sendable {
    private var blocks: [UnsafeMutableRawPointer] = []

    init() {}

    /// A copy of `elements` in arena memory (`T` must be a trivial type).
    func copy<T>(_ elements: [T]) -> UnsafeBufferPointer<T> {
        guard !elements.isEmpty else { return UnsafeBufferPointer(start: nil, count: 0) }
        let memory = UnsafeMutablePointer<T>.allocate(capacity: elements.count)
        memory.initialize(from: elements, count: elements.count)
        blocks.append(UnsafeMutableRawPointer(memory))
        return UnsafeBufferPointer(start: memory, count: elements.count)
    }

    func bytes(_ text: [UInt8]) -> UnsafeBufferPointer<UInt8> { copy(text) }

    func bytes(_ text: String) -> UnsafeBufferPointer<UInt8> { copy(Array(text.utf8)) }

    deinit {
        for block in blocks { block.deallocate() }
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// The bytes as a String (error messages only).
    var string: String { String(decoding: self, as: UTF8.self) }
}
