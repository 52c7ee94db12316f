import GRPCProtobuf
import SwiftProtobuf

/// Applies an UpdateBook `update_mask` (proto field paths, snake_case) from a patch to a book.
///
/// An empty mask updates every field the patch populates; `*` replaces every mutable field.
/// Output-only and unknown paths are INVALID_ARGUMENT naming `update_mask`.
@available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
enum BookUpdateMask {
    static let mutablePaths = [
        "title", "author", "genre", "page_count", "isbn", "price", "tags", "labels", "inventory",
        "publish_time", "state", "ebook", "paperback", "subtitle",
    ]
    static let outputOnlyPaths: Set<String> = ["name", "id", "create_time", "update_time"]

    static func apply(
        _ mask: Google_Protobuf_FieldMask,
        from patch: Demo_Bookstore_V1_Book,
        to book: inout Demo_Bookstore_V1_Book
    ) throws(GoogleRPCStatus) {
        let paths: [String]
        if mask.paths.isEmpty {
            paths = populatedPaths(of: patch)
        } else if mask.paths == ["*"] {
            paths = mutablePaths
        } else {
            paths = mask.paths
        }
        for path in paths {
            try apply(path, from: patch, to: &book)
        }
    }

    private static func apply(
        _ path: String,
        from patch: Demo_Bookstore_V1_Book,
        to book: inout Demo_Bookstore_V1_Book
    ) throws(GoogleRPCStatus) {
        switch path {
        case "title": book.title = patch.title
        case "author": book.author = patch.author
        case "genre": book.genre = patch.genre
        case "page_count": book.pageCount = patch.pageCount
        case "isbn": book.isbn = patch.isbn
        case "price": book.price = patch.price
        case "tags": book.tags = patch.tags
        case "labels": book.labels = patch.labels
        case "inventory": book.inventory = patch.inventory
        case "state": book.state = patch.state
        case "publish_time":
            if patch.hasPublishTime { book.publishTime = patch.publishTime } else { book.clearPublishTime() }
        case "subtitle":
            if patch.hasSubtitle { book.subtitle = patch.subtitle } else { book.clearSubtitle() }
        case "ebook":
            if case .ebook = patch.format { book.format = patch.format } else if case .ebook = book.format { book.format = nil }
        case "paperback":
            if case .paperback = patch.format { book.format = patch.format } else if case .paperback = book.format { book.format = nil }
        case _ where outputOnlyPaths.contains(path):
            throw DemoError.invalidField("update_mask", "'\(path)' is output only")
        default:
            throw DemoError.invalidField("update_mask", "unknown or unsupported field path '\(path)'")
        }
    }

    private static func populatedPaths(of patch: Demo_Bookstore_V1_Book) -> [String] {
        var paths: [String] = []
        if !patch.title.isEmpty { paths.append("title") }
        if !patch.author.isEmpty { paths.append("author") }
        if patch.genre != .unspecified { paths.append("genre") }
        if patch.pageCount != 0 { paths.append("page_count") }
        if patch.isbn != 0 { paths.append("isbn") }
        if patch.price != 0 { paths.append("price") }
        if !patch.tags.isEmpty { paths.append("tags") }
        if !patch.labels.isEmpty { paths.append("labels") }
        if !patch.inventory.isEmpty { paths.append("inventory") }
        if patch.hasPublishTime { paths.append("publish_time") }
        if patch.state != .unspecified { paths.append("state") }
        if patch.hasSubtitle { paths.append("subtitle") }
        switch patch.format {
        case .ebook: paths.append("ebook")
        case .paperback: paths.append("paperback")
        case nil: break
        }
        return paths
    }
}
