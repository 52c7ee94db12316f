import EdgeDemo
import XCTest

@testable import Edge

/// The set-up the observability suites share: the demo bookstore started here, and a
/// ``ReloadHarness`` whose `keys.yaml` holds one API key (consumer `web`, key ``key``).
/// Each suite writes its own `edge.yaml` and starts the harness.
class DemoBehindKeysTestCase: XCTestCase {
    var demo: RunningDemoServer!
    var harness: ReloadHarness!

    static let key = "web-key-1"
    static let digest = "383653053e2c86930cfe95e7ddce007a6b77c1774716874c414228efd006f430"

    override func setUpWithError() throws {
        demo = try EndToEndFixture.blocking { try await DemoServer.start(host: "127.0.0.1", port: 0) }
        harness = try ReloadHarness()
        try harness.write("keys.yaml", "web: \(Self.digest)\n")
    }

    override func tearDownWithError() throws {
        harness?.shutdown()
        let demo = self.demo
        _ = try? EndToEndFixture.blocking { await demo?.shutdown(gracePeriod: .seconds(1)) }
    }
}
