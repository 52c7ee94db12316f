import Foundation
import NIOCore

/// The docs page's static files (Swagger UI's built bundle, its CSS, icon and
/// licence), read once from `Resources/swagger-ui/` (committed; refreshed by
/// `scripts/fetch-docs-assets.sh`). Looked up, in order: `$EDGE_DOCS_ASSETS_DIR`;
/// next to the running executable (`../share/edge/swagger-ui` for an install,
/// `../../Resources/swagger-ui` for `.build/debug/edge`, one level more for
/// `swift test`'s binaries); the source tree this file was compiled from.
public struct OpenAPIAssets: Sendable {
    public struct File: Sendable {
        public var contentType: String
        public var body: ByteBuffer
    }

    package static let marker = "swagger-ui-bundle.js"
    package static let files: [(String, String)] = [
        ("swagger-ui-bundle.js", "application/javascript; charset=utf-8"),
        ("swagger-ui.css", "text/css; charset=utf-8"),
        ("favicon-32x32.png", "image/png"),
        ("LICENSE", "text/plain; charset=utf-8"),
        ("swagger-ui-bundle.js.LICENSE.txt", "text/plain; charset=utf-8"),
        ("SOURCE", "text/plain; charset=utf-8"),
    ]

    /// By file name.
    public let byName: [String: File]

    /// The assets of the first directory found, read once per process; nil when none is found.
    public static let bundled: OpenAPIAssets? = directory.flatMap { OpenAPIAssets(directory: $0) }

    public init?(directory: String) {
        var byName: [String: File] = [:]
        for (name, contentType) in Self.files {
            guard let data = FileManager.default.contents(atPath: directory + "/" + name) else { return nil }
            byName[name] = File(contentType: contentType, body: ByteBuffer(bytes: data))
        }
        self.byName = byName
    }

    package static let directory: String? = {
        var candidates: [String] = []
        if let fromEnvironment = ProcessInfo.processInfo.environment["EDGE_DOCS_ASSETS_DIR"], !fromEnvironment.isEmpty {
            candidates.append(fromEnvironment)
        }
        var executables: [String] = []
        if let invoked = CommandLine.arguments.first, invoked.contains("/") {
            executables.append(URL(fileURLWithPath: invoked).standardizedFileURL.path)
        }
        if let resolved = Bundle.main.executableURL?.resolvingSymlinksInPath().path { executables.append(resolved) }
        for executable in executables {
            let directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
            for relative in ["../share/edge/swagger-ui", "../../Resources/swagger-ui", "../../../Resources/swagger-ui"] {
                candidates.append(directory.appendingPathComponent(relative).standardizedFileURL.path)
            }
        }
        // Sources/Edge/OpenAPI/OpenAPIAssets.swift -> <package root>/Resources/swagger-ui
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { root.deleteLastPathComponent() }
        candidates.append(root.appendingPathComponent("Resources/swagger-ui").standardizedFileURL.path)
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/" + marker) }
    }()
}
