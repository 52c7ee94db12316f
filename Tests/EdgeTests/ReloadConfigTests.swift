import Edge
import Foundation
import NIOCore
import XCTest
import EdgeConfig
import EdgeCore

/// The `reload:` section and the cluster `reflection:` key, parsed with problems and
/// locations like the rest of the file; and the file watcher's fingerprint.
final class ReloadConfigTests: XCTestCase {
    private func parse(_ yaml: String) -> Result<EdgeConfig, ConfigError> {
        ConfigLoader.parse(yaml: yaml, checkFiles: false)
    }

    func testDefaults() throws {
        let config = try parse("descriptors: [a.pb]\nclusters: [{name: a, endpoints: [\"h:1\"], services: [x]}]\n").get()
        XCTAssertEqual(config.reload, EdgeConfig.Reload(watch: false, pollInterval: .seconds(2)))
        XCTAssertEqual(config.clusters.first?.reflection, false)
    }

    func testReloadAndReflectionKeys() throws {
        let config = try parse("""
            reload: {watch: true, poll_interval: 500ms}
            clusters:
              - name: a
                endpoints: ["h:1"]
                reflection: true

            """).get()
        XCTAssertEqual(config.reload, EdgeConfig.Reload(watch: true, pollInterval: .milliseconds(500)))
        XCTAssertEqual(config.clusters.first?.reflection, true)
        // With a reflection cluster, neither descriptors nor services are required.
        XCTAssertEqual(config.descriptors.sources, [])
        XCTAssertEqual(config.clusters.first?.services, [])
    }

    func testProblemsAreLocated() {
        let result = parse("""
            descriptors: [a.pb]
            reload: {watch: sometimes, poll_interval: 10ms, every: 1s}
            clusters:
              - name: a
                endpoints: ["h:1"]
                reflection: maybe

            """)
        guard case .failure(let error) = result else { return XCTFail("accepted") }
        let text = error.problems.map(\.description)
        XCTAssertTrue(text.contains { $0.hasPrefix("reload.watch (line 2)") }, "\(text)")
        XCTAssertTrue(text.contains { $0.hasPrefix("reload.poll_interval (line 2)") && $0.contains("at least 100ms") }, "\(text)")
        XCTAssertTrue(text.contains { $0.contains("every") }, "\(text)")
        XCTAssertTrue(text.contains { $0.hasPrefix("clusters[0].reflection (line 6)") }, "\(text)")
        // No reflection: services are still required.
        XCTAssertTrue(text.contains { $0.hasPrefix("clusters[0].services") }, "\(text)")
    }

    func testDescriptorsStillRequiredWithoutReflection() {
        guard case .failure(let error) = parse("clusters: [{name: a, endpoints: [\"h:1\"], services: [x]}]\n") else { return XCTFail("accepted") }
        XCTAssertTrue(error.problems.contains { $0.path == "descriptors" }, "\(error)")
        guard case .failure(let empty) = parse("descriptors: []\nclusters: [{name: a, endpoints: [\"h:1\"], services: [x]}]\n") else { return XCTFail("accepted") }
        XCTAssertTrue(empty.problems.contains { $0.path == "descriptors" && $0.message.contains("at least one source") }, "\(empty)")
    }

    func testFingerprintSeesEdits() throws {
        let directory = NSTemporaryDirectory() + "edge-fingerprint-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/protos", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/edge.yaml"
        try Data("a: 1\n".utf8).write(to: URL(fileURLWithPath: file))
        try Data("x".utf8).write(to: URL(fileURLWithPath: directory + "/protos/a.proto"))
        var config = EdgeConfig()
        config.descriptors.sources = [directory + "/protos"]
        let files = ReloadFileWatcher.files(configFile: file, config: config)
        XCTAssertEqual(files, [file, directory + "/protos/a.proto"])

        let before = ReloadFileWatcher.fingerprint(files)
        XCTAssertEqual(before, ReloadFileWatcher.fingerprint(files))
        try Data("a: 22\n".utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
        let edited = ReloadFileWatcher.fingerprint(files)
        XCTAssertNotEqual(before, edited)
        try FileManager.default.removeItem(atPath: directory + "/protos/a.proto")
        XCTAssertNotEqual(edited, ReloadFileWatcher.fingerprint(files))
    }
}
