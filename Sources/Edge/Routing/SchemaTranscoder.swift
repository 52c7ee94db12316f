import DescriptorLoader
import NIOCore
import NIOHTTP1
import Transcoder
import EdgeConfig
import EdgeCore
import EdgePolicy
import EdgeUpstream

/// The real ``RequestTranscoding``: the compiled route table, the request
/// binder (JSON body + path + query → wire) and the response printer
/// (wire → JSON, honouring `response_body`), all built once from the schema.
///
/// Everything per route that does not depend on the request (settings, call
/// policy, metric label, gRPC path) is resolved here, at load time, so a request
/// costs one trie match and one dictionary look-up by route identity.
///
/// A class: the server reads it from the current snapshot for every match,
/// prepare and render, and a struct of tables would be copied (each of its
/// references retained and released) on every such read.
public final class SchemaTranscoder: RequestTranscoding {
    public struct Matched: Sendable {
        public let route: Transcoder.Route
        public let bindings: RequestBindings
    }

    /// Per-route data resolved at load time.
    package struct Compiled: Sendable {
        package let grpcPath: String
        package let service: String
        package let label: String
        package let acceptsBody: Bool
        package let settings: RouteSettings
        package let callPolicy: CallPolicy
        package let streaming: RouteStreaming
        package let policies: PolicyChain
        package let identity: RouteIdentity
        /// For a raw request whose `body:` names an HttpBody field: that field's number.
        package let rawBodyField: Int32?
    }

    package static let httpBodyType = "google.api.HttpBody"

    public let table: RouteTable
    /// The same routes compiled to ignore unknown query parameters, consulted
    /// only when a route's settings ask for that and the strict table refused.
    package let lenientTable: RouteTable?
    package let binder: RequestBinder
    package let printer: WireToJSON
    package let compiled: [ObjectIdentifier: Compiled]
    /// The policies of this configuration; ``unmatchedPolicies()`` is theirs.
    public let gatewayPolicies: GatewayPolicies
    /// The OpenAPI document of these routes (`openapi.enabled`), generated with them.
    public let openAPI: OpenAPIDocument?
    /// The policies of the document and its page (`openapi`'s access keys), compiled with the routes'.
    package let openAPIPolicies: PolicyChain

    /// - Parameters:
    ///   - gatewayPolicies: the configuration's policies with the credentials that own I/O
    ///     (JWT providers); by default those of `config` alone.
    ///   - security: what the auth configuration contributes to the OpenAPI document; by
    ///     default what `config`'s policies say (``OpenAPISecurity/from(config:policies:)``).
    public init(
        schema: Schema, config: EdgeConfig, gatewayPolicies: GatewayPolicies? = nil, rateLimiter: RateLimiter? = nil,
        security: OpenAPISecurity? = nil
    ) throws {
        let policies = RoutePolicies(config: config)
        let gatewayPolicies = gatewayPolicies ?? GatewayPolicies(config: config, rateLimiter: rateLimiter)
        self.gatewayPolicies = gatewayPolicies
        var chains: [(RouteAccess, PolicyChain)] = []
        let strict = policies.defaults.ignoreUnknownQueryParameters
        let reserved = gatewayPolicies.reservedQueryParameters
        table = try RouteTable(
            schema: schema,
            options: .init(defaultRoutes: config.defaultRoutes, ignoreUnknownQueryParameters: strict, reservedQueryParameters: reserved))
        var compiled: [ObjectIdentifier: Compiled] = [:]
        var anyDiffers = false
        func compile(_ route: Transcoder.Route) -> Compiled {
            let settings = policies.settings(
                method: route.method.fullName, httpMethod: route.httpMethod, pattern: route.pattern)
            let idempotent = route.httpMethod == "GET" || route.httpMethod == "HEAD"
                || route.method.idempotencyLevel != .unknown
            var body = true
            if case .none = route.body { body = false }
            let (streaming, rawBodyField) = Self.streaming(of: route)
            return Compiled(
                grpcPath: route.method.grpcPath,
                service: route.method.serviceName,
                label: route.httpMethod + " " + route.pattern,
                acceptsBody: body,
                settings: settings,
                callPolicy: settings.callPolicy(idempotent: idempotent),
                streaming: streaming,
                policies: gatewayPolicies.chain(for: settings.access, cache: &chains),
                identity: RouteIdentity(
                    label: route.httpMethod + " " + route.pattern, method: String(route.method.grpcPath.dropFirst()),
                    traceSampling: settings.traceSampling),
                rawBodyField: rawBodyField)
        }
        for route in table.routes {
            let entry = compile(route)
            if entry.settings.ignoreUnknownQueryParameters != strict { anyDiffers = true }
            compiled[ObjectIdentifier(route)] = entry
        }
        if anyDiffers {
            let lenient = try RouteTable(
                schema: schema,
                options: .init(defaultRoutes: config.defaultRoutes, ignoreUnknownQueryParameters: !strict, reservedQueryParameters: reserved))
            for route in lenient.routes { compiled[ObjectIdentifier(route)] = compile(route) }
            lenientTable = lenient
        } else {
            lenientTable = nil
        }
        self.compiled = compiled
        openAPIPolicies = config.openAPI.enabled ? gatewayPolicies.chain(for: config.openAPI.access, cache: &chains) : .empty
        binder = RequestBinder(jsonToWire: JSONToWire(schema: schema))
        printer = WireToJSON(schema: schema)
        openAPI = config.openAPI.enabled
            ? OpenAPIDocument(
                schema: schema, table: table, policies: policies, settings: config.openAPI,
                security: security ?? .from(config: config, policies: policies))
            : nil
    }

