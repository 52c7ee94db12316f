@testable import Edge
import Foundation
import NIOCore
import NIOPosix
import XCTest
@testable import EdgeConfig
@testable import EdgePolicy

/// A ``JWTProvider`` on its own one-loop group, driven the way the request path drives
/// it: `verify` on the loop, waiting on `.awaitingKeys` and asking once more.
final class JWTTestProvider {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let provider: JWTProvider
    var loop: any EventLoop { group.next() }

    init(_ config: JWTProviderConfig, start: Bool = true) {
        provider = JWTProvider(config: config, group: group)
        if start { provider.start() }
    }

    deinit {
        provider.shutdown()
        try? group.syncShutdownGracefully()
    }

    /// One `verify` call on the loop, as is.
    func verifyOnce(_ token: String, now: Double, mayWait: Bool = true) throws -> JWTVerification {
        let provider = self.provider
        let loop = self.loop
        return try loop.submit { provider.verify(token[...], on: loop, now: now, mayWait: mayWait) }.wait()
    }

    /// `verify`, waiting for keys when asked to, then the final answer; `waited` says whether it had to.
    func verify(_ token: String, now: Double) throws -> (result: Result<VerifiedJWT, JWTFailure>, waited: Bool) {
        switch try verifyOnce(token, now: now) {
        case .verified(let jwt): return (.success(jwt), false)
        case .rejected(let failure): return (.failure(failure), false)
        case .awaitingKeys(let future):
            try future.wait()
            switch try verifyOnce(token, now: now, mayWait: false) {
            case .verified(let jwt): return (.success(jwt), true)
            case .rejected(let failure): return (.failure(failure), true)
            case .awaitingKeys: XCTFail("verify asked to wait twice"); return (.failure(JWTFailure(.malformed, "waited twice")), true)
            }
        }
    }

    func result(_ token: String, now: Double) throws -> Result<VerifiedJWT, JWTFailure> { try verify(token, now: now).result }

    /// The failure reason, or nil when verified.
    func reason(_ token: String, now: Double) throws -> JWTFailure.Reason? {
        if case .failure(let failure) = try result(token, now: now) { return failure.reason }
        return nil
    }

    /// Polls (bounded) until `condition` holds; for background refreshes, not timing.
    static func eventually(_ what: String, timeout: TimeInterval = 15, _ condition: () throws -> Bool) throws {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTFail("timed out waiting until \(what)")
    }
}
