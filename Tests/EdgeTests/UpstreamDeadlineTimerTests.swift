import NIOCore
import NIOEmbedded
import XCTest

@testable import Edge
@testable import EdgeUpstream

final class UpstreamDeadlineTimerTests: XCTestCase {
    private final class Call: UpstreamDeadlineWatched {
        let deadline: NIODeadline
        var deadlineSlot = -1
        var expired = 0
        var onExpiry: (() -> Void)?
        init(_ deadline: NIODeadline) { self.deadline = deadline }
        func deadlineExpired() {
            self.expired += 1
            self.onExpiry?()
        }
    }

    private var loop: EmbeddedEventLoop!
    private var timer: UpstreamDeadlineTimer<Call>!

    override func setUp() {
        self.loop = EmbeddedEventLoop()
        self.timer = UpstreamDeadlineTimer(eventLoop: self.loop)
    }

    override func tearDown() {
        XCTAssertNoThrow(try self.loop.syncShutdownGracefully())
    }

    private func at(_ milliseconds: Int64) -> NIODeadline {
        self.loop.now + .milliseconds(milliseconds)
    }

    func testExpiresEachCallAtItsOwnDeadline() {
        let late = Call(self.at(300))
        let early = Call(self.at(100))
        let middle = Call(self.at(200))
        for call in [late, early, middle] { self.timer.watch(call) }

        self.loop.advanceTime(by: .milliseconds(99))
        XCTAssertEqual([late.expired, early.expired, middle.expired], [0, 0, 0])
        self.loop.advanceTime(by: .milliseconds(1))
        XCTAssertEqual([late.expired, early.expired, middle.expired], [0, 1, 0])
        self.loop.advanceTime(by: .milliseconds(100))
        XCTAssertEqual([late.expired, early.expired, middle.expired], [0, 1, 1])
        self.loop.advanceTime(by: .milliseconds(100))
        XCTAssertEqual([late.expired, early.expired, middle.expired], [1, 1, 1])
        XCTAssertEqual(self.timer.count, 0)
        XCTAssertEqual(late.deadlineSlot, -1)
    }

    func testUnwatchedCallsNeverExpire() {
        let calls = (1...5).map { Call(self.at(Int64($0) * 10)) }
        for call in calls { self.timer.watch(call) }
        // Remove from the middle, the end and the front: the others keep their slots right.
        for index in [2, 4, 0] { self.timer.unwatch(calls[index]) }
        self.timer.unwatch(calls[2])  // twice: no-op
        XCTAssertEqual(self.timer.count, 2)
        self.loop.advanceTime(by: .seconds(1))
        XCTAssertEqual(calls.map(\.expired), [0, 1, 0, 1, 0])
        XCTAssertEqual(self.timer.count, 0)
    }

    func testTimerArmedForAFinishedCallReArmsForTheRest() {
        // The first call finishes before its deadline; the timer it armed fires anyway and
        // must then watch the later call.
        let first = Call(self.at(50))
        let second = Call(self.at(500))
        self.timer.watch(first)
        self.timer.watch(second)
        self.timer.unwatch(first)
        self.loop.advanceTime(by: .milliseconds(50))
        XCTAssertEqual(second.expired, 0)
        self.loop.advanceTime(by: .milliseconds(450))
        XCTAssertEqual(second.expired, 1)
        XCTAssertEqual(first.expired, 0)
    }

    func testEarlierDeadlineReArmsTheTimer() {
        let late = Call(self.at(1000))
        self.timer.watch(late)
        let early = Call(self.at(10))
        self.timer.watch(early)
        self.loop.advanceTime(by: .milliseconds(10))
        XCTAssertEqual(early.expired, 1)
        XCTAssertEqual(late.expired, 0)
    }

    func testATimerArmedWhenItsOwnerIsGoneDoesNothing() {
        // A reload drops the old pool while its timer is still armed for a finished call.
        let call = Call(self.at(10))
        self.timer.watch(call)
        self.timer.unwatch(call)
        weak let gone = self.timer
        self.timer = nil
        XCTAssertNil(gone)
        self.loop.advanceTime(by: .milliseconds(10))
        XCTAssertEqual(call.expired, 0)
    }

    func testACallWatchedWhileExpiringIsWatchedToo() {
        // An expiring call can make its caller start the next one at once.
        let first = Call(self.at(10))
        let next = Call(self.at(40))
        first.onExpiry = { [timer = self.timer!] in timer.watch(next) }
        self.timer.watch(first)
        self.loop.advanceTime(by: .milliseconds(10))
        XCTAssertEqual(first.expired, 1)
        XCTAssertEqual(self.timer.count, 1)
        self.loop.advanceTime(by: .milliseconds(30))
        XCTAssertEqual(next.expired, 1)
        XCTAssertEqual(self.timer.count, 0)
    }
}
