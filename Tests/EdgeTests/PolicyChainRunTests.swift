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

    /// Counts the waits that told it their answer is in.
    final class Target: PolicyWaitTarget {
        var ended: [any PolicyWait] = []
        func policyWaitEnded(_ wait: any PolicyWait) { ended.append(wait) }
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
        guard case .wait(let wait) = run.start(&exchange) else { return XCTFail("did not wait") }
        XCTAssertEqual(ran(exchange), ["a", "wait"])
        let target = Target()
        wait.notify(target, on: loop)
        XCTAssertTrue(target.ended.isEmpty, "told before the future completed")
        promise.succeed(PolicyResume { exchange in
            exchange.metadata.append(("ran", "resumed"))
            return .proceed
        })
        loop.run()
        XCTAssertEqual(target.ended.count, 1)
        XCTAssertTrue(target.ended.first === wait)
        guard case .proceed = run.resume(after: wait, exchange: &exchange) else { return XCTFail("did not proceed") }
        XCTAssertEqual(ran(exchange), ["a", "wait", "resumed", "c"])
    }

    /// A wait that is decided before the handler asks: it tells the target at once.
    final class Decided: PolicyWait, @unchecked Sendable {
        let verdict: PolicyVerdict
        init(_ verdict: PolicyVerdict) { self.verdict = verdict }
        func notify(_ target: any PolicyWaitTarget, on eventLoop: EventLoop) { target.policyWaitEnded(self) }
        func resume(_ exchange: inout PolicyExchange) -> PolicyVerdict { verdict }
    }

    func testAResumedRefusalNamesTheSuspendedPolicy() {
        let loop = EmbeddedEventLoop()
        let decided = Decided(.refuse(EdgeError(code: .resourceExhausted, message: "slow down")))
        let chain = PolicyChain(policies: [Step(name: "limit") { .wait(decided) }])
        var run = PolicyChainRun(chain: chain)
        var exchange = exchange()
        guard case .wait(let wait) = run.start(&exchange) else { return XCTFail("did not wait") }
        XCTAssertTrue(wait === decided, "a policy's own wait goes to the handler as it is")
        let target = Target()
        wait.notify(target, on: loop)
        XCTAssertEqual(target.ended.count, 1, "a decided wait tells the target at once")
        let step = run.resume(after: wait, exchange: &exchange)
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
        guard case .wait(let wait) = run.start(&exchange) else { return XCTFail("did not wait") }
        let target = Target()
        wait.notify(target, on: loop)
        loop.run()
        XCTAssertEqual(target.ended.count, 1)
        guard case .refuse(let error) = run.resume(after: wait, exchange: &exchange) else { return XCTFail("did not refuse") }
        XCTAssertEqual(error.code, .unavailable)
        XCTAssertEqual(error.httpStatus.code, 503)
        XCTAssertTrue(error.message.hasPrefix("jwks: "), error.message)
        XCTAssertEqual(exchange.decidedBy, "jwks")
    }

    func testAnEmptyChainBuildsNoExchange() {
        XCTAssertTrue(PolicyChain.empty.isEmpty)
        XCTAssertFalse(PolicyChain(policies: [Step(name: "a") { .proceed }]).isEmpty)
    }
}