    public func openAPIAnswer(uri: String) -> OpenAPIEndpoint? {
        guard let openAPI, OpenAPIDocument.mayAnswer(uri: uri) else { return nil }
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        guard let answer = openAPI.answer(path: path) else { return nil }
        return OpenAPIEndpoint(answer: answer, policies: path.hasPrefix("/docs/assets/") ? gatewayPolicies.unmatched : openAPIPolicies)
    }

    /// How a route's messages flow (streaming sides, raw `google.api.HttpBody` bodies) and,
    /// for a raw request whose `body:` names an HttpBody field, that field's number.
    /// Decided here once, for the server and for the OpenAPI document.
    package static func streaming(of route: Transcoder.Route) -> (streaming: RouteStreaming, rawBodyField: Int32?) {
        var rawRequest = false
        var rawBodyField: Int32? = nil
        switch route.body {
        case .none: break
        case .wholeRequest: rawRequest = route.method.inputType == Self.httpBodyType
        case .field(let field):
            if field.typeName == Self.httpBodyType, field.cardinality != .repeated {
                rawRequest = true
                rawBodyField = field.number
            }
        }
        let streaming = RouteStreaming(
            clientStreaming: route.method.clientStreaming, serverStreaming: route.method.serverStreaming,
            rawRequest: rawRequest,
            rawResponse: route.responseBody == nil && route.method.outputType == Self.httpBodyType)
        return (streaming, rawBodyField)
    }

    public func match(method: HTTPMethod, uri: String) -> Result<MatchedRoute<Matched>, EdgeError> {
        match(method: method, uri: uri) { $0 }
    }

    public func unmatchedPolicies() -> PolicyChain { gatewayPolicies.unmatched }

    /// ``match(method:uri:)`` with the route's payload made by `wrap`, so that a
    /// wrapping transcoder (``ReloadingTranscoder``) builds its ``MatchedRoute``
    /// once instead of copying this one field by field.
    public func match<Payload: Sendable>(
        method: HTTPMethod, uri: String, _ wrap: (Matched) -> Payload
    ) -> Result<MatchedRoute<Payload>, EdgeError> {
        var uri = uri
        let verb = method.rawValue
        let result = uri.withUTF8 { table.match(method: verb, target: $0) }
        switch result {
        case .matched(let route, let bindings):
            if route.method.clientStreaming, !bindings.isEmpty, let error = invalidBindings(route, bindings) {
                return .failure(error)
            }
            return .success(matched(route, bindings, wrap))
        case .notFound:
            return .failure(.routeNotFound(method: verb, path: Self.path(of: uri)))
        case .methodNotAllowed(let allowed):
            return .failure(.methodNotAllowed(method: verb, path: Self.path(of: uri), allowed: allowed))
        case .invalid(let error):
            if let lenientTable,
                case .matched(let route, let bindings) = uri.withUTF8({ lenientTable.match(method: verb, target: $0) }),
                let entry = compiled[ObjectIdentifier(route)],
                entry.settings.ignoreUnknownQueryParameters != table.options.ignoreUnknownQueryParameters
            {
                return .success(matched(route, bindings, wrap))
            }
            return .failure(.transcoding(error))
        }
    }

