import Foundation
import XCTest
@testable import DescriptorLoader

/// A temporary directory that tests write `.proto`, YAML and descriptor-set
/// files into; descriptor sets are made by the real protoc, as users make them.
final class ProtoWorkspace {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("edge-loader-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Writes `contents` to `relative` (creating directories) and returns the full path.
    @discardableResult
    func write(_ relative: String, _ contents: String) throws -> String {
        try write(relative, Data(contents.utf8))
    }

    @discardableResult
    func write(_ relative: String, _ contents: Data) throws -> String {
        let path = self.path(relative)
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try contents.write(to: URL(fileURLWithPath: path))
        return path
    }

    func path(_ relative: String) -> String { root + "/" + relative }

    /// Runs protoc (rooted at `importRoot`, plus the bundled protos and the
    /// system includes) and writes the descriptor set to `output`.
    @discardableResult
    func descriptorSet(
        _ output: String, from protos: [String], importRoot: String = "", includeImports: Bool = true
    ) throws -> String {
        let rootPath = importRoot.isEmpty ? root : path(importRoot)
        var arguments = ["protoc", "-I\(rootPath)"]
        if let bundled = SchemaLoader.bundledProtosDirectory { arguments.append("-I\(bundled)") }
        arguments.append("-I/usr/include")
        if includeImports { arguments.append("--include_imports") }
        arguments.append("--descriptor_set_out=\(path(output))")
        arguments += protos
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let stderr = Pipe()
        process.standardError = stderr
        try process.run()
        let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SchemaError(location: "test protoc", message: message)
        }
        return path(output)
    }
}

/// The errors a load threw, as text, failing the test if it did not throw `SchemaErrors`.
func loadErrors(
    _ sources: [String], importPaths: [String] = [], protoc: ProtocCompiler = ProtocCompiler(),
    file: StaticString = #filePath, line: UInt = #line
) -> [String] {
    do {
        _ = try SchemaLoader.load(sources: sources, importPaths: importPaths, protoc: protoc)
        XCTFail("expected the load to fail", file: file, line: line)
        return []
    } catch let errors as SchemaErrors {
        return errors.errors.map(\.description)
    } catch {
        XCTFail("unexpected error type: \(error)", file: file, line: line)
        return []
    }
}

/// Asserts that some error contains every one of `fragments`.
func assertError(
    _ errors: [String], contains fragments: String..., file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertTrue(
        errors.contains { error in fragments.allSatisfy { error.contains($0) } },
        "no error contains \(fragments); errors:\n\(errors.joined(separator: "\n"))", file: file, line: line)
}
