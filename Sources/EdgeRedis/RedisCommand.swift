import NIOCore

/// A command encoded once as a RESP array of bulk strings, ready to write.
public struct RedisCommand: Sendable, Equatable {
    public private(set) var encoded: ByteBuffer

    /// `RedisCommand(["SET", "k", "v"])`.
    public init(_ arguments: [String]) {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(16 + arguments.reduce(0) { $0 + $1.utf8.count + 16 })
        buffer.writeStaticString("*")
        buffer.writeString(String(arguments.count))
        buffer.writeStaticString("\r\n")
        for argument in arguments {
            buffer.writeStaticString("$")
            buffer.writeString(String(argument.utf8.count))
            buffer.writeStaticString("\r\n")
            buffer.writeString(argument)
            buffer.writeStaticString("\r\n")
        }
        self.encoded = buffer
    }

    public init(_ arguments: String...) { self.init(arguments) }

    /// Binary arguments.
    public init(buffers arguments: [ByteBuffer]) {
        var buffer = ByteBuffer()
        buffer.writeStaticString("*")
        buffer.writeString(String(arguments.count))
        buffer.writeStaticString("\r\n")
        for var argument in arguments {
            buffer.writeStaticString("$")
            buffer.writeString(String(argument.readableBytes))
            buffer.writeStaticString("\r\n")
            buffer.writeBuffer(&argument)
            buffer.writeStaticString("\r\n")
        }
        self.encoded = buffer
    }
}