    /// A client stream's path and query values are otherwise first converted with its
    /// first message: a stream of none would never see them, and a bad value in the URL
    /// would pass. They are converted once here, at match time, for these routes only.
    private func invalidBindings(_ route: Transcoder.Route, _ bindings: RequestBindings) -> EdgeError? {
        let options = compiled[ObjectIdentifier(route)]?.settings.parseOptions ?? .defaults
        if case .failure(let error) = prepare(Matched(route: route, bindings: bindings), options: options, body: nil) { return error }
        return nil
    }

    public func prepare(_ route: MatchedRoute<Matched>, body: ByteBuffer?) -> Result<ByteBuffer, EdgeError> {
        prepare(route.route, options: route.settings.parseOptions, body: body)
    }

    /// ``prepare(_:body:)`` from the parts it reads (for wrapping transcoders).
    public func prepare(_ matched: Matched, options: JSONParseOptions, body: ByteBuffer?) -> Result<ByteBuffer, EdgeError> {
        var wire: [UInt8] = []
        wire.reserveCapacity((body?.readableBytes ?? 0) + 64)
        do {
            if let body {
                try body.withUnsafeReadableBytes { bytes in
                    try binder.bind(
                        route: matched.route, bindings: matched.bindings, body: bytes, options: options, into: &wire)
                }
            } else {
                try binder.bind(
                    route: matched.route, bindings: matched.bindings, body: UnsafeRawBufferPointer(start: nil, count: 0),
                    options: options, into: &wire)
            }
        } catch let error as TranscodeError {
            return .failure(.transcoding(error))
        } catch {
            return .failure(EdgeError(code: .internal, message: "\(error)"))
        }
        // The gRPC frame header (uncompressed, length) goes in front of the message, just
        // before the readable bytes, so the upstream client sends these bytes as they are
        // instead of copying the message into a framed buffer (it checks the header first).
        var message = ByteBuffer()
        message.reserveCapacity(GRPCFrame.headerLength + wire.count)
        message.writeInteger(UInt8(0))
        message.writeInteger(UInt32(truncatingIfNeeded: wire.count))
        message.writeBytes(wire)
        message.moveReaderIndex(forwardBy: GRPCFrame.headerLength)
        return .success(message)
    }

    public func render(_ message: ByteBuffer?, for route: MatchedRoute<Matched>) -> Result<ByteBuffer, EdgeError> {
        render(message, for: route.route, options: route.settings.printOptions)
    }

    /// Responses up to this many wire bytes are printed straight into the response buffer.
    package static let directRenderLimit = 64 << 10

    /// ``render(_:for:)`` from the parts it reads (for wrapping transcoders).
    public func render(_ message: ByteBuffer?, for matched: Matched, options: JSONPrintOptions) -> Result<ByteBuffer, EdgeError> {
        let target = matched.route
        let body = message ?? ByteBuffer()
        do {
            if body.readableBytes > Self.directRenderLimit {
                // Large messages are printed into the printer's memory and copied into a
                // buffer of their size: a buffer of twice the wire size (rounded up to a
                // power of two by NIO) would hold up to ~3x the JSON while it waits to be
                // written — per message of a stream to a slow client.
                let json = try body.withUnsafeReadableBytes { wire in
                    try printer.withJSON(wire, message: target.outputOrdinal, responseField: target.responseBody?.number, options: options) {
                        ByteBuffer(bytes: $0)
                    }
                }
                return .success(json)
            }
            // The printer writes straight into the response buffer, sized at twice the
            // wire bytes (ProtoJSON is rarely longer); only longer JSON is copied in.
            var json = ByteBuffer()
            var longer: ByteBuffer?
            _ = try body.withUnsafeReadableBytes { wire in
                try json.writeWithUnsafeMutableBytes(minimumWritableBytes: wire.count * 2 + 16) { space in
                    try printer.withJSON(
                        wire, message: target.outputOrdinal, responseField: target.responseBody?.number, options: options,
                        into: space
                    ) { printed in
                        if printed.baseAddress == UnsafeRawPointer(space.baseAddress) { return printed.count }
                        longer = ByteBuffer(bytes: printed)
                        return 0
                    }
                }
            }
            return .success(longer ?? json)
        } catch {
            // The backend answered with something the schema cannot print:
            // the edge's problem to report, not the client's.
            return .failure(EdgeError(code: .internal, message: "cannot transcode the response of \(target.method.fullName): \(error)"))
        }
    }

