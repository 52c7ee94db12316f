import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import SwiftProtobuf
import XCTest

@testable import EdgeDemo

/// The demo bookstore end to end: a real server on an ephemeral port, called by a real
/// grpc-swift-2 HTTP/2 client.
@available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
final class DemoServiceTests: XCTestCase {
    private typealias Bookstore = Demo_Bookstore_V1_Bookstore.Client<HTTP2ClientTransport.Posix>

    /// Starts a fresh demo server, runs `body` with a client connected to it, stops both.
    private func withBookstore(_ body: (Bookstore) async throws -> Void) async throws {
        let server = try await DemoServer.start()
        do {
            try await withGRPCClient(
                transport: .http2NIOPosix(
                    target: .ipv4(address: server.host, port: server.port),
                    transportSecurity: .plaintext
                )
            ) { client in
                try await body(Bookstore(wrapping: client))
            }
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    /// Calls `call` expecting an RPCError; returns it.
    private func expectError(
        _ call: () async throws -> Void,
        file: StaticString = #filePath,
        line: UInt = #line
    ) async -> RPCError? {
        do {
            try await call()
            XCTFail("expected the call to fail", file: file, line: line)
            return nil
        } catch let error as RPCError {
            return error
        } catch {
            XCTFail("expected an RPCError, got \(error)", file: file, line: line)
            return nil
        }
    }

    func testUnaryMethodsReadAndWriteTheStore() async throws {
        try await withBookstore { bookstore in
            let shelves = try await bookstore.listShelves(.init())
            XCTAssertEqual(shelves.shelves.map(\.theme), ["Fiction", "Science", "New Arrivals"])
            XCTAssertEqual(shelves.shelves.map(\.bookCount), [3, 2, 0])

            let dune = try await bookstore.getBook(.with { $0.shelf = 1; $0.book = 1 })
            XCTAssertEqual(dune.title, "Dune")
            XCTAssertEqual(dune.isbn, 9_780_441_013_593)
            XCTAssertEqual(dune.inventory, ["SEA": 3, "NYC": 12])
            XCTAssertEqual(dune.paperback.dimensions.heightCm, 17.5)
            let byName = try await bookstore.getBook(.with { $0.name = "shelves/1/books/1" })
            XCTAssertEqual(byName, dune)

            let lookedUp = try await bookstore.lookupBook(.with { $0.isbn = 9_780_553_380_163 })
            XCTAssertEqual(lookedUp.shelfName, "shelves/2")
            XCTAssertEqual(lookedUp.book.title, "A Brief History of Time")

            let page = try await bookstore.listBooks(
                .with {
                    $0.shelf = 1
                    $0.pageSize = 1
                    $0.genres = [.scienceFiction]
                    $0.tags = ["classic"]
                }
            )
            XCTAssertEqual(page.books.map(\.title), ["Dune"])
            XCTAssertEqual(page.totalSize, 2)
            XCTAssertEqual(page.nextPageToken, "1")

            let created = try await bookstore.createBook(
                .with {
                    $0.shelf = 3
                    $0.book = .with {
                        $0.title = "Foundation"
                        $0.author = "Isaac Asimov"
                        $0.pageCount = 255
                    }
                }
            )
            XCTAssertEqual(created.name, "shelves/3/books/\(created.id)")
            XCTAssertEqual(created.state, .draft)

            let updated = try await bookstore.updateBook(
                .with {
                    $0.book = .with {
                        $0.name = created.name
                        $0.title = "Foundation and Empire"
                        $0.pageCount = 999
                    }
                    $0.updateMask = .with { $0.paths = ["title"] }
                }
            )
            XCTAssertEqual(updated.title, "Foundation and Empire")
            XCTAssertEqual(updated.pageCount, 255, "fields outside the mask are kept")

            let published = try await bookstore.publishBook(.with { $0.name = created.name })
            XCTAssertEqual(published.state, .published)
            XCTAssertTrue(published.hasPublishTime)

            _ = try await bookstore.deleteBook(.with { $0.shelf = 3; $0.book = created.id })
            let gone = await expectError { _ = try await bookstore.getBook(.with { $0.name = created.name }) }
            XCTAssertEqual(gone?.code, .notFound)
            XCTAssertEqual(try gone?.unpackGoogleRPCStatus()?.details.first?.resourceInfo?.name, created.name)
        }
    }

    func testErrorsCarryGoogleRPCStatusDetails() async throws {
        try await withBookstore { bookstore in
            let invalid = await expectError {
                _ = try await bookstore.createBook(
                    .with {
                        $0.shelf = 1
                        $0.book = .with {
                            $0.author = "Nobody"
                            $0.pageCount = -1
                        }
                    }
                )
            }
            XCTAssertEqual(invalid?.code, .invalidArgument)
            let status = try XCTUnwrap(try invalid?.unpackGoogleRPCStatus())
            XCTAssertEqual(
                status.details.first?.badRequest?.violations.map(\.field),
                ["book.title", "book.page_count"]
            )
            XCTAssertEqual(status.details.last?.errorInfo?.reason, "INVALID_BOOK")

            let failed = await expectError {
                _ = try await bookstore.fail(.with {
                    $0.code = .resourceExhausted
                    $0.message = "quota gone"
                    $0.details = true
                })
            }
            XCTAssertEqual(failed?.code, .resourceExhausted)
            XCTAssertEqual(failed?.message, "quota gone")
            let details = try XCTUnwrap(try failed?.unpackGoogleRPCStatus()).details
            XCTAssertEqual(details.first?.errorInfo?.reason, "RESOURCE_EXHAUSTED")
            XCTAssertEqual(details.first?.errorInfo?.domain, "bookstore.demo.edge")
            XCTAssertEqual(details.dropFirst().first?.retryInfo?.delay, .milliseconds(1500))
            XCTAssertEqual(details.dropFirst(2).first?.badRequest?.violations.first?.field, "code")
            XCTAssertEqual(details.last?.localizedMessage?.message, "quota gone")

            // Every code round-trips; OK succeeds.
            _ = try await bookstore.fail(.with { $0.code = .ok })
            for raw in 1...16 {
                let error = await expectError { _ = try await bookstore.fail(.with { $0.code = Google_Rpc_Code(rawValue: raw)! }) }
                XCTAssertEqual(error?.code.rawValue, raw)
                XCTAssertNil(try error?.unpackGoogleRPCStatus()?.details.first)
            }
        }
    }

    func testStreamingMethods() async throws {
        try await withBookstore { bookstore in
            let titles = try await bookstore.listBooksStream(
                .with {
                    $0.shelf = 1
                    $0.interval = .init(seconds: 0, nanos: 1_000_000)
                }
            ) { response in
                var titles: [String] = []
                for try await book in response.messages { titles.append(book.title) }
                return titles
            }
            XCTAssertEqual(titles, ["Dune", "The Left Hand of Darkness", "Middlemarch"])

            let batch = try await bookstore.createBooks(
                request: StreamingClientRequest { writer in
                    for title in ["One", "Two"] {
                        try await writer.write(.with {
                            $0.shelf = 3
                            $0.book = .with { $0.title = title; $0.author = "A. Author" }
                        })
                    }
                }
            )
            XCTAssertEqual(batch.createdCount, 2)
            XCTAssertEqual(batch.books.map(\.title), ["One", "Two"])

            let rejected = await expectError {
                _ = try await bookstore.createBooks(
                    request: StreamingClientRequest { writer in
                        try await writer.write(.with { $0.shelf = 3; $0.book = .with { $0.title = "Three"; $0.author = "B" } })
                        try await writer.write(.with { $0.shelf = 3; $0.book = .with { $0.title = "" ; $0.author = "B" } })
                    }
                )
            }
            XCTAssertEqual(rejected?.code, .invalidArgument)
            let shelf = try await bookstore.getShelf(.with { $0.shelf = 3 })
            XCTAssertEqual(shelf.bookCount, 2, "a failed batch creates nothing")
        }
    }

    func testChatUploadCoverGetCoverAndDownload() async throws {
        try await withBookstore { bookstore in
            let answers = try await bookstore.chatBooks(
                request: StreamingClientRequest { writer in
                    for text in ["hello", "dune"] { try await writer.write(.with { $0.text = text }) }
                }
            ) { response in
                var answers: [String] = []
                for try await answer in response.messages { answers.append("\(answer.sequence) \(answer.text)") }
                return answers
            }
            XCTAssertEqual(answers, ["1 echo: hello", "2 echo: dune"])

            let failed = await expectError {
                try await bookstore.chatBooks(
                    request: StreamingClientRequest { writer in
                        try await writer.write(.with { $0.text = "fail" })
                    }
                ) { response in
                    for try await _ in response.messages {}
                }
            }
            XCTAssertEqual(failed?.code, .invalidArgument)
            XCTAssertEqual(try failed?.unpackGoogleRPCStatus()?.details.count, 2)

            let upload = try await bookstore.uploadCover(
                request: StreamingClientRequest { writer in
                    try await writer.write(.with { $0.contentType = "text/plain"; $0.data = Data("ab".utf8) })
                    try await writer.write(.with { $0.data = Data("c".utf8) })
                }
            )
            XCTAssertEqual(upload.bytes, 3)
            XCTAssertEqual(upload.chunks, 2)
            XCTAssertEqual(upload.contentType, "text/plain")
            XCTAssertEqual(upload.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")

            let cover = try await bookstore.getCover(.with { $0.name = "sample.png" })
            XCTAssertEqual(cover.contentType, "image/png")
            XCTAssertEqual(Array(cover.data.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
            let missing = await expectError { _ = try await bookstore.getCover(.with { $0.name = "nope" }) }
            XCTAssertEqual(missing?.code, .notFound)

            let (count, valid) = try await bookstore.download(.with { $0.bytes = 200_000; $0.chunkSize = 65536 }) { response in
                var count: Int64 = 0
                var valid = true
                for try await chunk in response.messages {
                    if chunk.offset != count { valid = false }
                    for (index, byte) in chunk.data.enumerated() where byte != UInt8((chunk.offset + Int64(index)) % 251) {
                        valid = false
                    }
                    count += Int64(chunk.data.count)
                }
                return (count, valid)
            }
            XCTAssertEqual(count, 200_000)
            XCTAssertTrue(valid)

            let failing = await expectError {
                try await bookstore.listBooksStream(.with { $0.shelf = 1; $0.failAfter = 2 }) { response in
                    for try await _ in response.messages {}
                }
            }
            XCTAssertEqual(failing?.code, .aborted)
        }
    }

    func testMetadataFlakyAndDeadline() async throws {
        try await withBookstore { bookstore in
            var metadata: Metadata = ["x-user": "alice"]
            metadata.addBinary([0, 1, 255], forKey: "x-trace-bin")
            try await bookstore.echoMetadata(.with { $0.message = "hi" }, metadata: metadata) { response in
                let message = try response.message
                XCTAssertEqual(message.message, "hi")
                XCTAssertTrue(message.entries.contains { $0.key == "x-user" && $0.value == "alice" })
                XCTAssertTrue(message.entries.contains { $0.key == "x-trace-bin" && $0.binaryValue == Data([0, 1, 255]) })
                XCTAssertEqual(Array(response.metadata[stringValues: "x-user"]), ["alice"])
                XCTAssertEqual(Array(response.metadata[binaryValues: "x-trace-bin"]), [[0, 1, 255]])
                XCTAssertEqual(Array(response.trailingMetadata[stringValues: "trailer-x-user"]), ["alice"])
            }

            for attempt in 1...2 {
                let error = await expectError { _ = try await bookstore.flaky(.with { $0.key = "k"; $0.failures = 2 }) }
                XCTAssertEqual(error?.code, .unavailable)
                XCTAssertEqual(try error?.unpackGoogleRPCStatus()?.details.first?.errorInfo?.metadata["attempt"], "\(attempt)")
            }
            let recovered = try await bookstore.flaky(.with { $0.key = "k"; $0.failures = 2 })
            XCTAssertEqual(recovered.attempts, 3)

            var options = CallOptions.defaults
            options.timeout = .milliseconds(200)
            let clock = ContinuousClock()
            let start = clock.now
            let timedOut = await expectError {
                _ = try await bookstore.sleep(.with { $0.duration = .init(seconds: 30) }, options: options)
            }
            XCTAssertEqual(timedOut?.code, .deadlineExceeded)
            XCTAssertLessThan(clock.now - start, .seconds(10))
            let slept = try await bookstore.sleep(.with { $0.duration = .init(seconds: 0, nanos: 20_000_000) })
            XCTAssertGreaterThanOrEqual(Duration(slept.slept), .milliseconds(20))
        }
    }
}
