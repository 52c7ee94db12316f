import NIOCore

/// Commands sent and waiting for their replies, in order, each with its deadline. Pure bookkeeping
/// shared by the connection (commands buffered while connecting) and its handler (commands on the wire).
///
/// A command that times out is failed at once but keeps its place (its reply target dropped) so that
/// the reply that may still come is matched to it and discarded, never to the next command.
struct RedisPendingCommands {
    struct Entry {
        var command: ByteBuffer?
        /// `nil` once the command timed out (its late reply is discarded).
        var target: RedisReplyTarget?
        var deadline: NIODeadline
        var sentAt: NIODeadline
    }

    private(set) var entries = CircularBuffer<Entry>(initialCapacity: 16)

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }

    mutating func append(_ entry: Entry) { entries.append(entry) }

    mutating func popFirst() -> Entry? { entries.popFirst() }

    mutating func removeAll() -> CircularBuffer<Entry> {
        let all = entries
        entries.removeAll(keepingCapacity: true)
        return all
    }

    /// Drops the targets of every command whose deadline has passed and returns them to fail.
    mutating func expire(now: NIODeadline) -> [RedisReplyTarget] {
        var expired: [RedisReplyTarget] = []
        for index in entries.indices {
            guard let target = entries[index].target, entries[index].deadline <= now else { continue }
            expired.append(target)
            entries[index].target = nil
        }
        return expired
    }

    /// The earliest deadline among commands still waiting for an answer.
    var nextDeadline: NIODeadline? {
        var earliest: NIODeadline?
        for entry in entries where entry.target != nil {
            if earliest == nil || entry.deadline < earliest! { earliest = entry.deadline }
        }
        return earliest
    }

    /// When the oldest command went out (stalled connections are closed from it).
    var oldestSentAt: NIODeadline? { entries.first?.sentAt }
}
