/// Splits a streamed request body into its top-level JSON values, incrementally:
/// bytes go in as they arrive (chunks cut anywhere, even inside a string or an
/// escape), each complete value comes out as soon as its last byte is in.
///
/// Two framings:
/// - ``Framing/lines``: a sequence of values separated by white space, e.g.
///   newline-delimited JSON (`application/x-ndjson`); blank lines are skipped.
/// - ``Framing/array``: one top-level array, each element a value
///   (`[{…}, {…}]`); nothing but white space may follow the closing `]`.
/// - ``Framing/automatic``: ``Framing/array`` when the first non-space byte is
///   `[`, else ``Framing/lines`` (`application/json`: an array of messages, or
///   one message).
///
/// An empty body (no bytes) has no values in every framing. A body of white space
/// alone has none as ``Framing/lines`` (blank lines), but is refused as
/// ``Framing/array`` and ``Framing/automatic``: it is not a JSON text (RFC 8259), and
/// a JSON stream of no values is `[]`.
///
/// The splitter only finds where values begin and end (strings, escapes and
/// bracket nesting); the values themselves are checked by whoever parses them.
/// Memory: an element wholly inside one chunk is handed out without a copy; an
/// element cut by a chunk boundary is kept until it completes, and is refused
/// beyond ``maxElementBytes``.
public struct JSONStreamSplitter: Sendable {
    public enum Framing: Sendable, Equatable {
        case lines
        case array
        case automatic
    }

    /// Why the body cannot be split; ``element`` is the 0-based index of the value concerned.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public let element: Int
        public let reason: String

        public init(element: Int, reason: String) {
            self.element = element
            self.reason = reason
        }

