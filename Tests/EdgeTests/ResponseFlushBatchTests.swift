import NIOCore
import NIOEmbedded
import XCTest

@testable import Edge
@testable import EdgeTLS

/// Responses written on one loop go out together when the loop has finished its
/// current work, not one by one (see ``ResponseFlushBatch``).
final class ResponseFlushBatchTests: XCTestCase {
    func testWritesWaitForTheLoopThenAllGoOut() throws {
        let loop = EmbeddedEventLoop()
        let first = EmbeddedChannel(loop: loop)
        let second = EmbeddedChannel(loop: loop)
        defer {
            _ = try? first.finish()
            _ = try? second.finish()
        }
        let batch = ResponseFlushBatch(eventLoop: loop)

        try first.writeOutbound(ByteBuffer(string: "unflushed-check"))  // writeOutbound flushes: take it off
        XCTAssertEqual(try first.readOutbound(as: ByteBuffer.self), ByteBuffer(string: "unflushed-check"))

        first.write(ByteBuffer(string: "one"), promise: nil)
        batch.flushSoon(first)
        second.write(ByteBuffer(string: "two"), promise: nil)
        batch.flushSoon(second)
        XCTAssertEqual(batch.pendingCount, 2)
        XCTAssertNil(try first.readOutbound(as: ByteBuffer.self), "not flushed before the loop runs its tasks")
        XCTAssertNil(try second.readOutbound(as: ByteBuffer.self))

        loop.run()
        XCTAssertEqual(try first.readOutbound(as: ByteBuffer.self), ByteBuffer(string: "one"))
        XCTAssertEqual(try second.readOutbound(as: ByteBuffer.self), ByteBuffer(string: "two"))
        XCTAssertEqual(batch.pendingCount, 0)
    }

    func testAFlushThatLeadsToAnotherResponseStartsTheNextBatch() throws {
        let loop = EmbeddedEventLoop()
        let channel = EmbeddedChannel(loop: loop)
        defer { _ = try? channel.finish() }
        let batch = ResponseFlushBatch(eventLoop: loop)
        // A handler that answers a second (pipelined) request when the first answer is flushed.
        let answering = AnswerOnFlush(batch: batch)
        try channel.pipeline.syncOperations.addHandler(answering)

        channel.write(ByteBuffer(string: "first"), promise: nil)
        batch.flushSoon(channel)
        loop.run()
        XCTAssertEqual(try channel.readOutbound(as: ByteBuffer.self), ByteBuffer(string: "first"))
        XCTAssertEqual(try channel.readOutbound(as: ByteBuffer.self), ByteBuffer(string: "second"))
        XCTAssertEqual(answering.flushes, 2)
        XCTAssertEqual(batch.pendingCount, 0)
    }

    func testAClosedChannelInTheBatchIsSkipped() throws {
        let loop = EmbeddedEventLoop()
        let open = EmbeddedChannel(loop: loop)
        let closed = EmbeddedChannel(loop: loop)
        defer { _ = try? open.finish() }
        let batch = ResponseFlushBatch(eventLoop: loop)
        closed.write(ByteBuffer(string: "lost"), promise: nil)
        batch.flushSoon(closed)
        open.write(ByteBuffer(string: "kept"), promise: nil)
        batch.flushSoon(open)
        _ = try closed.finish(acceptAlreadyClosed: true)
        loop.run()
        XCTAssertEqual(try open.readOutbound(as: ByteBuffer.self), ByteBuffer(string: "kept"))
    }
}

private final class AnswerOnFlush: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    let batch: ResponseFlushBatch
    var flushes = 0
    init(batch: ResponseFlushBatch) { self.batch = batch }

    func flush(context: ChannelHandlerContext) {
        flushes += 1
        context.flush()
        if flushes == 1 {
            context.write(NIOAny(ByteBuffer(string: "second")), promise: nil)
            batch.flushSoon(context.channel)
        }
    }
}
