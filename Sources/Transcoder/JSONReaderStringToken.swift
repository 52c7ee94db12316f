/// A string token: the bytes between the quotes, and whether any escape occurs.
struct JSONReaderStringToken {
    var start: Int
    var end: Int
    var escaped: Bool
    var count: Int { end - start }
}
