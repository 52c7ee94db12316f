import EdgeDemo
import Foundation
import NIOCore
import NIOPosix
import XCTest

@testable import Edge
@testable import EdgeConfig
@testable import EdgeUpstream

/// Outlier ejection: the limits without sockets, then a dead endpoint (a closed port)
/// beside the demo bookstore, over real TCP.
final class OutlierDetectionTests: XCTestCase {
    // MARK: Limits

    func testMaxEjected() {
        let configuration = OutlierDetectionConfiguration(maxEjectionPercent: 50)
        XCTAssertEqual(configuration.maxEjected(endpointCount: 1), 0, "a lone endpoint is never ejected")
        XCTAssertEqual(configuration.maxEjected(endpointCount: 2), 1)
        XCTAssertEqual(configuration.maxEjected(endpointCount: 3), 1)
        XCTAssertEqual(configuration.maxEjected(endpointCount: 10), 5)
        XCTAssertEqual(OutlierDetectionConfiguration(maxEjectionPercent: 10).maxEjected(endpointCount: 3), 1, "one may always be ejected")
        XCTAssertEqual(OutlierDetectionConfiguration(maxEjectionPercent: 0).maxEjected(endpointCount: 3), 0)
        XCTAssertEqual(OutlierDetectionConfiguration.disabled.maxEjected(endpointCount: 3), 0)
    }

    func testEjectionTimeGrowsWithEachEjection() {
        let configuration = OutlierDetectionConfiguration(baseEjectionTime: .seconds(30))
        var record = EndpointHealthRecord()
        let now = NIODeadline.now()
        XCTAssertEqual(record.eject(now: now, configuration: configuration), .seconds(30))
        XCTAssertEqual(record.eject(now: now, configuration: configuration), .seconds(60))
        for _ in 0..<20 { _ = record.eject(now: now, configuration: configuration) }
        XCTAssertEqual(record.eject(now: now, configuration: configuration), .seconds(300), "capped at 10 × base")
        XCTAssertFalse(record.inRotation)
    }

    func testEjectionRespectsTheLimitAndEnds() {
        let endpoints = (1...3).map { UpstreamEndpoint(host: "10.0.0.\($0)", port: 1) }
        let health = UpstreamEndpointHealth(endpoints: endpoints)
        let configuration = OutlierDetectionConfiguration(maxEjectionPercent: 50)
        let until = try? XCTUnwrap(health.eject(endpoint: 0, configuration: configuration))
        XCTAssertNotNil(until)
        XCTAssertNil(health.eject(endpoint: 0, configuration: configuration), "already ejected")
        XCTAssertNil(health.eject(endpoint: 1, configuration: configuration), "50% of 3 is 1")
        XCTAssertEqual(health.rotation().indices, [1, 2])
        health.endEjection(endpoint: 0, until: until!)
        XCTAssertEqual(health.rotation().indices, [0, 1, 2])
        XCTAssertNotNil(health.eject(endpoint: 1, configuration: configuration))
    }

