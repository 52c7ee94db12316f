/// A stretch of a message's bytes that holds consecutive occurrences of one
/// field (plus any unknown fields in between): what the pre-scan records so
/// that fields can be printed in field-number order with last-one-wins.
struct WireToJSONRun {
    /// Slot in the message plan; `Int32.max` for a run dropped by oneof resolution.
    var slot: Int32
    /// Offset of the run's first tag.
    var start: Int32
    /// Offset just past the run's last value.
    var end: Int32

    static let dropped = Int32.max
}
