import GRPCProtobuf
import SwiftProtobuf

/// The bookstore's data and every operation on it, as plain value semantics: no locking, no
/// I/O, so it is tested directly. `BookstoreDatabase` serializes access to one instance.
///
/// Operations throw `GoogleRPCStatus` errors naming the offending field or resource.
@available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
struct BookstoreState: Sendable {
    struct ShelfRecord: Sendable {
        var shelf: Demo_Bookstore_V1_Shelf
        var books: [Int64: Demo_Bookstore_V1_Book] = [:]

        var sortedBooks: [Demo_Bookstore_V1_Book] {
            books.values.sorted { $0.id < $1.id }
        }
    }

    var shelves: [Int64: ShelfRecord] = [:]
    var nextShelfID: Int64 = 1
    var nextBookID: Int64 = 1
    /// CreateBook `request_id` -> the book it created (idempotent retries).
    var createdByRequestID: [String: (shelf: Int64, book: Int64)] = [:]
    /// Flaky `key` -> calls so far.
    var flakyAttempts: [String: Int32] = [:]

    static let defaultPageSize: Int32 = 10
    static let maxPageSize: Int32 = 100

    // MARK: Shelves

    func listShelves() -> [Demo_Bookstore_V1_Shelf] {
        shelves.keys.sorted().map { try! shelf($0) }
    }

    func shelf(_ id: Int64) throws(GoogleRPCStatus) -> Demo_Bookstore_V1_Shelf {
        var shelf = try record(id).shelf
        shelf.bookCount = Int32(shelves[id]!.books.count)
        return shelf
    }

    mutating func createShelf(
        theme: String,
        labels: [String: String],
        now: Google_Protobuf_Timestamp
    ) throws(GoogleRPCStatus) -> Demo_Bookstore_V1_Shelf {
        guard !theme.isEmpty else { throw DemoError.invalidField("theme", "must not be empty") }
        if labels.keys.contains("") { throw DemoError.invalidField("labels", "keys must not be empty") }
        let id = nextShelfID
        nextShelfID += 1
        let shelf = Demo_Bookstore_V1_Shelf.with {
            $0.name = ResourceName.shelf(id)
            $0.id = id
            $0.theme = theme
            $0.labels = labels
            $0.createTime = now
        }
        shelves[id] = ShelfRecord(shelf: shelf)
        return shelf
    }

    mutating func deleteShelf(_ id: Int64, force: Bool) throws(GoogleRPCStatus) {
        let record = try record(id)
        if !record.books.isEmpty && !force {
            throw DemoError.failedPrecondition(
                type: "NOT_EMPTY",
                subject: record.shelf.name,
                description: "shelf has \(record.books.count) books; delete them or set force"
            )
        }
        shelves[id] = nil
    }

    // MARK: Books

    func listBooks(_ request: Demo_Bookstore_V1_ListBooksRequest) throws(GoogleRPCStatus) -> Demo_Bookstore_V1_ListBooksResponse {
        var violations: [ErrorDetails.BadRequest.FieldViolation] = []
        if request.pageSize < 0 {
            violations.append(.init(field: "page_size", description: "must not be negative"))
        }
        let offset: Int
        if request.pageToken.isEmpty {
            offset = 0
        } else if let parsed = Int(request.pageToken), parsed >= 0 {
            offset = parsed
        } else {
            offset = 0
            violations.append(.init(field: "page_token", description: "not a token returned by ListBooks"))
        }
        if request.query.minPages < 0 {
            violations.append(.init(field: "query.min_pages", description: "must not be negative"))
        }
        if !violations.isEmpty { throw DemoError.invalidArgument(violations) }

        let matching = try record(request.shelf).sortedBooks.filter { Self.matches($0, request) }
        let pageSize = Int(request.pageSize == 0 ? Self.defaultPageSize : min(request.pageSize, Self.maxPageSize))
        let page = matching.dropFirst(offset).prefix(pageSize)
        return Demo_Bookstore_V1_ListBooksResponse.with {
            $0.books = Array(page)
            $0.totalSize = Int32(matching.count)
            if offset + page.count < matching.count {
                $0.nextPageToken = String(offset + page.count)
            }
        }
    }

    private static func matches(_ book: Demo_Bookstore_V1_Book, _ request: Demo_Bookstore_V1_ListBooksRequest) -> Bool {
        if !request.filter.isEmpty {
            let filter = request.filter.lowercased()
            guard book.title.lowercased().contains(filter) || book.author.lowercased().contains(filter) else {
                return false
            }
        }
        if !request.genres.isEmpty && !request.genres.contains(book.genre) { return false }
        if !request.tags.allSatisfy(book.tags.contains) { return false }
        if request.hasQuery {
            let query = request.query
            if book.pageCount < query.minPages { return false }
            if !query.author.isEmpty && !book.author.lowercased().contains(query.author.lowercased()) {
                return false
            }
            if query.hasPublishedAfter {
                guard book.hasPublishTime, Self.isAfter(book.publishTime, query.publishedAfter) else { return false }
            }
        }
        return true
    }

    private static func isAfter(_ lhs: Google_Protobuf_Timestamp, _ rhs: Google_Protobuf_Timestamp) -> Bool {
        (lhs.seconds, lhs.nanos) > (rhs.seconds, rhs.nanos)
    }

