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

    /// THE factory the gateway is wired through: the transcoder, the upstream
    /// client, the route list, the `google.rpc.Status` details renderer and the
    /// readiness probe. At merge, replace the two `Unwired…` values with the real
    /// `RouteTable`/`JSONToWire`/`WireToJSON` transcoder and the `UpstreamPool`,
    /// and set `detailsRenderer` to `WireToJSON` over `google.rpc.Status.details`.
    static func makeComponents(config: EdgeConfig, schema: Schema, group: any EventLoopGroup) throws -> GatewayComponents<UnwiredTranscoder> {
        GatewayComponents(
            transcoder: UnwiredTranscoder(),
            upstream: UnwiredUpstream(),
            routes: ConfigSchemaCheck.routeDescriptions(config, schema: schema),
            detailsRenderer: nil,
            upstreamsReachable: { false })
    }
}

/// Placeholder until the transcoder branch is merged: every request is answered
/// 501 UNIMPLEMENTED naming what is missing (never a silent success).
struct UnwiredTranscoder: RequestTranscoding {
    typealias Route = Void

    func match(method: HTTPMethod, uri: String) -> Result<MatchedRoute<Void>, EdgeError> {
        .failure(EdgeError(code: .unimplemented, message: "this build has no transcoder wired in (see ServeCommand.makeComponents)"))
    }

    func prepare(_ route: MatchedRoute<Void>, body: ByteBuffer?) -> Result<ByteBuffer, EdgeError> {
        .failure(EdgeError(code: .unimplemented, message: "no transcoder"))
    }

    func render(_ message: ByteBuffer?, for route: MatchedRoute<Void>) -> Result<ByteBuffer, EdgeError> {
        .failure(EdgeError(code: .unimplemented, message: "no transcoder"))
    }
}

/// Placeholder until the upstream branch is merged: every call is UNAVAILABLE.
struct UnwiredUpstream: UpstreamCalling {
    func call(_ request: UpstreamRequest, policy: CallPolicy, on eventLoop: any EventLoop) -> EventLoopFuture<UpstreamResponse> {
        eventLoop.makeSucceededFuture(UpstreamResponse(status: GRPCStatus(code: .unavailable, message: "no upstream client wired in")))
    }
}
