#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import DescriptorLoader
import Transcoder

/// Route matching cost against tables of 10, 1,000 and 10,000 routes.
///
/// Each table has REST-shaped resources (`/v1/projects/{project}/resourceN/{id}`
/// with list, get, create, delete and a custom verb), so the trie has a wide
/// literal level, variables before and after it, and verbs. Reports ns per
/// `match` (binding included) as min and median over many batches.
enum RouteBench {
    static func run() {
        print("route table match, ns per call (min / median of \(batches) batches of \(iterations))")
        print(pad("routes", 8) + pad("request", 62) + pad("result", 13) + pad("min", 9) + pad("median", 9))
        for routeCount in [10, 1_000, 10_000] {
            let table = makeTable(routes: routeCount)
            let resources = routeCount / 5
            let last = resources - 1
            let mid = resources / 2
            let requests: [(String, String, String?)] = [
                ("GET", "/v1/projects/p1/resource\(last)/abc", nil),
                ("GET", "/v1/projects/p1/resource\(mid)", "page_size=10&filter=a+b"),
                ("POST", "/v1/projects/p1/resource\(mid)/abc:archive", nil),
                ("DELETE", "/v1/projects/p1/resource\(mid)", nil),
                ("GET", "/v1/projects/p1/nothing/abc", nil),
            ]
            for (method, path, query) in requests {
                let (result, minimum, median) = measure(table, method, path, query)
                let label = method + " " + path + (query.map { "?" + $0 } ?? "")
                print(pad("\(table.routes.count)", 8) + pad(label, 62) + pad(result, 13) + pad(format(minimum), 9) + pad(format(median), 9))
            }
        }
    }

    /// `EDGEBENCH_BATCHES` / `EDGEBENCH_ITERATIONS` shrink the run (e.g. under valgrind).
    static let batches = environment("EDGEBENCH_BATCHES") ?? 40
    static let iterations = environment("EDGEBENCH_ITERATIONS") ?? 20_000

    static func environment(_ name: String) -> Int? {
        getenv(name).flatMap { Int(String(cString: $0)) }
    }

    static func measure(_ table: RouteTable, _ method: String, _ path: String, _ query: String?) -> (String, Double, Double) {
        let clock = ContinuousClock()
        var sink = 0
        var samples: [Double] = []
        var result = ""
        switch table.match(method: method, path: path, query: query) {
        case .matched(let route, _): result = route.method.name
        case .notFound: result = "404"
        case .methodNotAllowed: result = "405"
        case .invalid: result = "400"
        }
        for _ in 0..<batches {
            let start = clock.now
            for _ in 0..<iterations {
                if case .matched(_, let bindings) = table.match(method: method, path: path, query: query) {
                    sink &+= bindings.count
                } else {
                    sink &+= 1
                }
            }
            let elapsed = clock.now - start
            let ns = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
            samples.append(ns / Double(iterations))
        }
        if sink == -1 { print(sink) }
        samples.sort()
        return (result, samples[0], samples[samples.count / 2])
    }

    /// `routes` routes: five per resource (list, create, get, delete, `:archive`).
    static func makeTable(routes: Int) -> RouteTable {
        func field(_ name: String, _ json: String, _ number: Int32, _ type: FieldType) -> FieldSchema {
            FieldSchema(
                name: name, jsonName: json, number: number, type: type, cardinality: .optional, typeName: nil,
                oneofIndex: nil, isProto3Optional: false, hasPresence: false, isPacked: false, defaultValue: nil,
                mapEntryTypeName: nil)
        }
        let request = MessageSchema(
            fullName: "bench.Request",
            fields: [
                field("project", "project", 1, .string), field("id", "id", 2, .string),
                field("page_size", "pageSize", 3, .int32), field("filter", "filter", 4, .string),
            ],
            oneofs: [], isMapEntry: false, syntax: .proto3, file: "bench.proto")
        let origin = HTTPRule.Origin.annotation(file: "bench.proto")
        var methods: [MethodSchema] = []
        for resource in 0..<(routes / 5) {
            let collection = "/v1/projects/{project}/resource\(resource)"
            let shapes: [(String, String, String, String)] = [
                ("List", "GET", collection, ""),
                ("Create", "POST", collection, "*"),
                ("Get", "GET", collection + "/{id}", ""),
                ("Delete", "DELETE", collection + "/{id}", ""),
                ("Archive", "POST", collection + "/{id}:archive", "*"),
            ]
            for (name, verb, pattern, body) in shapes {
                methods.append(
                    MethodSchema(
                        name: "\(name)\(resource)", serviceName: "bench.Service", inputType: "bench.Request",
                        outputType: "bench.Request", clientStreaming: false, serverStreaming: false,
                        idempotencyLevel: .unknown,
                        httpRules: [HTTPRule(httpMethod: verb, pattern: pattern, body: body, responseBody: "", origin: origin)]))
            }
        }
        let schema = Schema(
            messages: ["bench.Request": request], enums: [:],
            services: ["bench.Service": ServiceSchema(fullName: "bench.Service", methods: methods, file: "bench.proto")],
            files: ["bench.proto"])
        do {
            return try RouteTable(schema: schema, options: .init(defaultRoutes: false))
        } catch {
            fatalError("\(error)")
        }
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    static func format(_ value: Double) -> String {
        String(Int(value.rounded()))
    }
}