    /// The shelf's books in id order, at most `limit` (0: all).
    func books(onShelf id: Int64, limit: Int32) throws(GoogleRPCStatus) -> [Demo_Bookstore_V1_Book] {
        // As documented (`minimum: 0`); schemathesis found `limit=-368638` read as "all".
        guard limit >= 0 else { throw DemoError.invalidField("limit", "must not be negative") }
        let books = try record(id).sortedBooks
        return limit > 0 ? Array(books.prefix(Int(limit))) : books
    }

    func book(shelf: Int64, book: Int64) throws(GoogleRPCStatus) -> Demo_Bookstore_V1_Book {
        guard let found = shelves[shelf]?.books[book] else {
            throw DemoError.notFound(type: DemoError.bookType, name: ResourceName.book(shelf: shelf, book: book))
        }
        return found
    }

    /// Creates a book on a shelf. `prefix` is the field path of the book in the request.
    mutating func createBook(
        shelf shelfID: Int64,
        book input: Demo_Bookstore_V1_Book,
        requestID: String,
        now: Google_Protobuf_Timestamp,
        prefix: String = "book."
    ) throws(GoogleRPCStatus) -> Demo_Bookstore_V1_Book {
        if !requestID.isEmpty, let previous = createdByRequestID[requestID],
            let book = shelves[previous.shelf]?.books[previous.book]
        {
            return book
        }
        let violations = BookValidator.violations(of: input, prefix: prefix)
        if !violations.isEmpty { throw DemoError.invalidArgument(violations, reason: "INVALID_BOOK") }
        let record = try record(shelfID)
        if input.isbn != 0, let existing = record.books.values.first(where: { $0.isbn == input.isbn }) {
            throw DemoError.alreadyExists(
                type: DemoError.bookType,
                name: existing.name,
                description: "a book with isbn \(input.isbn) already exists on \(record.shelf.name)"
            )
        }
        let id = nextBookID
        nextBookID += 1
        var book = input
        book.id = id
        book.name = ResourceName.book(shelf: shelfID, book: id)
        book.createTime = now
        book.updateTime = now
        if book.state == .unspecified { book.state = .draft }
        shelves[shelfID]!.books[id] = book
        if !requestID.isEmpty { createdByRequestID[requestID] = (shelfID, id) }
        return book
    }

    mutating func updateBook(
        _ patch: Demo_Bookstore_V1_Book,
        mask: Google_Protobuf_FieldMask,
        now: Google_Protobuf_Timestamp
    ) throws(GoogleRPCStatus) -> Demo_Bookstore_V1_Book {
        let ids = try Self.parseBookName(patch.name, field: "book.name")
        var book = try book(shelf: ids.shelf, book: ids.book)
        try BookUpdateMask.apply(mask, from: patch, to: &book)
        let violations = BookValidator.violations(of: book, prefix: "book.")
        if !violations.isEmpty { throw DemoError.invalidArgument(violations, reason: "INVALID_BOOK") }
        book.updateTime = now
        shelves[ids.shelf]!.books[ids.book] = book
        return book
    }

    mutating func deleteBook(shelf: Int64, book: Int64) throws(GoogleRPCStatus) {
        _ = try self.book(shelf: shelf, book: book)
        shelves[shelf]!.books[book] = nil
    }

    mutating func publishBook(
        name: String,
        publishTime: Google_Protobuf_Timestamp?,
        now: Google_Protobuf_Timestamp
    ) throws(GoogleRPCStatus) -> Demo_Bookstore_V1_Book {
        let ids = try Self.parseBookName(name, field: "name")
        var book = try book(shelf: ids.shelf, book: ids.book)
        if book.state == .published {
            throw DemoError.failedPrecondition(type: "STATE", subject: name, description: "book is already published")
        }
        book.state = .published
        book.publishTime = publishTime ?? now
        book.updateTime = now
        shelves[ids.shelf]!.books[ids.book] = book
        return book
    }

    func lookupBook(isbn: Int64) throws(GoogleRPCStatus) -> Demo_Bookstore_V1_LookupBookResponse {
        guard isbn != 0 else { throw DemoError.invalidField("isbn", "must be set") }
        for id in shelves.keys.sorted() {
            let record = shelves[id]!
            if let book = record.sortedBooks.first(where: { $0.isbn == isbn }) {
                return .with {
                    $0.book = book
                    $0.shelfName = record.shelf.name
                }
            }
        }
        throw DemoError.notFound(type: DemoError.bookType, name: "isbn:\(isbn)")
    }

    // MARK: Debug

    /// Counts one Flaky call with `key`; returns the count including this call.
    mutating func recordFlakyAttempt(key: String) -> Int32 {
        let attempts = flakyAttempts[key, default: 0] + 1
        flakyAttempts[key] = attempts
        return attempts
    }

    // MARK: Helpers

    private func record(_ id: Int64) throws(GoogleRPCStatus) -> ShelfRecord {
        guard let record = shelves[id] else {
            throw DemoError.notFound(type: DemoError.shelfType, name: ResourceName.shelf(id))
        }
        return record
    }

    static func parseBookName(_ name: String, field: String) throws(GoogleRPCStatus) -> (shelf: Int64, book: Int64) {
        guard let ids = ResourceName.parseBook(name) else {
            throw DemoError.invalidField(field, "must be a book name 'shelves/{shelf}/books/{book}', got '\(name)'")
        }
        return ids
    }
}
