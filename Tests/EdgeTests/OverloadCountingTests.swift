import Atomics
import Dispatch
import NIOCore
import NIOHTTP1
import XCTest

@testable import Edge
@testable import EdgeConfig
@testable import EdgeCore
@testable import EdgePolicy

/// The counting behind overload protection, without sockets: the in-flight counter under
/// concurrency, the counters a reload carries over, the listener's connection cap, and the
/// route cap as a policy on the server's own admission path.
final class OverloadCountingTests: XCTestCase {
    // MARK: InFlightCounter

    func testTheCapLetsInExactlyMaximumThenRefusesAndCountsRefusals() {
        let limit = InFlightLimit(maximum: 3)
        XCTAssertEqual((0..<3).map { _ in limit.tryAcquire() }, [true, true, true])
        XCTAssertFalse(limit.tryAcquire())
        XCTAssertFalse(limit.tryAcquire())
        XCTAssertEqual(limit.counter.inFlight, 3, "a refusal leaves the count as it was")
        XCTAssertEqual(limit.counter.refused, 2)
        limit.release()
        XCTAssertEqual(limit.counter.inFlight, 2)
        XCTAssertTrue(limit.tryAcquire(), "a slot given back is taken again")
        XCTAssertFalse(limit.tryAcquire())
        for _ in 0..<3 { limit.release() }
        XCTAssertEqual(limit.counter.inFlight, 0)
        XCTAssertEqual(limit.counter.refused, 3)
    }

