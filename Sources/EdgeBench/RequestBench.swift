#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import DescriptorLoader
import Edge
import NIOCore
import NIOHTTP1
import Transcoder
import EdgeConfig
import EdgeUpstream

/// The transcoding work of one gateway-benchmark request, exactly as the server
/// runs it through ``ReloadingTranscoder`` (match → prepare → render), with no
/// sockets: for counting instructions (callgrind) and allocations per request.
///
/// `EdgeBench request [--config FILE] [--schema PATH] [--fixture PATH] [--case get|post|list|all] [--iterations N]`
///
/// - get: `GET /v1/products/prod-000123`, rendering one `Product`;
/// - post: `POST /v1/products` with `fixtures/product.json` (body: "product"), rendering the `Product`;
/// - list: `GET /v1/products?page_size=50`, rendering a 50-product `ListProductsResponse`.
///
/// The backend's answers are serialized by the generated code (map entries in
/// Dictionary order: set `SWIFT_DETERMINISTIC_HASHING=1` to compare runs). Prints, per case,
/// the sizes and an FNV-1a hash of the request message and the JSON body (so two
/// builds can be checked for byte-identical output) and allocations per request
/// when `Benchmarks/malloc-count.c` is preloaded. `Benchmarks/request-cost.sh`
/// runs it under callgrind.
enum RequestBench {
    struct Options {
        var config: String?
        var schema: String?
        var fixture: String?
        var cases = ["get", "post", "list"]
        var iterations = 1_000
    }

    struct Request {
        let key: String
        let method: HTTPMethod
        let uri: String
        let body: ByteBuffer?
        let answer: ByteBuffer
    }

    static func run(_ arguments: [String]) {
        BenchFailure.exitOnError("request") { try run(options: parse(arguments)) }
    }

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var arguments = BenchArguments(arguments)
        while let flag = arguments.nextFlag() {
            switch flag {
            case "--config": options.config = try arguments.value(after: flag)
            case "--schema": options.schema = try arguments.value(after: flag)
            case "--fixture": options.fixture = try arguments.value(after: flag)
            case "--case":
                let c = try arguments.value(after: flag)
                options.cases = c == "all" ? ["get", "post", "list"] : [c]
            case "--iterations": options.iterations = try arguments.count(after: flag)
            default:
                throw BenchFailure("unknown argument \(flag); usage: EdgeBench request [--config FILE] [--schema PATH] [--fixture PATH] [--case get|post|list|all] [--iterations N]")
            }
        }
        return options
    }

    static func run(options: Options) throws {
        let bench = TranscodeBench.sharedBench
        let config = try ConfigLoader.load(file: options.config ?? repositoryRoot + "/bench/edge.yaml", checkFiles: false)
        let schema = try SchemaLoader.load(sources: [options.schema ?? bench + "/protos"])
        let transcoder = try SchemaTranscoder(schema: schema, config: config)
        let snapshot = GatewaySnapshot(
            generation: 1, config: config, schema: schema, transcoder: transcoder, upstream: try UpstreamPool(config: config),
            reachability: nil, routes: [], discovered: [:])
        let reloading = ReloadingTranscoder(store: GatewaySnapshotStore(snapshot))

        let fixturePath = options.fixture ?? bench + "/fixtures/product.json"
        guard let postBody = TranscodeFixtures.readFile(fixturePath) else { throw BenchFailure("cannot read \(fixturePath)") }
        let fixtures = try TranscodeFixtures(productFile: fixturePath)
        let requests = [
            Request(key: "get", method: .GET, uri: "/v1/products/prod-000123", body: nil, answer: ByteBuffer(bytes: fixtures.productWire)),
            Request(key: "post", method: .POST, uri: "/v1/products", body: ByteBuffer(string: postBody), answer: ByteBuffer(bytes: fixtures.productWire)),
            Request(key: "list", method: .GET, uri: "/v1/products?page_size=50", body: nil, answer: ByteBuffer(bytes: fixtures.listWire)),
        ]
        for key in options.cases {
            guard let request = requests.first(where: { $0.key == key }) else {
                throw BenchFailure("unknown case \(key); cases: get, post, list, all")
            }
            let (message, json) = try once(reloading, request)
            var line = "\(key): \(request.method.rawValue) \(request.uri) → \(message.readableBytes) B message (fnv \(hash(message))), \(json.readableBytes) B JSON (fnv \(hash(json)))"
            if let allocs = MallocCounter.perCall(iterations: 100, { requestLoop(reloading, request, 1) }) {
                line += ", \(BenchFormat.fixed(allocs, 1)) allocs/request"
            }
            print(line)
            BenchSink.consume(requestLoop(reloading, request, options.iterations))
        }
    }

    /// One request, checked: the message and the JSON body.
    static func once(_ transcoder: ReloadingTranscoder, _ request: Request) throws -> (ByteBuffer, ByteBuffer) {
        let route = try transcoder.match(method: request.method, uri: request.uri).get()
        let message = try transcoder.prepare(route, body: request.body).get()
        let json = try transcoder.render(request.answer, for: route).get()
        return (message, json)
    }

    /// The measured loop: what the server's handler calls per request.
    @inline(never)
    static func requestLoop(_ transcoder: ReloadingTranscoder, _ request: Request, _ iterations: Int) -> Int {
        var sink = 0
        for _ in 0..<iterations {
            guard case .success(let route) = transcoder.match(method: request.method, uri: request.uri),
                case .success(let message) = transcoder.prepare(route, body: request.body),
                case .success(let json) = transcoder.render(request.answer, for: route)
            else { return -1 }
            sink &+= message.readableBytes &+ json.readableBytes
        }
        return sink
    }

    /// The repository (found from this file's path).
    static var repositoryRoot: String {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Sources/EdgeBench/RequestBench.swift
        return parts.joined(separator: "/")
    }

    static func hash(_ buffer: ByteBuffer) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in buffer.readableBytesView {
            h = (h ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return String(h, radix: 16)
    }
}
