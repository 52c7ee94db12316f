import GRPCCore
import XCTest

@testable import EdgeDemo

/// Sleep and ListBooksStream stop as soon as the RPC is cancelled, reporting
/// DEADLINE_EXCEEDED when the call had a deadline and CANCELLED otherwise.
@available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
final class DemoCancellableSleepTests: XCTestCase {
    private func sleepUntilCancelled(metadata: Metadata) async -> (RPCError?, Duration) {
        let handle = ServerContext.RPCCancellationHandle()
        let context = ServerContext(
            descriptor: MethodDescriptor(fullyQualifiedService: DemoSchema.serviceName, method: "Sleep"),
            remotePeer: "test",
            localPeer: "test",
            cancellation: handle
        )
        let canceller = Task {
            try await Task.sleep(for: .milliseconds(50))
            handle.cancel()
        }
        let clock = ContinuousClock()
        let start = clock.now
        var thrown: RPCError?
        do {
            try await CancellableSleep.sleep(for: .seconds(30), context: context, metadata: metadata)
        } catch {
            thrown = error
        }
        canceller.cancel()
        return (thrown, clock.now - start)
    }

    func testCancellationEndsTheSleep() async {
        let (error, elapsed) = await sleepUntilCancelled(metadata: [:])
        XCTAssertEqual(error?.code, .cancelled)
        XCTAssertLessThan(elapsed, .seconds(5))
    }

    func testDeadlineEndsTheSleepWithDeadlineExceeded() async {
        let (error, elapsed) = await sleepUntilCancelled(metadata: ["grpc-timeout": "50m"])
        XCTAssertEqual(error?.code, .deadlineExceeded)
        XCTAssertLessThan(elapsed, .seconds(5))
    }
}
