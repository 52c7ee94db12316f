#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import DescriptorLoader
import SwiftProtobuf
import Transcoder

/// Transcoding throughput: the edge's `JSONToWire` / `WireToJSON` against
/// swift-protobuf's generated code for `bench.v1` (parse + serialize), on one
/// thread, for one ~1 KB `Product` and a 50-product `ListProductsResponse`.
///
/// `EdgeBench transcode [--seconds S] [--runs N] [--schema PATH] [--fixture PATH]`
/// validates both paths, then prints a markdown table: MB/s of JSON bytes
/// (10^6 B/s; the JSON input of JSON→wire, the edge's compact JSON output of
/// wire→JSON), messages/s, ns/message (median of `runs` runs of `S` seconds),
/// and allocations per message when `Benchmarks/malloc-count.c` is preloaded
/// (`Benchmarks/transcode.sh` does that).
///
/// `EdgeBench transcode --case KEY-edge|KEY-generated --iterations N` runs one
/// workload N times and nothing else (for valgrind/callgrind; the loop is
/// `TranscodeBench.profileLoop`, see `Benchmarks/profile.sh`).
enum TranscodeBench {
    struct Options {
        var seconds = 1.0
        var runs = 5
        var schema: String?
        var fixture: String?
        var profileCase: String?
        var iterations = 1_000
    }

