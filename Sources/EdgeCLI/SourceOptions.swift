import ArgumentParser
import DescriptorLoader
import Foundation
import Transcoder

/// Options shared by the commands that load descriptor sources and build the route table.
struct SourceOptions: ParsableArguments {
    @Option(name: .customLong("import-path"), help: "A directory to resolve `.proto` imports from (repeatable).")
    var importPaths: [String] = []

    @Flag(name: .customLong("no-default-routes"), help: "Do not add `POST /pkg.Service/Method` (body `*`) for every method.")
    var noDefaultRoutes = false

    /// Loads the sources and compiles the route table; on errors prints every
    /// problem to stderr and exits with status 1.
    func routeTable(sources: [String], ignoreUnknownQueryParameters: Bool = false) throws -> RouteTable {
        let schema = try schema(sources: sources)
        return try reportingErrors {
            try RouteTable(
                schema: schema,
                options: .init(defaultRoutes: !noDefaultRoutes, ignoreUnknownQueryParameters: ignoreUnknownQueryParameters))
        }
    }

    /// Loads the sources; on errors prints every problem to stderr and exits with status 1.
    func schema(sources: [String]) throws -> Schema {
        try reportingErrors { try SchemaLoader.load(sources: sources, importPaths: importPaths) }
    }

    func reportingErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let errors as SchemaErrors {
            for error in errors.errors { Self.printError(error.description) }
            throw ExitCode(1)
        } catch let error as SchemaError {
            Self.printError(error.description)
            throw ExitCode(1)
        }
    }

    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