    func testCountsOnlyFailuresInARow() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let endpoints = [UpstreamEndpoint(host: "a", port: 1), UpstreamEndpoint(host: "b", port: 1)]
        let health = UpstreamEndpointHealth(endpoints: endpoints)
        let detector = OutlierDetector(configuration: .init(consecutiveFailures: 3), health: health)
        let loop = group.next()
        detector.record(endpoint: 0, code: .unavailable, on: loop)
        detector.record(endpoint: 0, code: .internal, on: loop)
        detector.record(endpoint: 0, code: .notFound, on: loop)  // an answer: resets
        XCTAssertEqual(detector.consecutiveFailures(endpoint: 0), 0)
        detector.record(endpoint: 0, code: .deadlineExceeded, on: loop)
        detector.record(endpoint: 0, code: .unavailable, on: loop)
        XCTAssertEqual(health.rotation().indices, [0, 1])
        detector.record(endpoint: 0, code: .unavailable, on: loop)
        XCTAssertEqual(health.rotation().indices, [1])
        XCTAssertEqual(health.snapshot[0].ejections, 1)
    }

    // MARK: Real sockets

    private func call(_ pool: UpstreamPool, on loop: any EventLoop) throws -> UpstreamResponse {
        // ListShelvesRequest{}: empty.
        let request = UpstreamRequest(
            path: "/demo.bookstore.v1.Bookstore/ListShelves", service: "demo.bookstore.v1.Bookstore", metadata: [],
            message: ByteBuffer(), deadline: .now() + .seconds(10))
        return try pool.call(request, policy: CallPolicy(retriesAllowed: false), on: loop).wait()
    }

    /// Runs `body` with the demo server and `dead`, a port nothing listens on; stops the server after.
    private func withDemoAndDeadPort(_ body: (_ demo: RunningDemoServer, _ dead: Int) throws -> Void) throws {
        let demo = try EndToEndFixture.blocking { try await DemoServer.start(host: "127.0.0.1", port: 0) }
        defer { _ = try? EndToEndFixture.blocking { await demo.shutdown(gracePeriod: .seconds(1)) } }
        try body(demo, try EndToEndFixture.closedPort())
    }

    /// Runs `body` with a pool of the cluster `demo`: the dead endpoint first, the demo server
    /// second, and neither retries nor a circuit breaker, so only `outlierDetection` keeps
    /// calls away from the dead one.
    private func withDeadAndLivePool(
        outlierDetection: OutlierDetectionConfiguration, _ body: (UpstreamPool, any EventLoop) throws -> Void
    ) throws {
        try withDemoAndDeadPort { demo, dead in
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            defer { try? group.syncShutdownGracefully() }
            let pool = try UpstreamPool(
                clusters: [UpstreamClusterConfig(
                    name: "demo", endpoints: ["127.0.0.1:\(dead)", "127.0.0.1:\(demo.port)"],
                    retryBudget: .init(ratio: 0, minRetriesPerSecond: 0),
                    circuitBreaker: .disabled,
                    outlierDetection: outlierDetection)],
                services: ["demo.bookstore.v1": "demo"])
            defer { pool.close() }
            try body(pool, group.next())
        }
    }

    func testDeadEndpointIsEjectedAndCallsSucceed() throws {
        try withDeadAndLivePool(outlierDetection: .init(consecutiveFailures: 3, baseEjectionTime: .seconds(60))) { pool, loop in
            // Round robin: every other call goes to the dead endpoint, until its third failure ejects it.
            var failures = 0
            for _ in 0..<6 {
                if try call(pool, on: loop).status.code != .ok { failures += 1 }
            }
            XCTAssertEqual(failures, 3)
            let status = try XCTUnwrap(pool.upstreamStatus().first)
            XCTAssertEqual(status.endpoints[0].ejected, true)
            XCTAssertEqual(status.endpoints[0].inRotation, false)
            XCTAssertEqual(status.endpoints[0].ejections, 1)
            XCTAssertGreaterThan(status.endpoints[0].ejectedForSeconds ?? 0, 30)
            XCTAssertEqual(status.endpoints[1].inRotation, true)
            let connectFailures = try XCTUnwrap(pool.stats(cluster: "demo")).connectFailures
            for _ in 0..<10 { XCTAssertEqual(try call(pool, on: loop).status.code, .ok) }
            XCTAssertEqual(try XCTUnwrap(pool.stats(cluster: "demo")).connectFailures, connectFailures, "the ejected endpoint was not tried")
        }
    }

    func testEjectionEndsAndARelapseEjectsForLonger() throws {
        try withDeadAndLivePool(outlierDetection: .init(consecutiveFailures: 2, baseEjectionTime: .milliseconds(200))) { pool, loop in
            func deadEndpoint() throws -> UpstreamEndpointStatus { try XCTUnwrap(pool.upstreamStatus().first?.endpoints.first) }

            _ = try ResilienceEdge.poll("the dead endpoint is ejected") {
                _ = try call(pool, on: loop)
                return try deadEndpoint().ejections == 1 ? true : nil
            }
            _ = try ResilienceEdge.poll("the ejection ends") { try deadEndpoint().inRotation ? true : nil }
            XCTAssertEqual(try deadEndpoint().ejections, 1)
            _ = try ResilienceEdge.poll("the dead endpoint is ejected again") {
                _ = try call(pool, on: loop)
                return try deadEndpoint().ejections == 2 ? true : nil
            }
        }
    }

    func testEjectionThroughTheEdgeShowsAtAdminUpstreams() throws {
        try withDemoAndDeadPort { demo, dead in
            let edge = try ResilienceEdge.startBlocking(endpoints: [dead, demo.port], clusterYAML: """
                    circuit_breaker: false
                    outlier_detection: {consecutive_failures: 2, base_ejection_time: 60s, max_ejection_percent: 50}
                """)
            defer { edge.stopBlocking() }
            // Requests may see the dead endpoint (retried elsewhere or 503) until it is ejected.
            _ = try ResilienceEdge.poll("the dead endpoint is ejected") {
                _ = try edge.send("GET", "/v1/shelves")
                return try edge.endpoints()[0]["ejected"] as? Bool == true ? true : nil
            }
            for _ in 0..<10 { XCTAssertEqual(try edge.send("GET", "/v1/shelves").status, 200) }
            let endpoints = try edge.endpoints()
            XCTAssertEqual(endpoints[0]["address"] as? String, "127.0.0.1:\(dead)")
            XCTAssertEqual(endpoints[0]["in_rotation"] as? Bool, false)
            XCTAssertEqual(endpoints[0]["ejections"] as? Int, 1)
            XCTAssertEqual(endpoints[1]["in_rotation"] as? Bool, true)
            XCTAssertEqual(endpoints[1]["ejected"] as? Bool, false)
        }
    }
}
