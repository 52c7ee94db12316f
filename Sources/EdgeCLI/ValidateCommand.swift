import ArgumentParser
import DescriptorLoader
import Edge
import Foundation
import EdgeConfig

/// `edge validate <config>`: prints every problem (exit 1) or a summary (exit 0).
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a configuration file and the descriptors it names; print every problem.")

    @Argument(help: "The YAML configuration file.")
    var config: String

    func run() throws {
        let parsed = try Self.loadConfigOrExit(self.config)
        let discovered = parsed.clusters.filter(\.reflection).map(\.name)
        if !discovered.isEmpty {
            // Their schema comes from the running backends: `edge serve` checks it at start.
            print("\(self.config): configuration OK")
            print("  descriptors: \(parsed.descriptors.sources.count) source(s), plus server reflection of cluster(s) \(discovered.joined(separator: ", ")) (checked by edge serve at start)")
            print("  clusters: " + parsed.clusters.map { "\($0.name) (\($0.endpoints.count) endpoint(s))" }.joined(separator: ", "))
            return
        }
        let (config, schema) = try Self.loadOrExit(self.config)
        let routes = ConfigSchemaCheck.routeDescriptions(config, schema: schema)
        let limits = config.listen.server.limits
        print("\(self.config): OK")
        print("  listen \(config.listen.server.host):\(config.listen.server.port), admin \(config.listen.admin.host):\(config.listen.admin.port)")
        if let tls = config.listen.server.tls {
            print("  tls: \(tls.certificates.count) certificate(s), client certificates \(tls.clientCertificates.rawValue)")
        }
        print("  limits: headers \(limits.maxHeaderBytes) B, body \(limits.maxBodyBytes) B, url \(limits.maxURLBytes) B")
        print("  descriptors: \(config.descriptors.sources.count) source(s), \(schema.services.count) service(s), \(schema.methods.count) method(s)")
        print("  clusters: " + config.clusters.map { "\($0.name) (\($0.endpoints.count) endpoint(s))" }.joined(separator: ", "))
        print("  routes: \(routes.count) HTTP route(s), \(config.routes.count) override(s), default routes \(config.defaultRoutes ? "on" : "off")")
    }

    /// Loads and validates the file alone; on any problem prints them all and exits 1.
    static func loadConfigOrExit(_ file: String) throws -> EdgeConfig {
        do {
            return try ConfigLoader.load(file: file)
        } catch let error as ConfigError {
            printProblems(error)
            throw ExitCode(1)
        }
    }

    /// Loads and validates the file and its descriptors; on any problem prints them all and exits 1.
    static func loadOrExit(_ file: String) throws -> (EdgeConfig, Schema) {
        let config = try loadConfigOrExit(file)
        let schema: Schema
        do {
            schema = try GatewaySchema.load(sources: config.descriptors.sources, importPaths: config.descriptors.importPaths)
        } catch {
            printProblems(ConfigError(file: file, problems: [ConfigProblem(path: "descriptors", message: "cannot load: \(error)")]))
            throw ExitCode(1)
        }
        let problems = ConfigSchemaCheck.problems(config, schema: schema)
        if !problems.isEmpty {
            printProblems(ConfigError(file: file, problems: problems))
            throw ExitCode(1)
        }
        for warning in ConfigSchemaCheck.warnings(config, schema: schema) {
            var standardError = StandardError()
            print("warning: \(warning)", to: &standardError)
        }
        return (config, schema)
    }

    static func printProblems(_ error: ConfigError) {
        var standardError = StandardError()
        print(error.description, to: &standardError)
    }
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}
