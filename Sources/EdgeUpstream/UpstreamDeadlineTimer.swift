import NIOCore

/// Something with a deadline that ``UpstreamDeadlineTimer`` watches.
package protocol UpstreamDeadlineWatched: AnyObject {
    var deadline: NIODeadline { get }
    /// Where the timer keeps it; -1 when not watched. Only the timer writes it.
    var deadlineSlot: Int { get set }
    /// Called on the timer's loop once the deadline has passed (after it was unwatched).
    func deadlineExpired()
}

/// The deadlines of the unary calls in flight on one event loop, behind one NIO timer.
///
/// A NIO timer per call costs a scheduled task, a promise and two trips through the
/// loop's task-queue lock (schedule, then cancel when the answer comes first, which is
/// nearly always). Here a call costs an append and a swap-remove in an array. The one
/// timer is armed for the earliest deadline and is not disarmed when calls finish:
/// when it fires it expires what is due and re-arms for the earliest remaining deadline.
/// Calls are short next to their deadlines, so under load it fires about once per
/// timeout (e.g. every 30 s) and then scans the calls in flight.
///
/// Confined to `eventLoop`.
package final class UpstreamDeadlineTimer<Watched: UpstreamDeadlineWatched> {
    private let eventLoop: EventLoop
    private var watched: [Watched] = []
    private var timer: Scheduled<Void>?
    private var armedFor: NIODeadline = .distantFuture

    package init(eventLoop: EventLoop) {
        self.eventLoop = eventLoop
    }

    /// How many deadlines are watched (tests).
    package var count: Int { self.watched.count }

    /// Starts watching `item`, whose deadline must be in the future and not `.distantFuture`.
    package func watch(_ item: Watched) {
        self.eventLoop.assertInEventLoop()
        precondition(item.deadlineSlot == -1, "already watched")
        item.deadlineSlot = self.watched.count
        self.watched.append(item)
        if item.deadline < self.armedFor {
            self.arm(item.deadline)
        }
    }

    /// Stops watching `item` (a no-op when it is not watched).
    package func unwatch(_ item: Watched) {
        let slot = item.deadlineSlot
        guard slot >= 0 else { return }
        item.deadlineSlot = -1
        let last = self.watched.removeLast()
        if slot < self.watched.count {
            self.watched[slot] = last
            last.deadlineSlot = slot
        }
    }

    private func arm(_ deadline: NIODeadline) {
        self.timer?.cancel()
        self.armedFor = deadline
        // Weak: the timer stays armed after its calls finish and may outlive its pool (a
        // reload drops the old pool); in-flight calls keep their pool, hence this timer, alive.
        self.timer = self.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [weak self] in
            self?.fired()
        }
    }

    private func fired() {
        self.timer = nil
        self.armedFor = .distantFuture
        let now = self.eventLoop.now
        var due: [Watched] = []
        var index = 0
        while index < self.watched.count {
            let item = self.watched[index]
            if item.deadline <= now {
                self.unwatch(item)  // moves the last item into `index`: look at it next
                due.append(item)
            } else {
                index += 1
            }
        }
        // Expiring a call may start another (which may arm the timer): unwatch first, then
        // expire, then arm for whatever is left.
        for item in due { item.deadlineExpired() }
        var earliest = NIODeadline.distantFuture
        for item in self.watched where item.deadline < earliest { earliest = item.deadline }
        if earliest < self.armedFor {
            self.arm(earliest)
        }
    }
}
