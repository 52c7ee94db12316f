import Foundation
import NIOCore
import NIOPosix
import XCTest

@testable import Edge
@testable import EdgeCore
@testable import EdgeUpstream

/// ``UpstreamPool``'s streaming calls against a real grpcio (C-core) server
/// (`Tests/interop/python_backend.py`): full-duplex bidi, a mid-stream abort, and
/// backpressure both ways.
final class UpstreamStreamingPythonTests: XCTestCase {
    private var backend: PythonEchoBackend!
    private var group: MultiThreadedEventLoopGroup { self.backend.group }
    private var pool: UpstreamPool { self.backend.pool }

    override func setUpWithError() throws {
        self.backend = try PythonEchoBackend()
    }

    override func tearDown() {
        self.backend?.stop()
    }

    private func open(_ method: String, recorder: StreamRecorder, metadata: [(name: String, value: String)] = [], timeout: TimeAmount = .seconds(30)) -> StreamHandle {
        let head = UpstreamStreamHead(path: "/interop.Echo/\(method)", service: "interop.Echo", metadata: metadata, deadline: .now() + timeout)
        return StreamHandle.open(self.pool, head, policy: CallPolicy(maxResponseBytes: 4 << 20), on: self.group.next(), observer: recorder)
    }

    private func text(_ buffer: ByteBuffer) -> String { String(buffer: buffer) }

    func testBidiIsFullDuplex() throws {
        let recorder = StreamRecorder()
        let handle = open("Chat", recorder: recorder)
        let words = ["one", "two", "three", "four", "five"]
        for (index, word) in words.enumerated() {
            // The next message goes out only after the previous one's echo came back:
            // the response side is open while the request side still is.
            handle.onLoop { $0.send(ByteBuffer(string: word)) }
            XCTAssertTrue(recorder.waitForMessages(index + 1), "no echo of '\(word)'")
            XCTAssertEqual(recorder.messages.last.map(text), word)
            XCTAssertNil(recorder.end)
        }
        handle.onLoop { $0.finishSending() }
        let end = try XCTUnwrap(recorder.waitForEnd())
        XCTAssertEqual(end.status, GRPCStatus(code: .ok))
        XCTAssertEqual(recorder.messages.map(text), words)
        XCTAssertEqual(end.messagesReceived, words.count)
    }

    func testBidiEndsOKWithoutMessages() throws {
        let recorder = StreamRecorder()
        let handle = open("Chat", recorder: recorder)
        handle.onLoop { $0.finishSending() }
        XCTAssertEqual(recorder.waitForEnd()?.status, GRPCStatus(code: .ok))
        XCTAssertTrue(recorder.messages.isEmpty)
    }

    func testAbortAfterSomeMessages() throws {
        let recorder = StreamRecorder()
        let handle = open("Abort", recorder: recorder)
        handle.onLoop {
            $0.send(ByteBuffer(string: "3"))
            $0.finishSending()
        }
        let end = try XCTUnwrap(recorder.waitForEnd())
        XCTAssertEqual(end.status.code, .aborted)
        XCTAssertEqual(end.status.message, "aborted after the messages")
        XCTAssertEqual(end.trailers.first { $0.name == "x-reason" }?.value, "mid-stream")
        XCTAssertEqual(recorder.messages.map(text), ["message 0", "message 1", "message 2"])
        XCTAssertEqual(end.messagesReceived, 3)
    }

    func testAbortBeforeAnyMessageIsTrailersOnly() throws {
        let recorder = StreamRecorder()
        let handle = open("Abort", recorder: recorder)
        handle.onLoop {
            $0.send(ByteBuffer(string: "0"))
            $0.finishSending()
        }
        let end = try XCTUnwrap(recorder.waitForEnd())
        XCTAssertEqual(end.status.code, .aborted)
        XCTAssertEqual(end.trailers.first { $0.name == "x-reason" }?.value, "mid-stream")
        XCTAssertFalse(recorder.events.contains("headers"), "a trailers-only answer has no separate headers")
    }

    func testManyMessagesSplitAcrossFrames() throws {
        // 300 messages of 100 000 bytes: each spans several DATA frames.
        let recorder = StreamRecorder()
        recorder.keepMessages = false
        let handle = open("Flood", recorder: recorder)
        handle.onLoop {
            $0.send(ByteBuffer(string: "300 100000"))
            $0.finishSending()
        }
        let end = try XCTUnwrap(recorder.waitForEnd())
        XCTAssertEqual(end.status.code, .ok)
        XCTAssertEqual(end.messagesReceived, 300)
        XCTAssertEqual(recorder.bytesReceived, 30_000_000)
    }