        public var description: String { "request stream element \(element): \(reason)" }
    }

    private enum Phase: Sendable, Equatable {
        /// Nothing but white space seen yet (``Framing/automatic`` and ``Framing/array``).
        case start
        /// Between values; `afterComma` inside an array after a `,`.
        case beforeValue(afterComma: Bool)
        case inValue
        /// An array element ended; a `,` or `]` must follow.
        case afterElement
        /// The array was closed.
        case closed
    }

    public let maxElementBytes: Int
    /// Values handed out so far.
    public private(set) var elementCount = 0
    private var framing: Framing
    private var phase: Phase = .start
    /// The closing brackets expected, innermost last.
    private var closers: [UInt8] = []
    private var inString = false
    private var escaped = false
    /// The value is a bare number or literal (`12`, `true`): it ends at a delimiter.
    private var bare = false
    /// The start of a value cut by a chunk boundary.
    private var pending: [UInt8] = []
    /// White space came before the first value (or the end).
    private var leadingSpace = false

    public init(framing: Framing, maxElementBytes: Int = 4 << 20) {
        self.framing = framing
        self.maxElementBytes = maxElementBytes
    }

    /// Feeds the next chunk; `emit` gets each value completed by it, in order (its
    /// bytes are valid only during the call). Errors thrown by `emit` propagate.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        var index = 0
        var start = 0
        let count = chunk.count
        while index < count {
            let byte = chunk[index]
            switch phase {
            case .start:
                if Self.isSpace(byte) {
                    leadingSpace = true
                    index += 1
                    continue
                }
                if framing == .automatic { framing = byte == UInt8(ascii: "[") ? .array : .lines }
                if framing == .array {
                    guard byte == UInt8(ascii: "[") else { throw failure("expected a JSON array, found \(Self.show(byte))") }
                    phase = .beforeValue(afterComma: false)
                    index += 1
                } else {
                    phase = .beforeValue(afterComma: false)
                }
            case .beforeValue(let afterComma):
                if Self.isSpace(byte) { index += 1; continue }
                if framing == .array, byte == UInt8(ascii: "]") {
                    if afterComma { throw failure("expected a value after ',', found ']'") }
                    phase = .closed
                    index += 1
                    continue
                }
                switch byte {
                case UInt8(ascii: "{"): closers = [UInt8(ascii: "}")]
                case UInt8(ascii: "["): closers = [UInt8(ascii: "]")]
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: ":"):
                    throw failure("unexpected \(Self.show(byte))")
                default: bare = true
                }
                phase = .inValue
                start = index
                index += 1
            case .inValue:
                if bare {
                    if Self.endsBareValue(byte) {
                        try complete(chunk, from: start, to: index, emit: emit)
                    } else {
                        index += 1
                    }
                } else if inString {
                    index += 1
                    if escaped {
                        escaped = false
                    } else if byte == UInt8(ascii: "\\") {
                        escaped = true
                    } else if byte == UInt8(ascii: "\"") {
                        inString = false
                        if closers.isEmpty { try complete(chunk, from: start, to: index, emit: emit) }
                    }
                } else {
                    index += 1
                    switch byte {
                    case UInt8(ascii: "\""): inString = true
                    case UInt8(ascii: "{"): closers.append(UInt8(ascii: "}"))
                    case UInt8(ascii: "["): closers.append(UInt8(ascii: "]"))
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        guard closers.last == byte else {
                            throw failure("unbalanced \(Self.show(byte))" + (closers.last.map { ", expected \(Self.show($0))" } ?? ""))
                        }
                        closers.removeLast()
                        if closers.isEmpty { try complete(chunk, from: start, to: index, emit: emit) }
                    default: break
                    }
                }
            case .afterElement:
                if Self.isSpace(byte) { index += 1; continue }
                if byte == UInt8(ascii: ",") {
                    phase = .beforeValue(afterComma: true)
                } else if byte == UInt8(ascii: "]") {
                    phase = .closed
                } else {
                    throw failure("expected ',' or ']' after the element, found \(Self.show(byte))", element: elementCount - 1)
                }
                index += 1
            case .closed:
                if Self.isSpace(byte) { index += 1; continue }
                throw failure("data after the end of the array: \(Self.show(byte))")
            }
        }
        if phase == .inValue {
            guard pending.count + (count - start) <= maxElementBytes else {
                throw failure("larger than \(maxElementBytes) bytes")
            }
            pending.append(contentsOf: chunk[start..<count])
        }
    }

    /// The body ended: hands out a last bare value, or fails if a value or the array is unfinished.
    public mutating func finish(emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        switch phase {
        case .start:
            if leadingSpace, framing != .lines {
                throw failure("the body is only white space, not JSON (a stream of no messages is `[]`)")
            }
        case .closed:
            return
        case .beforeValue(let afterComma):
            if framing == .array {
                throw failure(afterComma ? "truncated: the body ended after ','" : "truncated: the array is not closed")
            }
        case .afterElement:
            throw failure("truncated: the array is not closed", element: elementCount - 1)
        case .inValue:
            guard bare, framing != .array else { throw failure("truncated: the body ended inside the element") }
            let value = pending
            pending = []
            try value.withUnsafeBytes { try emit($0) }
            ended()
        }
    }

    // MARK: - Private

    private mutating func complete(
        _ chunk: UnsafeRawBufferPointer, from start: Int, to end: Int, emit: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        if pending.isEmpty {
            guard end - start <= maxElementBytes else { throw failure("larger than \(maxElementBytes) bytes") }
            try emit(UnsafeRawBufferPointer(rebasing: chunk[start..<end]))
        } else {
            guard pending.count + (end - start) <= maxElementBytes else { throw failure("larger than \(maxElementBytes) bytes") }
            pending.append(contentsOf: chunk[start..<end])
            try pending.withUnsafeBytes { try emit($0) }
            pending.removeAll(keepingCapacity: pending.capacity <= 64 << 10)
        }
        ended()
    }

    private mutating func ended() {
        elementCount += 1
        bare = false
        inString = false
        escaped = false
        closers.removeAll(keepingCapacity: true)
        phase = framing == .array ? .afterElement : .beforeValue(afterComma: false)
    }

    private func failure(_ reason: String, element: Int? = nil) -> Failure {
        Failure(element: element ?? elementCount, reason: reason)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// White space and structural characters end a bare number or literal.
    private static func endsBareValue(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x20, 0x0A, 0x0D, 0x09, UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"),
            UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "\""):
            return true
        default:
            return false
        }
    }

    private static func show(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x" + String(byte, radix: 16)
    }
}
