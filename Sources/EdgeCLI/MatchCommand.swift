import ArgumentParser
import Transcoder

/// `edge match`: which route a request takes and what its URL binds.
///
/// Exit status: 0 when a route matches, 1 when the sources do not load, 2 for
/// 404, 405 or 400.
struct MatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Match a request against the routes of the given descriptor sources.",
        discussion: "Example: edge match api.protoset 'GET /v1/shelves/1/books?page_size=10'")

    @Argument(help: "Descriptor sources, then the request as 'METHOD /path?query'.")
    var arguments: [String]

    @OptionGroup var options: SourceOptions

    @Flag(name: .customLong("ignore-unknown-query-parameters"), help: "Skip query parameters that name no field.")
    var ignoreUnknownQueryParameters = false

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
        let table = try options.routeTable(
            sources: Array(arguments.dropLast()), ignoreUnknownQueryParameters: ignoreUnknownQueryParameters)
        switch table.match(method: method, path: path, query: query) {
        case .matched(let route, let bindings):
            print("\(route.httpMethod) \(route.pattern) -> \(route.method.grpcPath)\(route.isDefaultRoute ? " (default route)" : "")")
            print("body: \(route.bodyText.isEmpty ? "-" : route.bodyText)  response body: \(route.responseBody?.name ?? "-")")
            print(Self.pretty(bindings.jsonObject()))
        case .notFound:
            print("404")
            throw ExitCode(2)
        case .methodNotAllowed(let allowed):
            print("405 (Allow: \(allowed.joined(separator: ", ")))")
            throw ExitCode(2)
        case .invalid(let error):
            print("400 \(error)")
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
