import NIOCore

/// The 5-byte header of a gRPC length-prefixed message: a compressed flag (always 0
/// here: the edge negotiates no compression) and the message length, big-endian.
package enum GRPCFrame {
    package static let headerLength = 5

    /// `message` with its frame header in front.
    ///
    /// When the 5 bytes just before `message`'s readable bytes already hold that header
    /// (``SchemaTranscoder`` writes it there), the result shares `message`'s storage: no
    /// allocation, no copy. Otherwise the message is copied into a new framed buffer.
    package static func framed(_ message: ByteBuffer) -> ByteBuffer {
        let length = message.readableBytes
        if message.readerIndex >= headerLength, length <= Int(UInt32.max) {
            var candidate = message
            candidate.moveReaderIndex(to: message.readerIndex - headerLength)
            if candidate.getInteger(at: candidate.readerIndex, as: UInt8.self) == 0,
                candidate.getInteger(at: candidate.readerIndex + 1, as: UInt32.self) == UInt32(length)
            {
                return candidate
            }
        }
        var framed = ByteBufferAllocator().buffer(capacity: headerLength + length)
        framed.writeInteger(UInt8(0))
        framed.writeInteger(UInt32(truncatingIfNeeded: length))
        framed.writeImmutableBuffer(message)
        return framed
    }
}