    public func prepareElement(_ route: MatchedRoute<Matched>, json: UnsafeRawBufferPointer) -> Result<ByteBuffer, EdgeError> {
        prepareElement(route.route, options: route.settings.parseOptions, json: json)
    }

    /// ``prepareElement(_:json:)`` from the parts it reads (for wrapping transcoders).
    public func prepareElement(_ matched: Matched, options: JSONParseOptions, json: UnsafeRawBufferPointer) -> Result<ByteBuffer, EdgeError> {
        var wire: [UInt8] = []
        wire.reserveCapacity(json.count + 64)
        do {
            try binder.bind(route: matched.route, bindings: matched.bindings, body: json, options: options, into: &wire)
        } catch let error as TranscodeError {
            return .failure(.transcoding(error))
        } catch {
            return .failure(EdgeError(code: .internal, message: "\(error)"))
        }
        return .success(ByteBuffer(bytes: wire))
    }

    public func prepareRaw(_ route: MatchedRoute<Matched>, contentType: String, data: ByteBuffer) -> Result<ByteBuffer, EdgeError> {
        prepareRaw(route.route, options: route.settings.parseOptions, contentType: contentType, data: data)
    }

    /// ``prepareRaw(_:contentType:data:)`` from the parts it reads (for wrapping transcoders).
    public func prepareRaw(
        _ matched: Matched, options: JSONParseOptions, contentType: String, data: ByteBuffer
    ) -> Result<ByteBuffer, EdgeError> {
        let field = compiled[ObjectIdentifier(matched.route)]?.rawBodyField
        var message = ByteBuffer()
        message.reserveCapacity(HttpBodyMessage.size(contentType: contentType, dataBytes: data.readableBytes, wrapped: field != nil))
        HttpBodyMessage.write(contentType: contentType, data: data, fieldNumber: field, into: &message)
        if !matched.bindings.isEmpty {
            // The bindings go after the body: protobuf merging makes them win, as for JSON bodies.
            switch prepare(matched, options: options, body: nil) {
            case .success(let bindings): message.writeImmutableBuffer(bindings)
            case .failure(let error): return .failure(error)
            }
        }
        return .success(message)
    }

    public func renderRaw(_ message: ByteBuffer?, for route: MatchedRoute<Matched>) -> Result<RawBody, EdgeError> {
        renderRaw(message, for: route.route)
    }

    /// ``renderRaw(_:for:)`` from the parts it reads (for wrapping transcoders).
    public func renderRaw(_ message: ByteBuffer?, for matched: Matched) -> Result<RawBody, EdgeError> {
        guard let raw = HttpBodyMessage.read(message ?? ByteBuffer()) else {
            return .failure(EdgeError(code: .internal, message: "cannot read the google.api.HttpBody response of \(matched.route.method.fullName)"))
        }
        return .success(raw)
    }

    /// Renders the `details` of a serialized `google.rpc.Status` as a JSON array,
    /// each detail an `Any` with its `@type`; nil when the schema lacks
    /// `google.rpc.Status` or the bytes do not parse (the body then has `[]`).
    public func detailsRenderer(schema: Schema) -> StatusDetailsRenderer? {
        guard let ordinal = schema.ordinal(of: "google.rpc.Status") else { return nil }
        let printer = self.printer
        return { serialized in
            var json: [UInt8] = []
            do {
                try serialized.withUnsafeBytes { bytes in
                    try printer.convertField(bytes, message: ordinal, fieldNumber: 3, options: .defaults, into: &json)
                }
            } catch {
                return nil
            }
            return json == Array("null".utf8) ? Array("[]".utf8) : json
        }
    }

    package func matched<Payload: Sendable>(
        _ route: Transcoder.Route, _ bindings: RequestBindings, _ wrap: (Matched) -> Payload
    ) -> MatchedRoute<Payload> {
        // Every route of the table was compiled in init.
        let entry = compiled[ObjectIdentifier(route)]!
        return MatchedRoute(
            grpcPath: entry.grpcPath, service: entry.service, label: entry.label, acceptsBody: entry.acceptsBody,
            settings: entry.settings, callPolicy: entry.callPolicy, streaming: entry.streaming, policies: entry.policies, identity: entry.identity,
            route: wrap(Matched(route: route, bindings: bindings)))
    }

    private static func path(of uri: String) -> Substring {
        uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? Substring(uri)
    }
}
