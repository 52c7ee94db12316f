import SwiftProtobuf

/// The demo's initial data: three shelves (the third empty) and five books that between them
/// populate every field shape (int64 ISBNs, enums, maps, repeated fields,
/// both oneof cases, timestamps, a proto3 optional, a draft and published books).
///
/// Ids are fixed: shelves 1–3, books 1–5, so tests can address them directly.
@available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
enum BookstoreSeed {
    /// 2024-01-01T00:00:00Z: the create/update time of all seeded resources.
    static let seededAt = DemoTime.date(2024, 1, 1)

    static func state() -> BookstoreState {
        var state = BookstoreState()
        let fiction = try! state.createShelf(theme: "Fiction", labels: ["floor": "1"], now: seededAt)
        let science = try! state.createShelf(theme: "Science", labels: ["floor": "2", "section": "popular"], now: seededAt)
        _ = try! state.createShelf(theme: "New Arrivals", labels: [:], now: seededAt)

        for book in fictionBooks { _ = try! state.createBook(shelf: fiction.id, book: book, requestID: "", now: seededAt) }
        for book in scienceBooks { _ = try! state.createBook(shelf: science.id, book: book, requestID: "", now: seededAt) }
        return state
    }

    private static var fictionBooks: [Demo_Bookstore_V1_Book] {
        [
            .with {
                $0.title = "Dune"
                $0.author = "Frank Herbert"
                $0.genre = .scienceFiction
                $0.pageCount = 412
                $0.isbn = 9_780_441_013_593
                $0.price = 9.99
                $0.tags = ["classic", "desert"]
                $0.labels = ["language": "en"]
                $0.inventory = ["SEA": 3, "NYC": 12]
                $0.publishTime = DemoTime.date(1965, 8, 1)
                $0.state = .published
                $0.paperback = .with {
                    $0.weightGrams = 350
                    $0.dimensions = .with {
                        $0.widthCm = 10.8
                        $0.heightCm = 17.5
                        $0.depthCm = 3.0
                    }
                }
            },
            .with {
                $0.title = "The Left Hand of Darkness"
                $0.author = "Ursula K. Le Guin"
                $0.genre = .scienceFiction
                $0.pageCount = 304
                $0.isbn = 9_780_441_478_125
                $0.price = 8.5
                $0.tags = ["classic"]
                $0.labels = ["language": "en"]
                $0.inventory = ["SEA": 1]
                $0.publishTime = DemoTime.date(1969, 3, 1)
                $0.state = .published
                $0.ebook = .with {
                    $0.sizeBytes = 1_048_576
                    $0.fileFormat = "epub"
                }
            },
            .with {
                $0.title = "Middlemarch"
                $0.author = "George Eliot"
                $0.genre = .fiction
                $0.pageCount = 880
                $0.isbn = 9_780_141_439_549
                $0.price = 12.0
                $0.tags = ["classic", "victorian"]
                $0.subtitle = "A Study of Provincial Life"
                $0.publishTime = DemoTime.date(1871, 12, 1)
                $0.state = .published
                $0.paperback = .with { $0.weightGrams = 640 }
            },
        ]
    }

    private static var scienceBooks: [Demo_Bookstore_V1_Book] {
        [
            .with {
                $0.title = "A Brief History of Time"
                $0.author = "Stephen Hawking"
                $0.genre = .science
                $0.pageCount = 212
                $0.isbn = 9_780_553_380_163
                $0.price = 18.0
                $0.tags = ["cosmology"]
                $0.inventory = ["NYC": 4]
                $0.publishTime = DemoTime.date(1988, 4, 1)
                $0.state = .published
                $0.ebook = .with {
                    $0.sizeBytes = 2_621_440
                    $0.fileFormat = "pdf"
                }
            },
            .with {
                $0.title = "The Selfish Gene"
                $0.author = "Richard Dawkins"
                $0.genre = .science
                $0.pageCount = 360
                $0.isbn = 9_780_198_788_607
                $0.price = 14.99
                $0.tags = ["evolution"]
                $0.subtitle = "40th Anniversary Edition"
                $0.state = .draft
            },
        ]
    }
}
