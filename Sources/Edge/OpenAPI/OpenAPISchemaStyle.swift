import Transcoder

/// Which variant of a message's JSON a schema describes: the route's JSON
/// options (``JSONPrintOptions``) and whether it is read (a request) or written
/// (a response) by the edge. Each distinct style of a message is its own
/// component, so routes with different options never share a wrong schema.
package struct OpenAPISchemaStyle: Hashable {
    package enum Direction: Hashable {
        /// A request body or parameter: `required` from `field_behavior` REQUIRED.
        case input
        /// A response: nothing is required (proto3 JSON leaves defaults out) unless
        /// `emit_unpopulated`, which prints every field without presence.
        case output
    }

    package var direction: Direction
    package var useProtoNames: Bool
    package var enumsAsInts: Bool
    package var emitUnpopulated: Bool
    /// The route ignores unknown fields in requests: input objects allow other members.
    package var allowsUnknownFields: Bool
    /// A PATCH body: a partial update (AIP-134), so REQUIRED fields are not required.
    package var partial: Bool = false

    package init(direction: Direction, options: JSONPrintOptions, parse: JSONParseOptions = .defaults) {
        self.allowsUnknownFields = direction == .input && parse.ignoreUnknownFields
        self.direction = direction
        self.useProtoNames = options.useProtoNames
        self.enumsAsInts = options.enumsAsInts
        // Input is read whatever the printer does.
        self.emitUnpopulated = direction == .output && options.emitUnpopulated
    }

    /// The component name suffix: none for the default output style; `-input` for
    /// requests (they take `null`, and `required` follows field_behavior). Proto names
    /// cannot contain `-`, so a suffixed name never clashes with a message's.
    package var suffix: String {
        var suffix = ""
        if direction == .input { suffix += "-input" }
        if useProtoNames { suffix += "-proto_names" }
        if enumsAsInts { suffix += "-enums_as_ints" }
        if emitUnpopulated { suffix += "-emit_unpopulated" }
        if allowsUnknownFields { suffix += "-ignore_unknown_fields" }
        if partial { suffix += "-partial" }
        return suffix
    }
}
