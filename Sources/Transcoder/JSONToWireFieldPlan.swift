import DescriptorLoader

/// Everything the JSON -> wire converter needs about one field, resolved at
/// plan time. A trivial struct (no references), so reading it costs no
/// reference counting on the hot path.
struct JSONToWireFieldPlan: Sendable {
    var number: Int32
    var type: FieldType
    /// The tag of one element (for messages: length-delimited; groups: start group).
    var tag: WireWriterTag
    /// The length-delimited tag used when the field is written packed.
    var packedTag: WireWriterTag
    var endGroupTag: WireWriterTag
    var isRepeated: Bool
    var isPacked: Bool
    var isMap: Bool
    /// Explicit presence: a value equal to the default is still written.
    var writesDefault: Bool
    /// Index of the real oneof, or -1.
    var oneofIndex: Int
    /// Ordinal of the message, group or map-entry type, or -1.
    var message: Int
    /// Index into ``JSONToWire/enums``, or -1.
    var enumIndex: Int
    /// A `google.protobuf.Value` field: JSON `null` is a value here.
    var isValue: Bool
    /// A `google.protobuf.NullValue` field: JSON `null` is its only value.
    var isNullValue: Bool
}
