import Foundation

/// Finds the `protos/` directory shipped with edge (google.api, google.rpc,
/// grpc health/reflection definitions and their prebuilt descriptor sets).
///
/// Looked up, in order: `$EDGE_PROTOS_DIR`; next to the running executable
/// (`../share/edge/protos` for an install, `../../protos` for
/// `.build/debug/edge`, `../../../protos` for the resolved
/// `.build/<triple>/debug/` binaries that `swift test` runs); and finally the
/// source tree this file was compiled from. A candidate counts only if it
/// holds `google/api/annotations.proto`.
enum BundledProtos {
    static let marker = "google/api/annotations.proto"

    /// Computed once; `nil` when no candidate holds the bundled files.
    static let directory: String? = locate(
        environment: ProcessInfo.processInfo.environment,
        executables: executablePaths(),
        sourceFile: #filePath)

    static func locate(environment: [String: String], executables: [String], sourceFile: String) -> String? {
        var candidates: [String] = []
        if let fromEnvironment = environment["EDGE_PROTOS_DIR"], !fromEnvironment.isEmpty {
            candidates.append(fromEnvironment)
        }
        for executable in executables {
            let directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
            for relative in ["../share/edge/protos", "../../protos", "../../../protos"] {
                candidates.append(directory.appendingPathComponent(relative).standardizedFileURL.path)
            }
        }
        // Sources/DescriptorLoader/BundledProtos.swift -> <package root>/protos
        candidates.append(
            URL(fileURLWithPath: sourceFile).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("protos").standardizedFileURL.path)
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/" + marker) }
    }

    /// The executable as invoked (keeps `.build/debug` symlinks) and as resolved.
    private static func executablePaths() -> [String] {
        var paths: [String] = []
        if let invoked = CommandLine.arguments.first, invoked.contains("/") {
            paths.append(URL(fileURLWithPath: invoked).standardizedFileURL.path)
        }
        if let resolved = Bundle.main.executableURL?.resolvingSymlinksInPath().path {
            paths.append(resolved)
        }
        return paths
    }
}
