/// One map entry as found on the wire: its key (normalised so that equal keys
/// compare equal) and where its value is.
struct WireToJSONMapEntry {
    var entryStart: Int
    var entryEnd: Int
    /// Numeric and bool keys: the decoded value's bits. String keys: a hash.
    var keyBits: UInt64 = 0
    var keyStart: Int = 0
    var keyEnd: Int = 0
    var valueStart: Int = 0
    var valueEnd: Int = 0
    var valueCount: Int = 0
    var dropped = false
}
