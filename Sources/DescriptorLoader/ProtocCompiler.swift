import Foundation

/// Runs `protoc` to turn `.proto` files into a `FileDescriptorSet`.
///
/// The executable is found once per compile: an explicit ``executable``, else
/// `$PROTOC`, else the first `protoc` on `$PATH` of ``environment``. Both are
/// injectable so tests (and embedders) can pin a compiler or simulate its
/// absence without touching the real environment.
public struct ProtocCompiler: Sendable {
    /// A path to a `protoc` binary; `nil` means look it up.
    public var executable: String?
    /// The environment searched for `PROTOC`/`PATH` and passed to `protoc`.
    public var environment: [String: String]

    public init(executable: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.executable = executable
        self.environment = environment
    }

    /// What to do when no compiler can be found; part of every "no protoc" error.
    public static let installHint =
        "install protoc (apt-get install protobuf-compiler) or pass a descriptor set built with: "
        + "protoc --include_imports --descriptor_set_out=api.pb ..."

    /// The `protoc` binary this compiler will run.
    public func locate() throws -> String {
        if let executable {
            guard FileManager.default.isExecutableFile(atPath: executable) else {
                throw SchemaError(location: executable, message: "protoc is not an executable file; \(Self.installHint)")
            }
            return executable
        }
        if let fromEnvironment = environment["PROTOC"], !fromEnvironment.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: fromEnvironment) else {
                throw SchemaError(
                    location: "PROTOC=\(fromEnvironment)", message: "not an executable file; \(Self.installHint)")
            }
            return fromEnvironment
        }
        for directory in (environment["PATH"] ?? "").split(separator: ":") where !directory.isEmpty {
            let candidate = String(directory) + "/protoc"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw SchemaError(location: "protoc", message: "protoc was not found on PATH; \(Self.installHint)")
    }

    /// Compiles `files` (paths on disk, each under one of `importPaths`) with
    /// `--include_imports` and returns the serialized `FileDescriptorSet`.
    ///
    /// - Parameter origin: what the user named (a file or directory), for errors.
    public func compile(files: [String], importPaths: [String], origin: String) throws -> [UInt8] {
        let protoc = try locate()
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("edge-\(UUID().uuidString).protoset").path
        defer { try? FileManager.default.removeItem(atPath: output) }

        // Source info carries the comments, which the OpenAPI document shows as descriptions.
        var arguments = ["--include_imports", "--include_source_info", "--descriptor_set_out=\(output)"]
        for path in importPaths { arguments.append("-I\(path)") }
        arguments += files

        let process = Process()
        process.executableURL = URL(fileURLWithPath: protoc)
        process.arguments = arguments
        process.environment = environment
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw SchemaError(location: origin, message: "cannot run \(protoc): \(error); \(Self.installHint)")
        }
        // Read to EOF before waiting, so a chatty protoc cannot block on a full pipe.
        let messages = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()

        guard process.terminationStatus == 0 else {
            let text = String(decoding: messages, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw SchemaError(
                location: origin,
                message: "protoc failed (exit \(process.terminationStatus)):\n\(text)\n"
                    + "command: \(([protoc] + arguments).joined(separator: " "))")
        }
        guard let data = FileManager.default.contents(atPath: output) else {
            throw SchemaError(location: origin, message: "protoc wrote no descriptor set to \(output)")
        }
        return Array(data)
    }
}
