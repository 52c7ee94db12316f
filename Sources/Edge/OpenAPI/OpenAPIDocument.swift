import DescriptorLoader
import NIOCore
import Transcoder
import EdgeConfig

/// The OpenAPI document of one loaded gateway, rendered once (JSON, YAML and the
/// docs page) when the schema is loaded or reloaded, and served from memory by
/// ``answer(path:)``: `GET /openapi.json`, `/openapi.yaml`, `/docs` and
/// `/docs/assets/…`. Immutable and `Sendable`; each snapshot has its own.
public final class OpenAPIDocument: Sendable {
    public struct Answer: Sendable {
        public var contentType: String
        public var body: ByteBuffer
    }

    public let value: OpenAPIValue
    public let json: ByteBuffer
    public let yaml: ByteBuffer
    /// The docs page and its assets; nil when the page is off.
    private let page: ByteBuffer?
    private let assets: OpenAPIAssets?

    public init(value: OpenAPIValue, docs: Bool, title: String = "edge", assets: OpenAPIAssets? = OpenAPIAssets.bundled) {
        self.value = value
        self.json = OpenAPIJSONWriter.write(value)
        self.yaml = OpenAPIYAMLWriter.write(value)
        self.page = docs ? ByteBuffer(string: OpenAPIDocsPage.html(title: title)) : nil
        self.assets = docs ? assets : nil
    }

    /// The document for a schema and route table, with the settings the configuration gives each route.
    public convenience init(
        schema: Schema, table: RouteTable, policies: RoutePolicies, settings: EdgeConfig.OpenAPI, security: OpenAPISecurity = .none
    ) {
        let generator = OpenAPIGenerator(
            schema: schema, table: table, policies: policies, security: security,
            options: .init(title: settings.title, version: settings.version, includeDefaultRoutes: settings.defaultRoutes))
        self.init(value: generator.document(), docs: settings.docs, title: settings.title)
    }

    /// Whether `uri` can be one of the document's paths: a prefix check, cheap enough
    /// for every request (the rest of the request path never looks at the document).
    @inline(__always)
    public static func mayAnswer(uri: String) -> Bool {
        uri.hasPrefix("/openapi.") || uri.hasPrefix("/docs")
    }

    /// The response for a `GET` of `path` (without the query), or nil when the path is not one of the document's.
    public func answer(path: Substring) -> Answer? {
        switch path {
        case "/openapi.json": return Answer(contentType: "application/json", body: json)
        case "/openapi.yaml": return Answer(contentType: "application/yaml", body: yaml)
        case "/docs":
            guard let page else { return nil }
            return Answer(contentType: "text/html; charset=utf-8", body: page)
        default:
            guard page != nil, path.hasPrefix("/docs/assets/"), let file = assets?.byName[String(path.dropFirst("/docs/assets/".count))] else {
                return nil
            }
            return Answer(contentType: file.contentType, body: file.body)
        }
    }
}
