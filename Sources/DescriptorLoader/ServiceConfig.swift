/// The HTTP rules of one gRPC API configuration file (a `google.api.Service`
/// YAML, as used by Google's API gateways and grpc-gateway).
///
/// Each rule replaces the `google.api.http` annotation of the method its
/// selector names. Parsed by ``ServiceConfigParser``.
public struct ServiceConfig: Sendable, Equatable {
    public struct Rule: Sendable, Equatable {
        /// Full name of the method (`pkg.Service.Method`).
        public let selector: String
        /// Position in `http.rules`, for error messages.
        public let index: Int
        /// 1-based line of the rule in the file, when known.
        public let line: Int?
        /// The rule's own binding followed by its `additional_bindings`.
        public let bindings: [HTTPRule]

        public init(selector: String, index: Int, line: Int?, bindings: [HTTPRule]) {
            self.selector = selector
            self.index = index
            self.line = line
            self.bindings = bindings
        }

        /// `http.rules[2] (line 14)`: how errors point at the rule.
        public var label: String {
            "http.rules[\(index)]" + (line.map { " (line \($0))" } ?? "")
        }
    }

    /// The file the rules came from.
    public let file: String
    public let rules: [Rule]

    public init(file: String, rules: [Rule]) {
        self.file = file
        self.rules = rules
    }

    /// Parses the YAML text of `file`; throws ``SchemaErrors`` naming each bad rule.
    public static func parse(yaml: String, file: String) throws -> ServiceConfig {
        try ServiceConfigParser.parse(yaml: yaml, file: file)
    }
}
