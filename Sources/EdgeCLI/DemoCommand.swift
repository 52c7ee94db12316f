import ArgumentParser
import DescriptorLoader
import Edge
import EdgeDemo
import Foundation
import Logging
import EdgeConfig
import EdgePolicy

/// `edge demo`: the bookstore demo gRPC service started in-process, the edge in
/// front of it, and `curl` commands to paste. Needs nothing but this binary:
/// the demo's schema (with google.rpc's error details) is compiled in.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the edge in front of an in-process demo gRPC service (a bookstore).")

    @Option(name: .long, help: "HTTP port of the edge.")
    var port = 8080

    @Option(name: .long, help: "Port of the admin listener (/healthz, /readyz, /admin/routes, /metrics).")
    var adminPort = 9901

    @Option(name: .long, help: "Port of the demo gRPC service (0: any free port).")
    var grpcPort = 0

    func run() async throws {
        // SIGHUP is ignored until the gateway serves; from then on it is logged and ignored.
        ReloadSignal.ignore()
        let logger = Logger(label: "edge")
        let backend = try await DemoServer.start(host: "127.0.0.1", port: grpcPort)
        var builder = SchemaBuilder()
        try builder.addDescriptorSet(DemoSchema.descriptorSet, origin: "demo/bookstore.protoset")
        let schema = try builder.build()

        var server = ServerSettings(host: "127.0.0.1", port: port)
        server.limits = .defaults
        var config = EdgeConfig(
            listen: .init(server: server, admin: .init(host: "127.0.0.1", port: adminPort)),
            clusters: [
                EdgeConfig.Cluster(
                    name: "demo", endpoints: [EdgeConfig.Endpoint(host: "127.0.0.1", port: backend.port)],
                    services: ["demo.bookstore.v1"])
            ])
        config.openAPI = EdgeConfig.OpenAPI(enabled: true, docs: true, title: "edge demo: bookstore")

        // Unbuffered, so the banner shows at once also when stdout is a pipe.
        FileHandle.standardOutput.write(Data((Self.banner(port: port, adminPort: adminPort, grpcPort: backend.port) + "\n").utf8))
        do {
            // SIGHUP is handled every time: there is no file to reread, so it is logged and ignored.
            try await EdgeLauncher.run(config: config, schema: schema, environment: ProcessInfo.processInfo.environment, logger: logger)
        } catch {
            await backend.shutdown()
            throw error
        }
        await backend.shutdown()
    }

    static func banner(port: Int, adminPort: Int, grpcPort: Int) -> String {
        let base = "http://127.0.0.1:\(port)"
        let json = "-H 'content-type: application/json'"
        return """
            edge demo: the edge on \(base), in front of the demo gRPC service demo.bookstore.v1.Bookstore on 127.0.0.1:\(grpcPort)
            admin: http://127.0.0.1:\(adminPort)/admin/routes  /healthz  /readyz  /metrics
            API reference: \(base)/docs  (OpenAPI 3.1: \(base)/openapi.json, \(base)/openapi.yaml)

            Try:
              curl -s \(base)/v1/shelves
              curl -s \(base)/v1/shelves/1/books/1
              curl -s '\(base)/v1/shelves/1/books?page_size=2'
              curl -s \(base)/v2/shelves/1/books/2
              curl -s \(base)/v1/shelves/1/books \(json) -d '{"title":"Hyperion","author":"Dan Simmons","pageCount":482,"isbn":"9780553283686","genre":"GENRE_SCIENCE_FICTION"}'
              curl -s -X PATCH '\(base)/v1/shelves/1/books/1?update_mask=title' \(json) -d '{"title":"A New Title"}'
              curl -s -X POST \(base)/v1/shelves/2/books/5:publish \(json) -d '{}'
              curl -s '\(base)/v1/books:lookup?isbn=9780441013593'
              curl -s -X POST \(base)/demo.bookstore.v1.Bookstore/GetShelf \(json) -d '{"shelf":"1"}'
            Streaming (flushed message by message):
              curl -sN '\(base)/v1/shelves/1/books:stream?interval=0.5s'
              curl -sN '\(base)/v1/shelves/1/books:stream?interval=0.5s' -H 'Accept: text/event-stream'
              curl -sN '\(base)/v1/shelves/1/books:stream?failAfter=2'
              printf '{"title":"One","author":"A"}\\n{"title":"Two","author":"B"}\\n' | curl -s \(base)/v1/shelves/3/books:batchCreate -H 'content-type: application/x-ndjson' --data-binary @-
              printf '{"text":"hello"}\\n{"text":"dune"}\\n' | curl -sN -X POST -T - \(base)/v1/books:chat -H 'content-type: application/x-ndjson'
            Raw bodies (google.api.HttpBody):
              curl -s \(base)/v1/covers/sample.png -o cover.png -w '%{content_type} %{size_download} bytes\\n'
              curl -s \(base)/v1/covers -H 'content-type: image/png' --data-binary @cover.png
              curl -sN '\(base)/v1/covers/sample.txt:stream?chunkSize=8'
            Errors, as google.rpc.Status JSON with details:
              curl -s -i \(base)/v1/shelves/1/books \(json) -d '{"title":"","pageCount":-1}'
              curl -s -i \(base)/v1/shelves/1/books/999
              curl -s -i '\(base)/v1/debug/sleep?duration=2s' -H 'grpc-timeout: 200m'
              curl -s -i \(base)/v1/debug/fail/PERMISSION_DENIED
              curl -s -i '\(base)/v1/shelves?page_size=abc'
            Ctrl-C drains in-flight requests and stops.

            """
    }
}