    /// Threads race for 4 slots, each holding one for a moment: never more than 4 at once, and
    /// every slot comes back. (A property, not a timing: it holds on any schedule.)
    func testConcurrentAcquiresNeverExceedTheCap() {
        let limit = InFlightLimit(maximum: 4)
        let holders = ManagedAtomic<Int>(0)
        let mostAtOnce = ManagedAtomic<Int>(0)
        let admitted = ManagedAtomic<Int>(0)
        let rounds = 20_000
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<rounds {
                guard limit.tryAcquire() else { continue }
                admitted.wrappingIncrement(ordering: .relaxed)
                let now = holders.wrappingIncrementThenLoad(ordering: .relaxed)
                var seen = mostAtOnce.load(ordering: .relaxed)
                while now > seen {
                    let (exchanged, original) = mostAtOnce.compareExchange(expected: seen, desired: now, ordering: .relaxed)
                    if exchanged { break }
                    seen = original
                }
                holders.wrappingDecrement(ordering: .relaxed)
                limit.release()
            }
        }
        XCTAssertLessThanOrEqual(mostAtOnce.load(ordering: .relaxed), 4)
        XCTAssertGreaterThan(admitted.load(ordering: .relaxed), 0)
        XCTAssertEqual(limit.counter.inFlight, 0, "every slot taken was given back")
        XCTAssertEqual(admitted.load(ordering: .relaxed) + limit.counter.refused, 8 * rounds, "each try is admitted or refused")
    }

    // MARK: OverloadCounters

    func testAReloadCarriesCountersOfRoutesAndClustersStillConfigured() {
        let first = OverloadCounters()
        let route = first.route("GET /v1/a", maximum: 2)
        let cluster = first.cluster("shop", maximum: 10)
        let dropped = first.route("GET /v1/dropped", maximum: 1)
        XCTAssertTrue(route.tryAcquire())
        XCTAssertTrue(cluster.tryAcquire())
        XCTAssertTrue(dropped.tryAcquire())

        let second = OverloadCounters(carryingOver: first)
        let routeAgain = second.route("GET /v1/a", maximum: 1)
        let clusterAgain = second.cluster("shop", maximum: 10)
        XCTAssertTrue(routeAgain.counter === route.counter, "the same route keeps its counter")
        XCTAssertTrue(clusterAgain.counter === cluster.counter)
        XCTAssertFalse(routeAgain.tryAcquire(), "the request in flight across the reload counts against the new cap of 1")
        XCTAssertEqual(second.routes, [InFlightStats(name: "GET /v1/a", inFlight: 1, maximum: 1, refused: 1)])
        XCTAssertEqual(second.clusters, [InFlightStats(name: "shop", inFlight: 1, maximum: 10, refused: 0)])
        // The old request ends on the old snapshot: its slot comes back to the shared counter.
        route.release()
        XCTAssertTrue(routeAgain.tryAcquire())

        // A route dropped by the second configuration is not carried to the third.
        let third = OverloadCounters(carryingOver: second)
        XCTAssertFalse(third.route("GET /v1/dropped", maximum: 1).counter === dropped.counter)
        XCTAssertTrue(third.route("GET /v1/a", maximum: 1).counter === route.counter)
        // Routes and clusters are apart even under one name.
        XCTAssertFalse(third.cluster("GET /v1/a", maximum: 1).counter === route.counter)
    }

    // MARK: ListenerConnectionLimit

    func testTheListenerCapRefusesOverItAndFollowsAReload() {
        let limit = ListenerConnectionLimit(maximum: 2)
        XCTAssertTrue(limit.tryAccept())
        XCTAssertTrue(limit.tryAccept())
        XCTAssertFalse(limit.tryAccept())
        XCTAssertEqual(limit.stats, ListenerConnectionStats(open: 2, maximum: 2, accepted: 2, refused: 1))
        limit.connectionClosed()
        XCTAssertTrue(limit.tryAccept(), "a connection closed frees its place")
        limit.update(maximum: 4)
        XCTAssertTrue(limit.tryAccept())
        XCTAssertTrue(limit.tryAccept())
        XCTAssertFalse(limit.tryAccept())
        limit.update(maximum: nil)
        XCTAssertTrue(limit.tryAccept(), "no cap: every connection is let in, and still counted")
        XCTAssertEqual(limit.stats, ListenerConnectionStats(open: 5, maximum: nil, accepted: 6, refused: 2))
        limit.update(maximum: 1)
        XCTAssertFalse(limit.tryAccept(), "a lower cap refuses new connections; the open ones stay")
        XCTAssertEqual(limit.stats.open, 5)
    }

    // MARK: InFlightPolicy

    private func exchange(preflight: Bool = false) -> PolicyExchange {
        PolicyExchange(
            head: HTTPRequestHead(version: .http1_1, method: .GET, uri: "/v1/x"), connection: ConnectionInfo(),
            route: RouteIdentity(label: "GET /v1/x", method: "pkg.S/M"), requestID: "r1", isPreflight: preflight)
    }

    private func outcome() -> ExchangeOutcome { ExchangeOutcome(status: 200, started: .now()) }

    func testThePolicyTakesASlotAndTheCompletionGivesItBack() throws {
        let policy = InFlightPolicy(route: "GET /v1/x", limit: InFlightLimit(maximum: 1))
        let chain = PolicyChain(policies: [policy], observers: [policy])
        var first = exchange()
        var run = PolicyChainRun(chain: chain)
        guard case .proceed = run.start(&first) else { return XCTFail("the first request is refused") }
        XCTAssertTrue(first.holdsInFlightSlot)

        var second = exchange()
        run = PolicyChainRun(chain: chain)
        guard case .refuse(let error) = run.start(&second) else { return XCTFail("the second request is let in over the cap") }
        XCTAssertEqual(error.code, .unavailable)
        XCTAssertEqual(error.httpStatus, .serviceUnavailable)
        XCTAssertEqual(error.message, "route GET /v1/x has its maximum of 1 requests in flight (max_in_flight); try again later")
        XCTAssertEqual(second.decidedBy, "in_flight")
        XCTAssertFalse(second.holdsInFlightSlot)

        // The refused exchange completes too: it gives nothing back.
        for observer in chain.observers { observer.exchangeCompleted(second, outcome: outcome()) }
        XCTAssertEqual(policy.limit.counter.inFlight, 1)
        for observer in chain.observers { observer.exchangeCompleted(first, outcome: outcome()) }
        XCTAssertEqual(policy.limit.counter.inFlight, 0)

        var third = exchange()
        run = PolicyChainRun(chain: chain)
        guard case .proceed = run.start(&third) else { return XCTFail("a freed slot is not taken again") }
    }

    func testAPreflightTakesNoSlot() {
        let policy = InFlightPolicy(route: "GET /v1/x", limit: InFlightLimit(maximum: 1))
        var preflight = exchange(preflight: true)
        guard case .proceed = policy.evaluate(&preflight) else { return XCTFail("preflight refused") }
        XCTAssertFalse(preflight.holdsInFlightSlot)
        policy.exchangeCompleted(preflight, outcome: outcome())
        XCTAssertEqual(policy.limit.counter.inFlight, 0)
    }

    /// On the server's admission path (route match, chain, completion): `defaults.max_in_flight`
    /// caps each route apart, though routes with equal access share chains otherwise, and the
    /// cap is the chain's last policy (a request refused before it takes no slot).
    func testEachRouteCountsApartAndTheCapComesLast() throws {
        let yaml = """
            listen: {host: 127.0.0.1, port: 0}
            descriptors: {sources: ["\(EndToEndFixture.protosetPath)"]}
            clusters: [{name: demo, endpoints: ["127.0.0.1:1"], services: [demo.bookstore.v1]}]
            auth: {ip: {deny: [10.0.0.0/8]}}
            defaults: {max_in_flight: 1}
            routes:
              "GET /v1/shelves": {max_in_flight: unlimited}
            """
        let config = try ConfigLoader.parse(yaml: yaml).get()
        let transcoder = try SchemaTranscoder(schema: try EndToEndFixture.cliSchema(), config: config)

        func admit(_ uri: String, from address: String = "127.0.0.1") -> RequestAdmission<SchemaTranscoder.Route> {
            let admission = RequestAdmission(
                head: HTTPRequestHead(version: .http1_1, method: .GET, uri: uri), transcoder: transcoder,
                connection: ConnectionInfo(remoteAddress: IPAddress(address)), requestID: "r")
            _ = admission.start()
            return admission
        }
        func admitted(_ admission: RequestAdmission<SchemaTranscoder.Route>) -> Bool {
            admission.exchange?.holdsInFlightSlot == true
        }

        let shelf = admit("/v1/shelves/1")
        XCTAssertTrue(admitted(shelf))
        XCTAssertEqual(shelf.chain.names.last, "in_flight")
        XCTAssertFalse(admitted(admit("/v1/shelves/2")), "the same route is at its cap")
        XCTAssertTrue(admitted(admit("/v1/shelves/1/books")), "another route has its own count")
        XCTAssertTrue(admitted(admit("/v1/shelves/1/books/2")))
        // max_in_flight: unlimited lifts the default: no slot, no policy.
        for _ in 0..<3 { XCTAssertFalse(admit("/v1/shelves").chain.names.contains("in_flight")) }
        // Refused by the IP rules first: no slot taken.
        let denied = admit("/v1/shelves/1/books:stream", from: "10.1.2.3")
        XCTAssertEqual(denied.exchange?.decidedBy, "ip")
        XCTAssertFalse(admitted(denied))
        XCTAssertTrue(admitted(admit("/v1/shelves/1/books:stream")))

        let stats = transcoder.gatewayPolicies.overload.routes
        XCTAssertEqual(stats.first { $0.name == "GET /v1/shelves/{shelf}" }, InFlightStats(name: "GET /v1/shelves/{shelf}", inFlight: 1, maximum: 1, refused: 1))
        XCTAssertEqual(stats.first { $0.name == "GET /v1/shelves/{shelf}/books:stream" }?.inFlight, 1)

        shelf.completed(ExchangeOutcome(status: 200, started: .now()))
        XCTAssertTrue(admitted(admit("/v1/shelves/3")), "the completion gave the slot back")
    }
}
