import NIOCore
import NIOEmbedded
import NIOHTTP1
import XCTest

@testable import Edge
@testable import EdgeCore
@testable import EdgePolicy

/// The chain's state machine without sockets: order, refusals, answers, suspensions.
final class PolicyChainRunTests: XCTestCase {
    /// Records its name in the exchange's metadata, then gives `verdict`.
    struct Step: RequestPolicy {
        let name: String
        let verdict: @Sendable () -> PolicyVerdict
        func evaluate(_ exchange: inout PolicyExchange) -> PolicyVerdict {
            exchange.metadata.append(("ran", name))
            return verdict()
        }
    }

    private func exchange() -> PolicyExchange {
        PolicyExchange(
            head: HTTPRequestHead(version: .http1_1, method: .GET, uri: "/v1/x"), connection: ConnectionInfo(),
            route: RouteIdentity(label: "GET /v1/x", method: "pkg.S/M"), requestID: "r1")
    }

    private func ran(_ exchange: PolicyExchange) -> [String] { exchange.metadata.filter { $0.name == "ran" }.map(\.value) }

    func testEveryPolicyRunsInOrderThenProceeds() {
        let chain = PolicyChain(policies: ["a", "b", "c"].map { name in Step(name: name) { .proceed } })
        var run = PolicyChainRun(chain: chain)
        var exchange = exchange()
        guard case .proceed = run.start(&exchange) else { return XCTFail("did not proceed") }
        XCTAssertEqual(ran(exchange), ["a", "b", "c"])
        XCTAssertNil(exchange.decidedBy)
    }

    func testARefusalStopsTheChainAndNamesThePolicy() {
        let chain = PolicyChain(policies: [
            Step(name: "a") { .proceed },
            Step(name: "b") { .refuse(EdgeError(code: .permissionDenied, message: "no")) },
            Step(name: "c") { .proceed },
        ])
        var run = PolicyChainRun(chain: chain)
        var exchange = exchange()
        guard case .refuse(let error) = run.start(&exchange) else { return XCTFail("did not refuse") }
        XCTAssertEqual(error.httpStatus, .forbidden)
        XCTAssertEqual(ran(exchange), ["a", "b"])
        XCTAssertEqual(exchange.decidedBy, "b")
    }

    func testAnAnswerStopsTheChain() {
        let chain = PolicyChain(policies: [Step(name: "cors") { .answer(.noContent) }, Step(name: "auth") { .proceed }])
        var run = PolicyChainRun(chain: chain)
        var exchange = exchange()
        guard case .answer(let status) = run.start(&exchange) else { return XCTFail("did not answer") }
        XCTAssertEqual(status, .noContent)
        XCTAssertEqual(ran(exchange), ["cors"])
        XCTAssertEqual(exchange.decidedBy, "cors")
    }

    func testASuspensionResumesWithItsVerdictAndGoesOnWithTheNextPolicy() throws {
        let loop = EmbeddedEventLoop()
        let promise = loop.makePromise(of: PolicyResume.self)
        let chain = PolicyChain(policies: [
            Step(name: "a") { .proceed },
            Step(name: "wait") { .suspend(promise.futureResult) },
            Step(name: "c") { .proceed },
        ])
        var run = PolicyChainRun(chain: chain)
        var exchange = exchange()
        guard case .suspend(let future) = run.start(&exchange) else { return XCTFail("did not suspend") }
        XCTAssertEqual(ran(exchange), ["a", "wait"])
        promise.succeed(PolicyResume { exchange in
            exchange.metadata.append(("ran", "resumed"))
            return .proceed
        })
        let resume = try future.wait()
        guard case .proceed = run.resume(resume, exchange: &exchange) else { return XCTFail("did not proceed") }
        XCTAssertEqual(ran(exchange), ["a", "wait", "resumed", "c"])
    }

    func testAResumedRefusalNamesTheSuspendedPolicy() {
        let loop = EmbeddedEventLoop()
        let chain = PolicyChain(policies: [Step(name: "limit") { .suspend(loop.makeSucceededFuture(PolicyResume { _ in .proceed })) }])
        var run = PolicyChainRun(chain: chain)
        var exchange = exchange()
        _ = run.start(&exchange)
        let step = run.resume(PolicyResume { _ in .refuse(EdgeError(code: .resourceExhausted, message: "slow down")) }, exchange: &exchange)
        guard case .refuse(let error) = step else { return XCTFail("did not refuse") }
        XCTAssertEqual(error.code, .resourceExhausted)
        XCTAssertEqual(exchange.decidedBy, "limit")
    }

    func testAFailedSuspensionIsUnavailable() {
        struct Broken: Error {}
        let loop = EmbeddedEventLoop()
        let chain = PolicyChain(policies: [Step(name: "jwks") { .suspend(loop.makeFailedFuture(Broken())) }])
        var run = PolicyChainRun(chain: chain)
        var exchange = exchange()
        _ = run.start(&exchange)
        guard case .refuse(let error) = run.resumeFailed(Broken(), exchange: &exchange) else { return XCTFail("did not refuse") }
        XCTAssertEqual(error.code, .unavailable)
        XCTAssertEqual(error.httpStatus.code, 503)
    }

    func testAnEmptyChainBuildsNoExchange() {
        XCTAssertTrue(PolicyChain.empty.isEmpty)
        XCTAssertFalse(PolicyChain(policies: [Step(name: "a") { .proceed }]).isEmpty)
    }
}
