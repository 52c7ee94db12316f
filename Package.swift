// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "edge",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "edge", targets: ["EdgeCLI"]),
        .library(name: "DescriptorLoader", targets: ["DescriptorLoader"]),
        .library(name: "Transcoder", targets: ["Transcoder"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
    ],
    targets: [
        .target(
            name: "DescriptorLoader",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "Transcoder",
            dependencies: ["DescriptorLoader"]
        ),
        // The hand-written Redis client (RESP2 over SwiftNIO) for global rate limits.
        .target(
            name: "EdgeRedis",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The gateway, in targets that depend on each other one way (docs/server.md):
        // EdgeCore ← EdgeTLS ← EdgeConfig ← EdgeUpstream ← EdgePolicy ← Edge.
        // Values every part shares: errors and gRPC statuses, metadata rules, overload counters, addresses.
        .target(
            name: "EdgeCore",
            dependencies: [
                "Transcoder",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Atomics", package: "swift-atomics"),
            ]
        ),
        // Certificates and keys, the listener's TLS contexts (SNI, reload) and the peer's identity.
        .target(
            name: "EdgeTLS",
            dependencies: [
                "EdgeCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The configuration model (plain values, one settings struct per runtime part) and its parser.
        .target(
            name: "EdgeConfig",
            dependencies: [
                "EdgeCore", "EdgeTLS", "DescriptorLoader", "Transcoder",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The upstream gRPC client on swift-nio-http2: clusters, resilience, health, reflection.
        .target(
            name: "EdgeUpstream",
            dependencies: [
                "EdgeCore", "EdgeTLS", "EdgeConfig", "DescriptorLoader",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Atomics", package: "swift-atomics"),
            ]
        ),
        // The policy chain and its policies (auth, IP rules, CORS, rate limits) and observers.
        .target(
            name: "EdgePolicy",
            dependencies: [
                "EdgeCore", "EdgeTLS", "EdgeConfig", "EdgeUpstream", "EdgeRedis", "Transcoder",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ]
        ),
        // The server: listener, routing, admission, streaming, OpenAPI, admin, reload, assembly.
        .target(
            name: "Edge",
            dependencies: [
                "EdgeCore", "EdgeTLS", "EdgeConfig", "EdgeUpstream", "EdgePolicy",
                "DescriptorLoader", "Transcoder",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The in-process demo service (`edge demo`) and the test backends: grpc-swift-2.
        // Generated code is committed (see scripts/generate-demo.sh); no build plugin runs.
        .target(
            name: "EdgeDemo",
            dependencies: [
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .executableTarget(
            name: "EdgeCLI",
            dependencies: [
                "DescriptorLoader",
                "Transcoder",
                "EdgeCore", "EdgeTLS", "EdgeConfig", "EdgeUpstream", "EdgePolicy", "Edge",
                "EdgeDemo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "EdgeBench",
            dependencies: [
                "DescriptorLoader", "Transcoder", "EdgeCore", "EdgeConfig", "EdgeUpstream", "EdgePolicy", "Edge",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .testTarget(name: "DescriptorLoaderTests", dependencies: ["DescriptorLoader"]),
        .testTarget(name: "TranscoderTests", dependencies: ["Transcoder", "DescriptorLoader"]),
        .testTarget(
            name: "EdgeRedisTests",
            dependencies: [
                "EdgeRedis",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]),
        .testTarget(
            name: "EdgeTests",
            dependencies: [
                "EdgeCore", "EdgeTLS", "EdgeConfig", "EdgeUpstream", "EdgePolicy", "Edge", "EdgeDemo", "Transcoder",
                "DescriptorLoader",
            ]),
    ]
)

// libFuzzer targets (Fuzz/): built only by scripts/fuzz.sh, which sets EDGE_FUZZ=1 and
// passes -sanitize=fuzzer (they call libFuzzer's driver, so they cannot link in a normal build).
// EDGE_FUZZ=harness (CI, in the debug build the tests already made): only the fuzz targets are
// compiled with -sanitize=fuzzer, everything they call is reused as built.
if let fuzz = Context.environment["EDGE_FUZZ"] {
    let harnessOnly = fuzz == "harness" ? ["-sanitize=fuzzer"] : []
    package.targets.append(.target(name: "CFuzzDriver", path: "Fuzz/CFuzzDriver"))
    package.targets.append(
        .target(name: "FuzzSupport", dependencies: ["CFuzzDriver", "DescriptorLoader", "Transcoder"], path: "Fuzz/FuzzSupport"))
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("FuzzJSONToWire", ["Transcoder"]),
        ("FuzzWireToJSON", ["Transcoder"]),
        ("FuzzPathTemplate", ["Transcoder"]),
        ("FuzzRouteMatch", ["Transcoder"]),
        ("FuzzJSONStreamSplitter", ["Transcoder"]),
        ("FuzzHeadValidator", ["Edge", "EdgeCore", "EdgeConfig", .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "NIOEmbedded", package: "swift-nio"),
                               .product(name: "NIOHTTP1", package: "swift-nio")]),
        ("FuzzGRPCResponseDecoder", ["EdgeUpstream", .product(name: "NIOCore", package: "swift-nio"),
                                     .product(name: "NIOHPACK", package: "swift-nio-http2")]),
        ("FuzzRESPReply", ["EdgeRedis", .product(name: "NIOCore", package: "swift-nio")]),
        ("FuzzJWT", ["EdgePolicy", "EdgeConfig", .product(name: "Crypto", package: "swift-crypto"), .product(name: "JWTKit", package: "jwt-kit")]),
    ]
    for target in fuzzTargets {
        package.targets.append(
            .executableTarget(
                name: target.name, dependencies: ["FuzzSupport"] + target.dependencies, path: "Fuzz/\(target.name)",
                swiftSettings: [.unsafeFlags(["-parse-as-library"] + harnessOnly)],
                linkerSettings: [.unsafeFlags(harnessOnly)]))
    }
}
