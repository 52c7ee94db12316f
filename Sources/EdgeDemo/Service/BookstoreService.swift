import GRPCCore
import GRPCProtobuf
import SwiftProtobuf

/// The demo bookstore's gRPC service: each method decodes its request into one
/// `BookstoreDatabase` operation; errors are `GoogleRPCStatus` values (see `DemoError`).
@available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
struct BookstoreService: Demo_Bookstore_V1_Bookstore.ServiceProtocol {
    typealias Request<Message: Sendable> = ServerRequest<Message>
    typealias Response<Message: Sendable> = ServerResponse<Message>

    /// The longest Sleep accepted.
    static let maxSleep: Duration = .seconds(60)

    let database: BookstoreDatabase

    init(database: BookstoreDatabase = BookstoreDatabase()) {
        self.database = database
    }

    // MARK: Shelves

    func listShelves(
        request: Request<Demo_Bookstore_V1_ListShelvesRequest>,
        context: ServerContext
    ) async throws -> Response<Demo_Bookstore_V1_ListShelvesResponse> {
        let shelves = database.read { $0.listShelves() }
        return Response(message: .with { $0.shelves = shelves })
    }

    func createShelf(
        request: Request<Demo_Bookstore_V1_CreateShelfRequest>,
        context: ServerContext
    ) async throws -> Response<Demo_Bookstore_V1_Shelf> {
        let message = request.message
        let now = DemoTime.now()
        return Response(message: try database.write { try $0.createShelf(theme: message.theme, labels: message.labels, now: now) })
    }

    func getShelf(
        request: Request<Demo_Bookstore_V1_GetShelfRequest>,
        context: ServerContext
    ) async throws -> Response<Demo_Bookstore_V1_Shelf> {
        let id = request.message.shelf
        return Response(message: try database.read { state throws(GoogleRPCStatus) in try state.shelf(id) })
    }

    func deleteShelf(
        request: Request<Demo_Bookstore_V1_DeleteShelfRequest>,
        context: ServerContext
    ) async throws -> Response<Google_Protobuf_Empty> {
        let message = request.message
        try database.write { state throws(GoogleRPCStatus) in try state.deleteShelf(message.shelf, force: message.force) }
        return Response(message: Google_Protobuf_Empty())
    }

    // MARK: Books

    func listBooks(
        request: Request<Demo_Bookstore_V1_ListBooksRequest>,
        context: ServerContext
    ) async throws -> Response<Demo_Bookstore_V1_ListBooksResponse> {
        let message = request.message
        return Response(message: try database.read { state throws(GoogleRPCStatus) in try state.listBooks(message) })
    }

    func listBooksStream(
        request: Request<Demo_Bookstore_V1_ListBooksStreamRequest>,
        context: ServerContext
    ) async throws -> StreamingServerResponse<Demo_Bookstore_V1_Book> {
        let message = request.message
        let interval = try Self.duration(message.interval, field: "interval")
        let books = try database.read { state throws(GoogleRPCStatus) in
            try state.books(onShelf: message.shelf, limit: message.limit)
        }
        let metadata = request.metadata
        let failAfter = Int(message.failAfter)
        return StreamingServerResponse { writer in
            for (index, book) in books.enumerated() {
                if failAfter > 0, index == failAfter {
                    throw GoogleRPCStatus(code: .aborted, message: "stream failed after \(failAfter) books (fail_after)")
                }
                if index > 0, interval > .zero {
                    try await CancellableSleep.sleep(for: interval, context: context, metadata: metadata)
                }
                try await writer.write(book)
            }
            if failAfter > 0, failAfter >= books.count {
                throw GoogleRPCStatus(code: .aborted, message: "stream failed after \(books.count) books (fail_after)")
            }
            return ["book-count": "\(books.count)"]
        }
    }

    func getBook(
        request: Request<Demo_Bookstore_V1_GetBookRequest>,
        context: ServerContext
    ) async throws -> Response<Demo_Bookstore_V1_Book> {
        Response(message: try lookUp(request.message))
    }

    func checkBook(
        request: Request<Demo_Bookstore_V1_GetBookRequest>,
        context: ServerContext
    ) async throws -> Response<Google_Protobuf_Empty> {
        _ = try lookUp(request.message)
        return Response(message: Google_Protobuf_Empty())
    }

    func createBook(
        request: Request<Demo_Bookstore_V1_CreateBookRequest>,
        context: ServerContext
    ) async throws -> Response<Demo_Bookstore_V1_Book> {
        let message = request.message
        let now = DemoTime.now()
        let book = try database.write { state throws(GoogleRPCStatus) in
            try state.createBook(shelf: message.shelf, book: message.book, requestID: message.requestID, now: now)
        }
        return Response(message: book)
    }

    func createBooks(
        request: StreamingServerRequest<Demo_Bookstore_V1_CreateBookRequest>,
        context: ServerContext
    ) async throws -> Response<Demo_Bookstore_V1_CreateBooksResponse> {
        var requests: [Demo_Bookstore_V1_CreateBookRequest] = []
        for try await message in request.messages {
            requests.append(message)
        }
        let batch = requests
        let now = DemoTime.now()
        // All or nothing: the database keeps none of the batch if one book fails.
        let books = try database.write { state throws(GoogleRPCStatus) in
            var books: [Demo_Bookstore_V1_Book] = []
            for (index, message) in batch.enumerated() {
                do throws(GoogleRPCStatus) {
                    books.append(
                        try state.createBook(shelf: message.shelf, book: message.book, requestID: message.requestID, now: now)
                    )
                } catch {
                    var error = error
                    error.message = "request \(index): \(error.message)"
                    throw error
                }
            }
            return books
        }
        return Response(message: .with {
            $0.books = books
            $0.createdCount = Int32(books.count)
        })
    }

