import ArgumentParser
import Transcoder

/// `edge routes`: the route table the sources give, one route per line.
struct RoutesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes",
        abstract: "List the HTTP routes of the given descriptor sources.")

    @Argument(help: "Descriptor sources (descriptor sets, `.proto` files or directories).")
    var sources: [String]

    @OptionGroup var options: SourceOptions

    func run() throws {
        let table = try options.routeTable(sources: sources)
        let header = ["METHOD", "TEMPLATE", "GRPC METHOD", "BODY", "RESPONSE BODY"]
        let rows = table.routes.map { route in
            [
                route.httpMethod, route.pattern, route.method.grpcPath, route.bodyText.isEmpty ? "-" : route.bodyText,
                route.responseBody?.name ?? "-",
            ]
        }
        print(Self.format([header] + rows), terminator: "")
    }

    /// Left-aligned columns separated by two spaces; no trailing spaces.
    static func format(_ rows: [[String]]) -> String {
        guard let columns = rows.first?.count else { return "" }
        var widths = [Int](repeating: 0, count: columns)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        var text = ""
        for row in rows {
            var line = ""
            for (i, cell) in row.enumerated() {
                line += cell
                if i < columns - 1 { line += String(repeating: " ", count: widths[i] - cell.count + 2) }
            }
            while line.last == " " { line.removeLast() }
            text += line + "\n"
        }
        return text
    }
}
