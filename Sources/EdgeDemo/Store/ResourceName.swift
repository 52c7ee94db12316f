/// Parsing of the bookstore's resource names: `shelves/{shelf}` and `shelves/{shelf}/books/{book}`.
enum ResourceName {
    static func shelf(_ id: Int64) -> String { "shelves/\(id)" }

    static func book(shelf: Int64, book: Int64) -> String { "shelves/\(shelf)/books/\(book)" }

    /// The shelf and book ids of `shelves/{shelf}/books/{book}`, or nil if `name` is not one.
    static func parseBook(_ name: String) -> (shelf: Int64, book: Int64)? {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "shelves", parts[2] == "books",
            let shelf = Int64(parts[1]), let book = Int64(parts[3])
        else { return nil }
        return (shelf, book)
    }
}
