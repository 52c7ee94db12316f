import ArgumentParser
import DescriptorLoader
import Edge
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// `edge serve --config <file>`: validates like `edge validate` (same messages,
/// exit 1), loads the schema, then serves until SIGTERM/SIGINT and drains.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the gateway.")

    @Option(name: .long, help: "The YAML configuration file.")
    var config: String

    func run() async throws {
        let (config, schema) = try ValidateCommand.loadOrExit(self.config)
        let logger = Logger(label: "edge")
        try await EdgeLauncher.run(config: config, environment: ProcessInfo.processInfo.environment, logger: logger) { group in
            try Self.makeComponents(config: config, schema: schema, group: group)
        }
    }

    /// The one place the gateway is wired together: the schema transcoder, the
    /// upstream client, the route list, the `google.rpc.Status` details renderer
    /// and the readiness probe.
    static func makeComponents(config: EdgeConfig, schema: Schema, group: any EventLoopGroup) throws -> GatewayComponents<SchemaTranscoder> {
        let transcoder = try SchemaTranscoder(schema: schema, config: config)
        let upstream = try UpstreamPool(config: config)
        upstream.startHealthChecks(on: group.next())
        let reachability = UpstreamReachability(config: config)
        reachability.start(on: group.next())
        return GatewayComponents(
            transcoder: transcoder,
            upstream: upstream,
            routes: ConfigSchemaCheck.routeDescriptions(config, schema: schema),
            detailsRenderer: transcoder.detailsRenderer(schema: schema),
            upstreamsReachable: { reachability.allReachable },
            upstreamsStatus: { upstream.upstreamStatus() })
    }
}
