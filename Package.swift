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
        .executableTarget(
            name: "EdgeCLI",
            dependencies: [
                "DescriptorLoader",
                "Transcoder",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "EdgeBench",
            dependencies: ["DescriptorLoader", "Transcoder", .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        .testTarget(name: "DescriptorLoaderTests", dependencies: ["DescriptorLoader"]),
        .testTarget(name: "TranscoderTests", dependencies: ["Transcoder", "DescriptorLoader"]),
    ]
)