    static func run(_ arguments: [String]) {
        BenchFailure.exitOnError("transcode") { try run(options: parse(arguments)) }
    }

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var arguments = BenchArguments(arguments)
        while let flag = arguments.nextFlag() {
            switch flag {
            case "--seconds": options.seconds = try arguments.positiveNumber(after: flag)
            case "--runs": options.runs = Int(try arguments.positiveNumber(after: flag))
            case "--schema": options.schema = try arguments.value(after: flag)
            case "--fixture": options.fixture = try arguments.value(after: flag)
            case "--case": options.profileCase = try arguments.value(after: flag)
            case "--iterations": options.iterations = Int(try arguments.positiveNumber(after: flag))
            default:
                throw BenchFailure("unknown argument \(flag); usage: EdgeBench transcode [--seconds S] [--runs N] [--schema PATH] [--fixture PATH] [--case KEY-edge|KEY-generated --iterations N]")
            }
        }
        return options
    }

    /// `../shared/bench` next to the repository (found from this file's path).
    static var sharedBench: String {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Sources/EdgeBench/TranscodeBench.swift
        return parts.joined(separator: "/") + "/../shared/bench"
    }

    static func run(options: Options) throws {
        let schemaSource = options.schema ?? sharedBench + "/protos"
        let schema = try SchemaLoader.load(sources: [schemaSource])
        let fixtures = try TranscodeFixtures(productFile: options.fixture ?? sharedBench + "/fixtures/product.json")
        let jsonToWire = JSONToWire(schema: schema)
        let wireToJSON = WireToJSON(schema: schema)
        guard let product = schema.ordinal(of: "bench.v1.Product"),
              let list = schema.ordinal(of: "bench.v1.ListProductsResponse") else {
            throw BenchFailure("\(schemaSource) has no bench.v1.Product / bench.v1.ListProductsResponse")
        }

        var notes: [String] = []
        notes.append("JSON→wire product: " + (try TranscodeValidation.jsonToWire(Bench_V1_Product.self, json: fixtures.productJSON, converter: jsonToWire, ordinal: product)))
        notes.append("JSON→wire list50: " + (try TranscodeValidation.jsonToWire(Bench_V1_ListProductsResponse.self, json: fixtures.listJSON, converter: jsonToWire, ordinal: list)))
        let productOut = try TranscodeValidation.wireToJSON(Bench_V1_Product.self, wire: fixtures.productWire, converter: wireToJSON, ordinal: product)
        let listOut = try TranscodeValidation.wireToJSON(Bench_V1_ListProductsResponse.self, wire: fixtures.listWire, converter: wireToJSON, ordinal: list)
        notes.append("wire→JSON product: " + productOut.note)
        notes.append("wire→JSON list50: " + listOut.note)

        let cases = [
            TranscodeCase.jsonToWire(
                key: "j2w-product", title: "JSON→wire Product", Bench_V1_Product.self, json: fixtures.productJSON,
                wireBytes: fixtures.productWire.count, converter: jsonToWire, ordinal: product),
            TranscodeCase.jsonToWire(
                key: "j2w-list50", title: "JSON→wire ListProductsResponse ×50", Bench_V1_ListProductsResponse.self,
                json: fixtures.listJSON, wireBytes: fixtures.listWire.count, converter: jsonToWire, ordinal: list),
            TranscodeCase.wireToJSON(
                key: "w2j-product", title: "wire→JSON Product", Bench_V1_Product.self, wire: fixtures.productWire,
                jsonBytes: productOut.json.count, converter: wireToJSON, ordinal: product),
            TranscodeCase.wireToJSON(
                key: "w2j-list50", title: "wire→JSON ListProductsResponse ×50", Bench_V1_ListProductsResponse.self,
                wire: fixtures.listWire, jsonBytes: listOut.json.count, converter: wireToJSON, ordinal: list),
        ]

        if let key = options.profileCase {
            try profile(cases, key: key, iterations: options.iterations)
            return
        }
        try measureAll(cases, options: options, notes: notes)
    }

    static func profile(_ cases: [TranscodeCase], key: String, iterations: Int) throws {
        for c in cases {
            if key == c.key + "-edge" { return try profileLoop(c.edge, iterations) }
            if key == c.key + "-generated" { return try profileLoop(c.generated, iterations) }
        }
        throw BenchFailure("unknown case \(key); cases: " + cases.map { "\($0.key)-edge, \($0.key)-generated" }.joined(separator: ", "))
    }

    /// The only code a profiler should look at (`--toggle-collect=*profileLoop*`).
    @inline(never)
    static func profileLoop(_ body: TranscodeCase.Workload, _ iterations: Int) throws {
        var sink = 0
        for _ in 0..<iterations { sink &+= try body() }
        BenchSink.consume(sink)
        print("ran \(iterations) iterations (\(sink) bytes out)")
    }

    struct Row {
        let c: TranscodeCase
        let edge: BenchTimer.Result
        let generated: BenchTimer.Result
        let edgeAllocs: Double?
        let generatedAllocs: Double?
    }

    static func measureAll(_ cases: [TranscodeCase], options: Options, notes: [String]) throws {
        let timer = BenchTimer(seconds: options.seconds, runs: options.runs)
        print("transcode: one thread, median of \(options.runs) runs of \(BenchFormat.short(options.seconds)) s each after a warm-up")
        print("validated: " + notes.joined(separator: "; "))
        if !MallocCounter.isAvailable {
            print("allocations not counted: run through Benchmarks/transcode.sh (preloads Benchmarks/malloc-count.c)")
        }
        print("")
        var rows: [Row] = []
        for c in cases {
            let edgeAllocs = try MallocCounter.perCall(iterations: 100, c.edge)
            let generatedAllocs = try MallocCounter.perCall(iterations: 100, c.generated)
            // Interleave so that a noisy neighbour hurts both sides alike.
            let edge = try timer.measure(c.edge)
            let generated = try timer.measure(c.generated)
            rows.append(Row(c: c, edge: edge, generated: generated, edgeAllocs: edgeAllocs, generatedAllocs: generatedAllocs))
        }
        printTables(rows)
    }

    static func megabytesPerSecond(_ bytes: Int, _ ns: Double) -> Double { Double(bytes) / ns * 1e3 }

    static func printTables(_ rows: [Row]) {
        func allocs(_ a: Double?) -> String { a.map { BenchFormat.fixed($0, 1) } ?? "–" }
        print("| case | JSON B/msg | edge MB/s | generated MB/s | ratio | edge allocs/msg | generated allocs/msg |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for r in rows {
            let e = megabytesPerSecond(r.c.jsonBytes, r.edge.median)
            let g = megabytesPerSecond(r.c.jsonBytes, r.generated.median)
            print("| \(r.c.title) | \(r.c.jsonBytes) | \(BenchFormat.short(e)) | \(BenchFormat.short(g)) | \(BenchFormat.fixed(e / g, 2))× | \(allocs(r.edgeAllocs)) | \(allocs(r.generatedAllocs)) |")
        }
        print("")
        print("| case | wire B/msg | edge msgs/s | generated msgs/s | edge ns/msg (min–max) | generated ns/msg (min–max) |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for r in rows {
            func ns(_ t: BenchTimer.Result) -> String {
                "\(BenchFormat.grouped(t.median)) (\(BenchFormat.grouped(t.minimum))–\(BenchFormat.grouped(t.maximum)))"
            }
            print("| \(r.c.title) | \(r.c.wireBytes) | \(BenchFormat.grouped(1e9 / r.edge.median)) | \(BenchFormat.grouped(1e9 / r.generated.median)) | \(ns(r.edge)) | \(ns(r.generated)) |")
        }
    }
}
