import Atomics
import NIOConcurrencyHelpers
import NIOCore
import EdgeConfig

/// What is known about one endpoint: active health-check results and outlier ejection.
/// Pure bookkeeping (time passed in), tested without sockets.
package struct EndpointHealthRecord: Equatable {
    package enum Health: String, Equatable {
        /// Not checked yet, or health checks are off: in the rotation.
        case unknown
        case healthy
        case unhealthy
    }

    package var health: Health = .unknown
    package var consecutiveCheckFailures = 0
    package var consecutiveCheckSuccesses = 0
    package var lastCheck: NIODeadline?
    package var lastError: String?
    /// Set while ejected by outlier detection.
    package var ejectedUntil: NIODeadline?
    package var ejections = 0

    package var inRotation: Bool { self.health != .unhealthy && self.ejectedUntil == nil }

    /// Applies one health-check result; true when the endpoint's health changed.
    package mutating func recordCheck(passed: Bool, error: String?, now: NIODeadline, configuration: HealthCheckConfiguration) -> Bool {
        self.lastCheck = now
        let before = self.health
        if passed {
            self.consecutiveCheckFailures = 0
            self.consecutiveCheckSuccesses += 1
            // An unknown endpoint is taken at its word at once; an unhealthy one must prove itself.
            if self.health == .unknown || self.consecutiveCheckSuccesses >= configuration.healthyThreshold {
                self.health = .healthy
            }
        } else {
            self.lastError = error
            self.consecutiveCheckSuccesses = 0
            self.consecutiveCheckFailures += 1
            if self.consecutiveCheckFailures >= configuration.unhealthyThreshold {
                self.health = .unhealthy
            }
        }
        return self.health != before
    }

    /// Ejects the endpoint; returns for how long.
    package mutating func eject(now: NIODeadline, configuration: OutlierDetectionConfiguration) -> TimeAmount {
        self.ejections += 1
        let multiplier = Int64(min(self.ejections, OutlierDetectionConfiguration.maxEjectionMultiplier))
        let duration = TimeAmount.nanoseconds(configuration.baseEjectionTime.nanoseconds.multipliedReportingOverflow(by: multiplier).partialValue)
        self.ejectedUntil = now + duration
        return duration
    }
}

/// The endpoints of one cluster and which of them take calls, shared by every event loop.
///
/// Event loops cache the rotation and re-read it only when ``version`` moved (one relaxed
/// atomic load per call), which happens when an endpoint's health or ejection changes.
package final class UpstreamEndpointHealth: Sendable {
    package let endpoints: [UpstreamEndpoint]
    private let records: NIOLockedValueBox<[EndpointHealthRecord]>
    private let versionCounter = ManagedAtomic<Int>(0)

    package init(endpoints: [UpstreamEndpoint]) {
        self.endpoints = endpoints
        self.records = NIOLockedValueBox(Array(repeating: EndpointHealthRecord(), count: endpoints.count))
    }

    /// Moves whenever ``rotation()`` may have changed.
    package var version: Int { self.versionCounter.load(ordering: .relaxed) }

    /// The indices of the endpoints in the rotation. When none is (all unhealthy or
    /// ejected), every endpoint: "panic mode", as in Envoy; health checks and ejections
    /// can be wrong, and calls to a truly dead cluster fail (and open its breaker) anyway.
    package func rotation() -> (indices: [Int], panic: Bool) {
        let records = self.records.withLockedValue { $0 }
        let indices = records.indices.filter { records[$0].inRotation }
        if indices.isEmpty { return (Array(records.indices), true) }
        return (indices, false)
    }

    package func recordCheck(endpoint: Int, passed: Bool, error: String?, configuration: HealthCheckConfiguration) {
        let changed = self.records.withLockedValue { records in
            records[endpoint].recordCheck(passed: passed, error: error, now: .now(), configuration: configuration)
        }
        if changed { self.versionCounter.wrappingIncrement(ordering: .relaxed) }
    }

    /// Ejects `endpoint` unless it is ejected already or the cluster is at its limit;
    /// returns the ejection's end when it did.
    package func eject(endpoint: Int, configuration: OutlierDetectionConfiguration) -> NIODeadline? {
        let now = NIODeadline.now()
        let until = self.records.withLockedValue { records -> NIODeadline? in
            guard records[endpoint].ejectedUntil == nil else { return nil }
            let ejected = records.filter { $0.ejectedUntil != nil }.count
            guard ejected < configuration.maxEjected(endpointCount: records.count) else { return nil }
            return now + records[endpoint].eject(now: now, configuration: configuration)
        }
        if until != nil { self.versionCounter.wrappingIncrement(ordering: .relaxed) }
        return until
    }

    /// Ends the ejection that was to end at `until` (a later ejection stays).
    package func endEjection(endpoint: Int, until: NIODeadline) {
        let ended = self.records.withLockedValue { records -> Bool in
            guard records[endpoint].ejectedUntil == until else { return false }
            records[endpoint].ejectedUntil = nil
            return true
        }
        if ended { self.versionCounter.wrappingIncrement(ordering: .relaxed) }
    }

    package var snapshot: [EndpointHealthRecord] { self.records.withLockedValue { $0 } }
}
