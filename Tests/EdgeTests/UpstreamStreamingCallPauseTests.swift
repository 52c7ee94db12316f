import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import XCTest

@testable import Edge
@testable import EdgeUpstream

/// ``UpstreamStreamingCall`` with reading paused: NIO hands over every frame it had
/// buffered when a read was asked for, even after `autoRead` went off (after a long
/// pause that is the whole stream window, megabytes). None of it may reach the observer
/// before ``UpstreamStreamingCall/resumeReading()``, else a slow client's connection gets
/// it all written to it at once; the stream's end waits behind the held messages.
final class UpstreamStreamingCallPauseTests: XCTestCase {
    private var channel: EmbeddedChannel!
    private var call: UpstreamStreamingCall!
    private var observer: PausingObserver!

    override func setUpWithError() throws {
        self.channel = EmbeddedChannel()
        self.observer = PausingObserver()
        self.call = UpstreamStreamingCall(
            head: UpstreamStreamHead(path: "/demo.S/M", service: "demo.S", metadata: [], deadline: .distantFuture),
            policy: CallPolicy(), eventLoop: self.channel.eventLoop, observer: self.observer)
        self.observer.control = self.call
        try self.channel.pipeline.syncOperations.addHandler(self.call)
        try self.channel.writeInbound(HTTP2Frame.FramePayload.headers(.init(headers: [":status": "200", "content-type": "application/grpc"])))
    }

    override func tearDown() {
        _ = try? self.channel.finish()
    }

    func testMessagesArrivingWhilePausedWaitForResume() throws {
        // One DATA frame with three messages: the first pauses the call, the others wait.
        try self.channel.writeInbound(Self.data(messages: ["m0", "m1", "m2"]))
        XCTAssertEqual(self.observer.messages, ["m0"])
        // More frames and the trailers arrive while paused: nothing is delivered.
        try self.channel.writeInbound(Self.data(messages: ["m3", "m4"]))
        try self.channel.writeInbound(HTTP2Frame.FramePayload.headers(.init(headers: ["grpc-status": "0"], endStream: true)))
        // NIO closes the stream once both sides ended: the held end still comes, after the messages.
        self.channel.pipeline.fireChannelInactive()
        self.channel.embeddedEventLoop.run()
        XCTAssertEqual(self.observer.messages, ["m0"])
        XCTAssertNil(self.observer.end)

        // Each resume delivers one message (the observer pauses again), then the end.
        for expected in 2...5 {
            self.call.resumeReading()
            XCTAssertEqual(self.observer.messages.count, expected)
            XCTAssertNil(self.observer.end)
        }
        XCTAssertEqual(self.observer.messages, ["m0", "m1", "m2", "m3", "m4"])
        self.call.resumeReading()
        self.channel.embeddedEventLoop.run()
        let end = try XCTUnwrap(self.observer.end)
        XCTAssertEqual(end.status.code, .ok)
        XCTAssertEqual(end.messagesReceived, 5)
    }

    func testEndOfStreamOnDataWhilePausedComesAfterTheMessages() throws {
        try self.channel.writeInbound(Self.data(messages: ["m0", "m1"], endStream: true))
        self.channel.embeddedEventLoop.run()
        XCTAssertEqual(self.observer.messages, ["m0"])
        XCTAssertNil(self.observer.end)

        self.observer.pauseOnMessage = false
        self.call.resumeReading()
        self.channel.embeddedEventLoop.run()
        XCTAssertEqual(self.observer.messages, ["m0", "m1"])
        // A stream without trailers ends as such, not as one cut inside a message.
        let end = try XCTUnwrap(self.observer.end)
        XCTAssertEqual(end.status.message, "upstream response ended without grpc-status")
    }

    func testUnpausedCallDeliversEverythingAtOnce() throws {
        self.observer.pauseOnMessage = false
        try self.channel.writeInbound(Self.data(messages: ["m0", "m1", "m2"]))
        try self.channel.writeInbound(HTTP2Frame.FramePayload.headers(.init(headers: ["grpc-status": "0"], endStream: true)))
        self.channel.embeddedEventLoop.run()
        XCTAssertEqual(self.observer.messages, ["m0", "m1", "m2"])
        XCTAssertEqual(self.observer.end?.status.code, .ok)
    }

    private static func data(messages: [String], endStream: Bool = false) -> HTTP2Frame.FramePayload {
        var buffer = ByteBuffer()
        for message in messages {
            buffer.writeInteger(UInt8(0))
            buffer.writeInteger(UInt32(message.utf8.count))
            buffer.writeString(message)
        }
        return .data(.init(data: .byteBuffer(buffer), endStream: endStream))
    }
}

/// Records what the call delivers; like ``StreamingExchange`` with a client that is never
/// writable, it pauses the call at every message.
private final class PausingObserver: UpstreamStreamObserver {
    weak var control: UpstreamStreamingCall?
    var pauseOnMessage = true
    var messages: [String] = []
    var end: UpstreamStreamEnd?

    func upstreamReceivedHeaders(_ headers: [(name: String, value: String)]) {}

    func upstreamReceivedMessage(_ message: ByteBuffer) {
        self.messages.append(String(buffer: message))
        if self.pauseOnMessage { self.control?.pauseReading() }
    }

    func upstreamFinished(_ end: UpstreamStreamEnd) {
        self.end = end
    }

    func upstreamWritabilityChanged(_ isWritable: Bool) {}
}