    func updateBook(
        request: Request<Demo_Bookstore_V1_UpdateBookRequest>,
        context: ServerContext
    ) async throws -> Response<Demo_Bookstore_V1_Book> {
        let message = request.message
        let now = DemoTime.now()
        let book = try database.write { state throws(GoogleRPCStatus) in
            try state.updateBook(message.book, mask: message.updateMask, now: now)
        }
        return Response(message: book)
    }

    func deleteBook(
        request: Request<Demo_Bookstore_V1_DeleteBookRequest>,
        context: ServerContext
    ) async throws -> Response<Google_Protobuf_Empty> {
        let message = request.message
        try database.write { state throws(GoogleRPCStatus) in try state.deleteBook(shelf: message.shelf, book: message.book) }
        return Response(message: Google_Protobuf_Empty())
    }

    func publishBook(
        request: Request<Demo_Bookstore_V1_PublishBookRequest>,
        context: ServerContext
    ) async throws -> Response<Demo_Bookstore_V1_Book> {
        let message = request.message
        let now = DemoTime.now()
        let book = try database.write { state throws(GoogleRPCStatus) in
            try state.publishBook(
                name: message.name,
                publishTime: message.hasPublishTime ? message.publishTime : nil,
                now: now
            )
        }
        return Response(message: book)
    }

    func lookupBook(
        request: Request<Demo_Bookstore_V1_LookupBookRequest>,
        context: ServerContext
    ) async throws -> Response<Demo_Bookstore_V1_LookupBookResponse> {
        let isbn = request.message.isbn
        return Response(message: try database.read { state throws(GoogleRPCStatus) in try state.lookupBook(isbn: isbn) })
    }

    // MARK: Debug

    func sleep(
        request: Request<Demo_Bookstore_V1_SleepRequest>,
        context: ServerContext
    ) async throws -> Response<Demo_Bookstore_V1_SleepResponse> {
        let duration = try Self.duration(request.message.duration, field: "duration")
        guard duration <= Self.maxSleep else {
            throw DemoError.invalidField("duration", "must be at most 60s")
        }
        let clock = ContinuousClock()
        let start = clock.now
        try await CancellableSleep.sleep(for: duration, context: context, metadata: request.metadata)
        let slept = clock.now - start
        return Response(message: .with { $0.slept = Google_Protobuf_Duration(rounding: slept) })
    }

    func flaky(
        request: Request<Demo_Bookstore_V1_FlakyRequest>,
        context: ServerContext
    ) async throws -> Response<Demo_Bookstore_V1_FlakyResponse> {
        let message = request.message
        guard !message.key.isEmpty else { throw DemoError.invalidField("key", "must not be empty") }
        guard message.failures >= 0 else { throw DemoError.invalidField("failures", "must not be negative") }
        let failures = message.failures == 0 ? 2 : message.failures
        let attempt = database.write { $0.recordFlakyAttempt(key: message.key) }
        if attempt <= failures {
            throw DemoFailure.flaky(message, attempt: attempt, failures: failures)
        }
        return Response(
            message: .with {
                $0.key = message.key
                $0.attempts = attempt
            },
            metadata: ["flaky-attempt": "\(attempt)"]
        )
    }

    func echoMetadata(
        request: Request<Demo_Bookstore_V1_EchoMetadataRequest>,
        context: ServerContext
    ) async throws -> Response<Demo_Bookstore_V1_EchoMetadataResponse> {
        let metadata = request.metadata
        let text = request.message.message
        return Response(
            message: .with {
                $0.message = text
                $0.entries = MetadataEcho.entries(of: metadata)
            },
            metadata: MetadataEcho.headers(for: metadata),
            trailingMetadata: MetadataEcho.trailers(for: metadata)
        )
    }

    func fail(
        request: Request<Demo_Bookstore_V1_FailRequest>,
        context: ServerContext
    ) async throws -> Response<Google_Protobuf_Empty> {
        guard let code = DemoFailure.rpcCode(request.message.code) else {
            return Response(message: Google_Protobuf_Empty())
        }
        throw DemoFailure.failure(request.message, code: code)
    }

    // MARK: Helpers

    private func lookUp(_ message: Demo_Bookstore_V1_GetBookRequest) throws(GoogleRPCStatus) -> Demo_Bookstore_V1_Book {
        let ids: (shelf: Int64, book: Int64)
        if message.name.isEmpty {
            ids = (message.shelf, message.book)
        } else {
            ids = try BookstoreState.parseBookName(message.name, field: "name")
        }
        return try database.read { state throws(GoogleRPCStatus) in try state.book(shelf: ids.shelf, book: ids.book) }
    }

    /// A request Duration as a Swift Duration; negative or malformed is INVALID_ARGUMENT.
    static func duration(_ value: Google_Protobuf_Duration, field: String) throws(GoogleRPCStatus) -> Duration {
        guard value.seconds >= 0, value.nanos >= 0, value.nanos < 1_000_000_000 else {
            throw DemoError.invalidField(field, "must be a non-negative duration")
        }
        return .seconds(value.seconds) + .nanoseconds(Int64(value.nanos))
    }
}
