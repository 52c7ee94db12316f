import ArgumentParser
import Edge
import Foundation
import Logging
import EdgeConfig

/// `edge serve --config <file>`: validates like `edge validate` (same messages,
/// exit 1), discovers the schema of `reflection: true` clusters, then serves
/// until SIGTERM/SIGINT and drains. SIGHUP, `POST /admin/reload` and (with
/// `reload.watch`) file changes reload the configuration without a restart.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the gateway.")

    @Option(name: .long, help: "The YAML configuration file.")
    var config: String

    func run() async throws {
        // SIGHUP reloads once the gateway serves; until then (and while it drains) it is ignored.
        ReloadSignal.ignore()
        let config = try ValidateCommand.loadConfigOrExit(self.config)
        if !config.clusters.contains(where: \.reflection) {
            // Without reflection everything can be checked before any socket opens.
            _ = try ValidateCommand.loadOrExit(self.config)
        }
        let logger = Logger(label: "edge")
        do {
            try await EdgeLauncher.run(configFile: self.config, environment: ProcessInfo.processInfo.environment, logger: logger)
        } catch let error as GatewayLoadError {
            var standardError = StandardError()
            print(error.description, to: &standardError)
            throw ExitCode(1)
        }
    }
}
