import Synchronization

/// The shared, thread-safe home of one `BookstoreState`: every read and write runs under one
/// lock, so a mutation that throws (all-or-nothing batches, validation) changes nothing.
@available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
final class BookstoreDatabase: Sendable {
    private let state: Mutex<BookstoreState>

    init(_ initial: BookstoreState = BookstoreSeed.state()) {
        self.state = Mutex(initial)
    }

    /// Reads the state.
    func read<Result: Sendable, Failure: Error>(
        _ body: (BookstoreState) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try state.withLock { state throws(Failure) -> Result in try body(state) }
    }

    /// Changes the state atomically: `body` works on a copy that replaces the state only if
    /// `body` returns.
    func write<Result: Sendable, Failure: Error>(
        _ body: (inout BookstoreState) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try state.withLock { state throws(Failure) -> Result in
            var draft = state
            let result = try body(&draft)
            state = draft
            return result
        }
    }
}
