import NIOCore

/// The channel side of ``RESPParser``: cumulates bytes and emits one ``RESPValue`` per reply.
final class RESPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = RESPValue
    private let parser: RESPParser

    init(limits: RESPLimits) {
        self.parser = RESPParser(limits: limits)
    }

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        do {
            guard let value = try parser.parse(&buffer) else { return .needMoreData }
            context.fireChannelRead(Self.wrapInboundOut(value))
            return .continue
        } catch let error as RESPParseError {
            throw RedisError.protocolError(error)
        }
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}
