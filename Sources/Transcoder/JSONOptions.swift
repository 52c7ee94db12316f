/// Options for reading JSON into protobuf (the ProtoJSON parser options).
public struct JSONParseOptions: Sendable, Equatable {
    /// Skip JSON members that name no field, and enum names that are unknown,
    /// instead of rejecting them.
    public var ignoreUnknownFields: Bool
    /// Maximum nesting of messages, counted as protobuf's JSON parsers count
    /// it (`json_format`'s `max_recursion_depth`): the top-level message is
    /// level 1 and every message entered adds one, well-known types included,
    /// so a JSON array inside a `google.protobuf.Value` costs two levels (the
    /// `ListValue` and its `Value`s); arrays of repeated fields, map objects
    /// and values of unknown fields add none. Capped at 500 whatever the value,
    /// against stack exhaustion.
    public var maxDepth: Int

    public init(ignoreUnknownFields: Bool = false, maxDepth: Int = 100) {
        self.ignoreUnknownFields = ignoreUnknownFields
        self.maxDepth = maxDepth
    }

    public static let defaults = JSONParseOptions()
}

/// Options for writing protobuf as JSON (the ProtoJSON printer options).
public struct JSONPrintOptions: Sendable, Equatable {
    /// Print every field, also those at their default value (not only primitives).
    public var emitUnpopulated: Bool
    /// Use the `.proto` field names instead of the lowerCamelCase JSON names.
    public var useProtoNames: Bool
    /// Print enum values as numbers instead of names.
    public var enumsAsInts: Bool
    /// Maximum nesting of messages below the top-level one (which is level 0),
    /// as protobuf's wire decoders count it: 100 reads what upb reads.
    public var maxDepth: Int

    public init(emitUnpopulated: Bool = false, useProtoNames: Bool = false, enumsAsInts: Bool = false, maxDepth: Int = 100) {
        self.emitUnpopulated = emitUnpopulated
        self.useProtoNames = useProtoNames
        self.enumsAsInts = enumsAsInts
        self.maxDepth = maxDepth
    }

    public static let defaults = JSONPrintOptions()
}
