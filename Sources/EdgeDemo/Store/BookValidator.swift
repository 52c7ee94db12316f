import GRPCProtobuf

/// Checks a book's client-supplied fields; every violation names the field by its proto path
/// (`book.page_count`, `book.tags[1]`), as google.rpc.BadRequest expects.
@available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
enum BookValidator {
    /// All violations of `book`, each field path prefixed with `prefix` (e.g. `"book."`).
    static func violations(of book: Demo_Bookstore_V1_Book, prefix: String) -> [ErrorDetails.BadRequest.FieldViolation] {
        var violations: [ErrorDetails.BadRequest.FieldViolation] = []
        func add(_ field: String, _ description: String) {
            violations.append(.init(field: prefix + field, description: description))
        }
        if book.title.isEmpty {
            add("title", "must not be empty")
        } else if book.title.count > 200 {
            add("title", "must be at most 200 characters")
        }
        if book.author.isEmpty {
            add("author", "must not be empty")
        }
        if book.pageCount < 0 {
            add("page_count", "must not be negative")
        }
        if !book.price.isFinite || book.price < 0 {
            add("price", "must be a non-negative number")
        }
        if book.isbn != 0 && !(1_000_000_000_000...9_999_999_999_999).contains(book.isbn) {
            add("isbn", "must be a 13-digit ISBN")
        }
        for (index, tag) in book.tags.enumerated() where tag.isEmpty {
            add("tags[\(index)]", "must not be empty")
        }
        if book.labels.keys.contains("") {
            add("labels", "keys must not be empty")
        }
        for (store, count) in book.inventory.sorted(by: { $0.key < $1.key }) where count < 0 {
            add("inventory[\(store)]", "must not be negative")
        }
        switch book.format {
        case .ebook(let ebook) where ebook.sizeBytes < 0:
            add("ebook.size_bytes", "must not be negative")
        case .paperback(let paperback) where paperback.weightGrams < 0:
            add("paperback.weight_grams", "must not be negative")
        default:
            break
        }
        return violations
    }
}
