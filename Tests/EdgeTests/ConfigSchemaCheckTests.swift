import DescriptorLoader
import Foundation
import XCTest
@testable import Edge
@testable import EdgeConfig

final class ConfigSchemaCheckTests: XCTestCase {
    private var fixture: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/edgetest.protoset").path
    }

    func testRouteOverridesMustNameMethodsAndClusterEntriesShouldMatch() throws {
        let schema = try SchemaLoader.load(sources: [fixture])
        let config = try ConfigLoader.parse(yaml: """
            descriptors: [x]
            clusters:
              - {name: a, endpoints: ["h:1"], services: [nowhere.v1]}
            routes:
              edgetest.Missing.Method: {timeout: 1s}
              "GET /v1/x": {timeout: 1s}
            """, checkFiles: false).get()
        XCTAssertEqual(ConfigSchemaCheck.problems(config, schema: schema).map(\.description), [
            #"routes["edgetest.Missing.Method"]: no method 'edgetest.Missing.Method' in the loaded descriptors"#
        ])
        XCTAssertEqual(ConfigSchemaCheck.warnings(config, schema: schema).map(\.description), [
            "clusters[0].services[0]: 'nowhere.v1' matches no service in the loaded descriptors"
        ])
    }
}
