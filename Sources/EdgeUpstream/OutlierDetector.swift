import Atomics
import NIOCore
import EdgeConfig
import EdgeCore

/// Counts each endpoint's failed attempts in a row (from real calls, on every event loop)
/// and ejects an endpoint from the rotation when the count reaches the threshold.
///
/// Per attempt: one relaxed atomic load on success (a store only when the count was not
/// zero), one atomic increment on failure. Ejecting takes the endpoint-health lock and
/// schedules the ejection's end on the event loop that saw the last failure.
package final class OutlierDetector: Sendable {
    package let configuration: OutlierDetectionConfiguration
    private let health: UpstreamEndpointHealth
    private let consecutiveFailures: [ManagedAtomic<Int>]

    package init(configuration: OutlierDetectionConfiguration, health: UpstreamEndpointHealth) {
        self.configuration = configuration
        self.health = health
        self.consecutiveFailures = health.endpoints.map { _ in ManagedAtomic(0) }
    }

    /// Records how an attempt on `endpoint` ended.
    @inline(__always)
    package func record(endpoint: Int, code: GRPCStatusCode, on eventLoop: any EventLoop) {
        guard self.configuration.enabled else { return }
        let counter = self.consecutiveFailures[endpoint]
        guard CircuitBreakerState.countsAsFailure(code) else {
            if counter.load(ordering: .relaxed) != 0 { counter.store(0, ordering: .relaxed) }
            return
        }
        let count = counter.wrappingIncrementThenLoad(ordering: .relaxed)
        if count >= self.configuration.consecutiveFailures {
            self.tryEject(endpoint: endpoint, on: eventLoop)
        }
    }

    /// The current count of `endpoint`, for `GET /admin/upstreams`.
    package func consecutiveFailures(endpoint: Int) -> Int {
        self.consecutiveFailures[endpoint].load(ordering: .relaxed)
    }

    private func tryEject(endpoint: Int, on eventLoop: any EventLoop) {
        guard let until = self.health.eject(endpoint: endpoint, configuration: self.configuration) else { return }
        self.consecutiveFailures[endpoint].store(0, ordering: .relaxed)
        eventLoop.scheduleTask(deadline: until) { [self] in
            // A fresh start: failures of calls still in flight during the ejection do not carry over.
            self.consecutiveFailures[endpoint].store(0, ordering: .relaxed)
            self.health.endEjection(endpoint: endpoint, until: until)
        }
    }
}
