import DescriptorLoader

/// Every HTTP route of a schema, validated and compiled once into a
/// ``RouteTrie``; immutable and safe to share while serving.
///
/// Matching does not depend on the order routes were declared in: a literal
/// segment beats `*`, which beats `**`, compared from the left (see
/// ``RouteTrie``).
public final class RouteTable: Sendable {
    public struct Options: Sendable, Equatable {
        /// Give every method `POST /pkg.Service/Method` with body `*` too
        /// (dropped quietly where a rule already claims that route).
        public var defaultRoutes: Bool
        /// Skip query parameters that name no field instead of answering 400.
        public var ignoreUnknownQueryParameters: Bool
        /// Query parameters the gateway itself consumes (credentials: an API key, a token),
        /// skipped by the binder on every route. Matched by their raw name.
        public var reservedQueryParameters: [String]

        public init(defaultRoutes: Bool = true, ignoreUnknownQueryParameters: Bool = false, reservedQueryParameters: [String] = []) {
            self.defaultRoutes = defaultRoutes
            self.ignoreUnknownQueryParameters = ignoreUnknownQueryParameters
            self.reservedQueryParameters = reservedQueryParameters
        }

        public static let defaults = Options()
    }

    /// Every route: by method full name, rules in declaration order, the default route last.
    public let routes: [Route]
    public let options: Options
    /// Routes in trie order (the trie's leaves index this).
    let compiled: [Route]
    let trie: RouteTrie
    let bindingSchema: RequestBindingsSchema

    /// Compiles the routes; throws ``SchemaErrors`` listing every invalid rule
    /// (template syntax, path variables naming missing or unbindable fields,
    /// two rules claiming the same method and template).
    public init(schema: Schema, options: Options = .init()) throws {
        let bindingSchema = RequestBindingsSchema(schema: schema)
        var compiler = RouteTableCompiler(schema: schema, bindingSchema: bindingSchema)
        let (routes, trie) = compiler.compile(defaultRoutes: options.defaultRoutes)
        if !compiler.errors.isEmpty {
            throw SchemaErrors(errors: compiler.errors)
        }
        self.routes = RouteTableCompiler.listingOrder(routes)
        self.compiled = routes
        self.trie = trie
        self.options = options
        self.bindingSchema = bindingSchema
    }

    // MARK: Matching

    /// Matches a request path (without the query) and binds the path and query.
    public func match(method: String, path: Substring, query: Substring?) -> RouteMatch {
        var path = path
        return path.withUTF8 { pathBytes in
            guard var query else { return match(method: method, path: pathBytes, query: nil) }
            return query.withUTF8 { match(method: method, path: pathBytes, query: $0) }
        }
    }

    public func match(method: String, path: String, query: String? = nil) -> RouteMatch {
        var path = path
        return path.withUTF8 { pathBytes in
            guard var query else { return match(method: method, path: pathBytes, query: nil) }
            return query.withUTF8 { match(method: method, path: pathBytes, query: $0) }
        }
    }

    /// Matches an HTTP request target (`/v1/shelves/1?view=FULL`): the query starts at the first `?`.
    public func match(method: String, target: UnsafeBufferPointer<UInt8>) -> RouteMatch {
        guard let question = target.firstIndex(of: UInt8(ascii: "?")) else {
            return match(method: method, path: target, query: nil)
        }
        return match(
            method: method, path: UnsafeBufferPointer(rebasing: target[..<question]),
            query: UnsafeBufferPointer(rebasing: target[(question + 1)...]))
    }

    /// Matches a request target held in raw memory (e.g. a NIO `ByteBuffer`'s readable bytes).
    public func match(method: String, target: UnsafeRawBufferPointer) -> RouteMatch {
        match(method: method, target: UnsafeBufferPointer(start: target.baseAddress?.assumingMemoryBound(to: UInt8.self), count: target.count))
    }

