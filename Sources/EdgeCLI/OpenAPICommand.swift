import ArgumentParser
import DescriptorLoader
import Edge
import Foundation
import NIOCore
import Transcoder
import EdgeConfig

/// `edge openapi <sources…> [--config file]`: prints the OpenAPI 3.1 document the
/// edge would serve at `/openapi.json` for these descriptor sources. With
/// `--config`, the routes' JSON options, stream formats and limits (and the
/// `openapi` title and default-route switch) come from that file; its own
/// `descriptors` are used when no sources are given.
struct OpenAPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi",
        abstract: "Print the OpenAPI 3.1 document of the given descriptor sources.")

    @Argument(help: "Descriptor sources (descriptor sets, `.proto` files or directories).")
    var sources: [String] = []

    @Option(name: .long, help: "A configuration file: per-route JSON options and limits (and descriptors when no sources are given).")
    var config: String?

    @Option(name: .long, help: "json or yaml.")
    var format: String = "json"

    @Option(name: .customLong("import-path"), help: "A directory to resolve `.proto` imports from (repeatable).")
    var importPaths: [String] = []

    @Flag(name: .customLong("default-routes"), help: "Document the `POST /pkg.Service/Method` route of every method too.")
    var defaultRoutes = false

    func validate() throws {
        guard format == "json" || format == "yaml" else { throw ValidationError("--format is json or yaml") }
        guard !sources.isEmpty || config != nil else { throw ValidationError("name descriptor sources, or --config") }
    }

    func run() throws {
        var edgeConfig = EdgeConfig()
        var sources = self.sources
        var importPaths = self.importPaths
        if let config {
            edgeConfig = try ValidateCommand.loadConfigOrExit(config)
            if sources.isEmpty {
                sources = edgeConfig.descriptors.sources
                importPaths += edgeConfig.descriptors.importPaths
            }
        }
        if defaultRoutes { edgeConfig.openAPI.defaultRoutes = true }
        let schema: Schema
        let table: RouteTable
        do {
            schema = try GatewaySchema.load(sources: sources, importPaths: importPaths)
            table = try RouteTable(schema: schema, options: .init(defaultRoutes: true))
        } catch let errors as SchemaErrors {
            for error in errors.errors { SourceOptions.printError(error.description) }
            throw ExitCode(1)
        } catch let error as SchemaError {
            SourceOptions.printError(error.description)
            throw ExitCode(1)
        }
        var settings = edgeConfig.openAPI
        settings.docs = false
        let policies = RoutePolicies(config: edgeConfig)
        let document = OpenAPIDocument(
            schema: schema, table: table, policies: policies, settings: settings, security: .from(config: edgeConfig, policies: policies))
        let bytes = format == "yaml" ? document.yaml : document.json
        FileHandle.standardOutput.write(Data(bytes.readableBytesView))
    }
}
