import GRPCCore
import GRPCProtobuf
import SwiftProtobuf
import XCTest

@testable import EdgeDemo

/// The demo store's logic without sockets: filtering, paging, masks, validation, atomic
/// batches.
@available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
final class DemoBookstoreStateTests: XCTestCase {
    private let now = DemoTime.date(2025, 6, 1)

    private func status(_ body: () throws -> Void) -> GoogleRPCStatus? {
        do {
            try body()
            XCTFail("expected an error")
            return nil
        } catch {
            return error as? GoogleRPCStatus
        }
    }

    func testSeedAndCivilDates() throws {
        XCTAssertEqual(DemoTime.date(1970, 1, 1).seconds, 0)
        XCTAssertEqual(DemoTime.date(2024, 1, 1).seconds, 1_704_067_200)
        XCTAssertEqual(DemoTime.date(1965, 8, 1).seconds, -139_449_600)
        let state = BookstoreSeed.state()
        XCTAssertEqual(state.listShelves().map(\.name), ["shelves/1", "shelves/2", "shelves/3"])
        XCTAssertEqual(try state.book(shelf: 2, book: 5).state, .draft)
        XCTAssertEqual(try state.book(shelf: 1, book: 3).subtitle, "A Study of Provincial Life")
    }

    func testListBooksFiltersAndPages() throws {
        let state = BookstoreSeed.state()
        var request = Demo_Bookstore_V1_ListBooksRequest.with { $0.shelf = 1 }
        XCTAssertEqual(try state.listBooks(request).totalSize, 3)

        request.filter = "LE GUIN"
        XCTAssertEqual(try state.listBooks(request).books.map(\.id), [2])
        request.filter = ""
        request.query = .with {
            $0.minPages = 400
            $0.publishedAfter = DemoTime.date(1900, 1, 1)
        }
        XCTAssertEqual(try state.listBooks(request).books.map(\.title), ["Dune"])
        request.clearQuery()
        request.pageSize = 2
        request.pageToken = "2"
        let last = try state.listBooks(request)
        XCTAssertEqual(last.books.map(\.id), [3])
        XCTAssertEqual(last.nextPageToken, "")

        request.pageToken = "x"
        request.pageSize = -1
        let error = status { _ = try state.listBooks(request) }
        XCTAssertEqual(error?.code, .invalidArgument)
        XCTAssertEqual(error?.details.first?.badRequest?.violations.map(\.field), ["page_size", "page_token"])
    }

    func testUpdateMask() throws {
        var state = BookstoreSeed.state()
        let patch = Demo_Bookstore_V1_Book.with {
            $0.name = "shelves/1/books/1"
            $0.title = "Dune Messiah"
            $0.ebook = .with { $0.fileFormat = "epub" }
        }
        // Empty mask: every populated field of the patch.
        let updated = try state.updateBook(patch, mask: .init(), now: now)
        XCTAssertEqual(updated.title, "Dune Messiah")
        XCTAssertEqual(updated.ebook.fileFormat, "epub")
        XCTAssertEqual(updated.pageCount, 412)
        XCTAssertEqual(updated.updateTime, now)

        let outputOnly = status { _ = try state.updateBook(patch, mask: .with { $0.paths = ["create_time"] }, now: now) }
        XCTAssertEqual(outputOnly?.details.first?.badRequest?.violations.first?.field, "update_mask")
        let unknown = status { _ = try state.updateBook(patch, mask: .with { $0.paths = ["nope"] }, now: now) }
        XCTAssertEqual(unknown?.code, .invalidArgument)
        let badName = status { _ = try state.updateBook(.with { $0.name = "books/1" }, mask: .init(), now: now) }
        XCTAssertEqual(badName?.details.first?.badRequest?.violations.first?.field, "book.name")
        // Clearing a required field through the mask is a validation error.
        let cleared = status {
            _ = try state.updateBook(.with { $0.name = "shelves/1/books/1" }, mask: .with { $0.paths = ["title"] }, now: now)
        }
        XCTAssertEqual(cleared?.details.first?.badRequest?.violations.map(\.field), ["book.title"])
    }

    func testCreateRulesAndAtomicWrites() throws {
        let database = BookstoreDatabase()
        let duplicate = Demo_Bookstore_V1_Book.with {
            $0.title = "Dune again"
            $0.author = "Frank Herbert"
            $0.isbn = 9_780_441_013_593
        }
        let exists = status { _ = try database.write { try $0.createBook(shelf: 1, book: duplicate, requestID: "", now: self.now) } }
        XCTAssertEqual(exists?.code, .alreadyExists)
        XCTAssertEqual(exists?.details.first?.resourceInfo?.name, "shelves/1/books/1")

        let invalid = Demo_Bookstore_V1_Book.with {
            $0.title = "T"
            $0.author = "A"
            $0.isbn = 42
            $0.tags = ["ok", ""]
            $0.inventory = ["SEA": -1]
        }
        let violations = BookValidator.violations(of: invalid, prefix: "book.").map(\.field)
        XCTAssertEqual(violations, ["book.isbn", "book.tags[1]", "book.inventory[SEA]"])

        // A write that throws leaves the state untouched.
        let failed = status {
            _ = try database.write { state throws(GoogleRPCStatus) in
                _ = try state.createBook(shelf: 3, book: .with { $0.title = "Kept?"; $0.author = "A" }, requestID: "", now: self.now)
                _ = try state.createBook(shelf: 3, book: invalid, requestID: "", now: self.now)
            }
        }
        XCTAssertEqual(failed?.code, .invalidArgument)
        XCTAssertEqual(try database.read { state throws(GoogleRPCStatus) in try state.shelf(3) }.bookCount, 0)

        // Request ids make CreateBook idempotent.
        let book = Demo_Bookstore_V1_Book.with { $0.title = "Once"; $0.author = "A" }
        let first = try database.write { state throws(GoogleRPCStatus) in try state.createBook(shelf: 3, book: book, requestID: "r1", now: self.now) }
        let second = try database.write { state throws(GoogleRPCStatus) in try state.createBook(shelf: 3, book: book, requestID: "r1", now: self.now) }
        XCTAssertEqual(first, second)

        let notEmpty = status { try database.write { state throws(GoogleRPCStatus) in try state.deleteShelf(1, force: false) } }
        XCTAssertEqual(notEmpty?.code, .failedPrecondition)
        XCTAssertEqual(notEmpty?.details.first?.preconditionFailure?.violations.first?.subject, "shelves/1")
    }
}