    /// Matches a path and binds the path variables and the query (both raw, still percent-encoded).
    public func match(method: String, path: UnsafeBufferPointer<UInt8>, query: UnsafeBufferPointer<UInt8>?) -> RouteMatch {
        guard path.first == UInt8(ascii: "/") else { return .notFound }
        var slashes = 0
        for byte in path where byte == UInt8(ascii: "/") { slashes += 1 }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * slashes) { bounds in
            // Split after the leading "/"; trailing empty segments are dropped (as Envoy does).
            var count = 0
            var start = 1
            for i in 1...path.count where i == path.count || path[i] == UInt8(ascii: "/") {
                bounds[2 * count] = start
                bounds[2 * count + 1] = i
                count += 1
                start = i + 1
            }
            let rawCount = count
            while count > 0 && bounds[2 * count - 2] == bounds[2 * count - 1] { count -= 1 }
            var segments = RouteTrie.Segments(path: path, bounds: bounds, count: count)

            // A ":suffix" of the last segment is a verb only if some template uses it.
            // If no route of this method matches with the verb, the suffix is tried as
            // part of the segment (as grpc-gateway does); 405 lists the methods of both tries.
            var withVerb = RouteTrie.Lookup.none
            // As in Envoy, a verb must follow the last "/": `/v1/x:cancel/` has none.
            if count > 0, count == rawCount, !trie.verbs.isEmpty {
                let lastStart = bounds[2 * count - 2]
                let lastEnd = bounds[2 * count - 1]
                var colon = lastEnd - 1
                while colon >= lastStart && path[colon] != UInt8(ascii: ":") { colon -= 1 }
                if colon >= lastStart {
                    let verb = UnsafeBufferPointer(rebasing: path[(colon + 1)..<lastEnd])
                    if trie.isVerb(verb) {
                        bounds[2 * count - 1] = colon
                        withVerb = trie.lookup(segments, httpMethod: method, verb: verb)
                        if case .found = withVerb {} else { bounds[2 * count - 1] = lastEnd }
                    }
                }
            }
            var lookup = withVerb
            if case .found = withVerb {} else {
                lookup = trie.lookup(segments, httpMethod: method, verb: nil)
                if case .wrongMethod(var allowed) = withVerb {
                    if case .wrongMethod(let more) = lookup { allowed += more.filter { !allowed.contains($0) } }
                    if case .found = lookup {} else { lookup = .wrongMethod(allowed) }
                }
            }
            switch lookup {
            case .none:
                return .notFound
            case .wrongMethod(let allowed):
                return .methodNotAllowed(allowed: allowed.sorted())
            case .found(let index):
                segments.count = count
                return bind(compiled[index], segments, query: query)
            }
        }
    }

    private func bind(_ route: Route, _ segments: RouteTrie.Segments, query: UnsafeBufferPointer<UInt8>?) -> RouteMatch {
        var bindings = RequestBindings(schema: bindingSchema, root: route.inputOrdinal)
        if route.variables.isEmpty && (query?.isEmpty ?? true) { return .matched(route, bindings) }
        // One allocation per array: decoded values never outgrow the raw URL.
        var parameters = 0
        if let query { for byte in query where byte == UInt8(ascii: "&") { parameters += 1 } }
        bindings.bytes.reserveCapacity(segments.path.count + (query.map { $0.count + 1 } ?? 0))
        bindings.entries.reserveCapacity(route.variables.count + (query == nil ? 0 : parameters + 1))
        bindings.steps.reserveCapacity(4 * (route.variables.count + parameters + 1))
        for variable in route.variables {
            let end = variable.toEnd ? segments.count : variable.segments.upperBound
            let valueStart = bindings.bytes.count
            let mode: PercentDecoding.Mode = variable.isMultiSegment ? .exceptReserved : .all
            var index = variable.segments.lowerBound
            while index < end {
                if index > variable.segments.lowerBound { bindings.bytes.append(UInt8(ascii: "/")) }
                if let failure = PercentDecoding.decode(segments.segment(index), mode: mode, into: &bindings.bytes) {
                    let raw = String(decoding: segments.segment(index), as: UTF8.self)
                    return .invalid(
                        TranscodeError(
                            .badBinding, path: variable.jsonPath,
                            "path segment '\(raw)': '%' at byte \(failure.offset) is not followed by two hex digits"))
                }
                index += 1
            }
            let value = valueStart..<bindings.bytes.count
            guard PercentDecoding.isValidUTF8(bindings.bytes[value]) else {
                return .invalid(
                    TranscodeError(.invalidUTF8, path: variable.jsonPath, "path variable is not valid UTF-8 once decoded"))
            }
            bindings.append(steps: variable.steps, value: value)
        }
        if let query, !query.isEmpty {
            if let error = QueryParameters.bind(
                query, route: route, ignoreUnknown: options.ignoreUnknownQueryParameters,
                reserved: options.reservedQueryParameters, into: &bindings)
            {
                return .invalid(error)
            }
        }
        if let error = bindings.finish() { return .invalid(error) }
        return .matched(route, bindings)
    }
}
