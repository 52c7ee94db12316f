import ArgumentParser
import DescriptorLoader
import Edge
import Transcoder
import EdgeConfig

/// `edge match`: what the server would do with a request. It runs the server's
/// own match, binding and JSON → wire conversion (``RequestPreview``) and prints
/// the request message as it would be sent (read back from its wire bytes as
/// JSON), or the error response: HTTP status and `google.rpc.Status` body.
///
/// Exit status: 0 when the request would be forwarded, 1 when the sources do not
/// load, 2 when the server would refuse it (404, 405, 400).
struct MatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Match a request against the routes of the given descriptor sources.",
        discussion: """
            Example: edge match api.protoset 'GET /v1/shelves/1/books?page_size=10'
                     edge match api.protoset 'POST /v1/shelves' --data '{"name": "x"}'
            """)

    @Argument(help: "Descriptor sources, then the request as 'METHOD /path?query'.")
    var arguments: [String]

    @OptionGroup var options: SourceOptions

    @Flag(name: .customLong("ignore-unknown-query-parameters"), help: "Skip query parameters that name no field.")
    var ignoreUnknownQueryParameters = false

    @Option(name: .customLong("data"), help: "The request body (JSON), as a client would send it.")
    var data: String?

    func validate() throws {
        guard arguments.count >= 2 else {
            throw ValidationError("expected at least one source and a request ('GET /v1/...')")
        }
        guard Self.parse(request: arguments.last!) != nil else {
            throw ValidationError("the request must look like 'METHOD /path?query', got '\(arguments.last!)'")
        }
    }

    func run() throws {
        let (method, path, query) = Self.parse(request: arguments.last!)!
        let schema = try options.schema(sources: Array(arguments.dropLast()))
        let config = EdgeConfig(
            defaults: .init(json: .init(ignoreUnknownQueryParameters: ignoreUnknownQueryParameters)),
            defaultRoutes: !options.noDefaultRoutes)
        let preview = try options.reportingErrors { try RequestPreview(schema: schema, config: config) }
        let target = query.map { "\(path)?\($0)" } ?? String(path)
        switch preview.outcome(method: method, target: target, body: data.map { Array($0.utf8) }) {
        case .forwarded(let route, let requestJSON):
            print("\(route.httpMethod) \(route.pattern) -> \(route.method.grpcPath)\(route.isDefaultRoute ? " (default route)" : "")")
            print("body: \(route.bodyText.isEmpty ? "-" : route.bodyText)  response body: \(route.responseBody?.name ?? "-")")
            print(Self.pretty(requestJSON))
        case .refused(let error, let statusJSON):
            let allow = error.headers.first { $0.name == "allow" }.map { " (Allow: \($0.value))" } ?? ""
            print("\(error.httpStatus.code)\(allow)")
            print(Self.pretty(statusJSON))
            throw ExitCode(2)
        }
    }

    /// `GET /v1/x?y=1` → ("GET", "/v1/x", "y=1").
    static func parse(request: String) -> (String, Substring, Substring?)? {
        let parts = request.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[1].first == "/" else { return nil }
        let target = parts[1].drop { $0 == " " }
        guard let question = target.firstIndex(of: "?") else { return (parts[0].uppercased(), target, nil) }
        return (parts[0].uppercased(), target[..<question], target[target.index(after: question)...])
    }

    /// Indents compact JSON (as ``RequestBindings/jsonObject()`` writes it) two spaces per level.
    static func pretty(_ json: [UInt8]) -> String {
        var out: [UInt8] = []
        var depth = 0
        var inString = false
        var escaped = false
        func newline() {
            out.append(UInt8(ascii: "\n"))
            out.append(contentsOf: [UInt8](repeating: UInt8(ascii: " "), count: depth * 2))
        }
        for (i, byte) in json.enumerated() {
            if inString {
                out.append(byte)
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                out.append(byte)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                out.append(byte)
                let next = i + 1 < json.count ? json[i + 1] : 0
                if next != UInt8(ascii: "}") && next != UInt8(ascii: "]") {
                    depth += 1
                    newline()
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                let previous = i > 0 ? json[i - 1] : 0
                if previous != UInt8(ascii: "{") && previous != UInt8(ascii: "[") {
                    depth -= 1
                    newline()
                }
                out.append(byte)
            case UInt8(ascii: ","):
                out.append(byte)
                newline()
            case UInt8(ascii: ":"):
                out.append(contentsOf: [byte, UInt8(ascii: " ")])
            default:
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