    /// A 200 MB flood read with the reading paused at the first message: nothing more is
    /// delivered while paused (what NIO already read stays in the call, see
    /// `UpstreamStreamingCallPauseTests`), HTTP/2 flow control holds the backend to about one
    /// stream window (8 MiB by default); resuming reads the rest.
    func testPausedReadingThrottlesTheBackend() throws {
        let recorder = StreamRecorder()
        recorder.keepMessages = false
        let count = 200
        let size = 1 << 20
        let handle = open("Flood", recorder: recorder)
        recorder.onMessage = { [control = UncheckedBox(handle.control)] _ in
            // On the loop, at the first message.
            control.value.pauseReading()
        }
        handle.onLoop {
            $0.send(ByteBuffer(string: "\(count) \(size)"))
            $0.finishSending()
        }
        XCTAssertTrue(recorder.waitForMessages(1))
        handle.onLoop { _ in recorder.onMessage = nil }
        // Give the backend ample time to send everything if nothing held it back.
        _ = recorder.wait(timeout: 3) { false }
        let whilePaused = recorder.bytesReceived
        XCTAssertNil(recorder.end, "the flood ended while reading was paused")
        XCTAssertEqual(whilePaused, size, "only the message that paused the call was delivered")
        print("UpstreamStreamingPythonTests: \(whilePaused) bytes delivered while paused (of \(count * size))")

        handle.onLoop { $0.resumeReading() }
        let end = try XCTUnwrap(recorder.waitForEnd(timeout: 60))
        XCTAssertEqual(end.status.code, .ok)
        XCTAssertEqual(end.messagesReceived, count)
        XCTAssertEqual(recorder.bytesReceived, count * size)
    }

    /// A backend that does not read yet: the request side stops being writable once the
    /// HTTP/2 windows are full, and becomes writable again when the backend reads.
    func testRequestWritabilityFollowsFlowControl() throws {
        let recorder = StreamRecorder()
        // The backend starts reading after 30 s: long enough for the sends below to fill the
        // windows even on a loaded machine (with 5 s, and once with 12 s beside a fuzzing run,
        // a slow run kept writing while it read).
        let handle = open("Sink", recorder: recorder, metadata: [("x-sink-delay-ms", "30000")], timeout: .seconds(90))
        let message = ByteBuffer(repeating: 7, count: 1 << 20)
        var sent = 0
        var sawUnwritable = false
        while sent < 64 {
            sent += 1
            let writable = handle.onLoop { control -> Bool in
                control.send(message)
                return control.isWritable
            }
            if !writable {
                sawUnwritable = true
                break
            }
        }
        XCTAssertTrue(sawUnwritable, "the stream stayed writable after \(sent) MiB to a backend that does not read")
        // A change to unwritable was reported (on a loaded machine it can be followed by a
        // short writable spell while frames move to the connection's buffer: do not insist
        // that it is the last change).
        XCTAssertTrue(recorder.wait(timeout: 30) { recorder.writabilityChangesUnlocked.contains(false) }, "writability changes: \(recorder.writabilityChanges)")
        XCTAssertTrue(recorder.wait(timeout: 60) { self.lastWritability(recorder) == true }, "writable again once the backend reads")
        handle.onLoop { $0.finishSending() }
        let end = try XCTUnwrap(recorder.waitForEnd(timeout: 60))
        XCTAssertEqual(end.status.code, .ok)
        XCTAssertEqual(recorder.messages.first.map(text), "\(sent << 20)")
    }

    /// Called under the recorder's lock (from `wait`), so reads the raw state through a
    /// snapshot taken outside of it: see `StreamRecorder.writabilityChangesUnlocked`.
    private func lastWritability(_ recorder: StreamRecorder) -> Bool? {
        recorder.writabilityChangesUnlocked.last
    }

    func testDeadlineMidStream() throws {
        let recorder = StreamRecorder()
        recorder.keepMessages = false
        let handle = open("Chat", recorder: recorder, timeout: .milliseconds(1500))
        handle.onLoop { $0.send(ByteBuffer(string: "hello")) }
        let end = try XCTUnwrap(recorder.waitForEnd())
        XCTAssertEqual(end.status.code, .deadlineExceeded)
        XCTAssertEqual(end.messagesReceived, 1)
    }
}
