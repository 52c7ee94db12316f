import NIOCore

/// The access log as an observer of every policy chain: one record per completed exchange
/// (routed, refused, unmatched, malformed), formatted on the loop by ``AccessLog``.
package struct AccessLogObserver: ExchangeObserver {
    package let log: AccessLog

    package func exchangeCompleted(_ exchange: PolicyExchange, outcome: ExchangeOutcome) {
        guard let loop = exchange.connection.eventLoop else { return }
        let head = exchange.head
        let route = exchange.route?.label ?? (outcome.label == "unmatched" ? nil : outcome.label)
        let record = AccessLogRecord(
            timeUnixNanos: AccessLogRecord.wallClockNanos() - outcome.duration.nanoseconds, requestID: exchange.requestID,
            traceID: exchange.trace?.traceIDText, clientAddress: exchange.connection.text(of: exchange.resolvedClientAddress()),
            consumer: exchange.identity.consumer, subject: exchange.identity.subject,
            httpProtocol: head.version.minor == 0 ? "HTTP/1.0" : "HTTP/1.1", method: head.method.rawValue, path: head.uri,
            route: route, grpcMethod: exchange.route?.method, upstreamCluster: outcome.upstream?.cluster, status: outcome.status,
            grpcCode: outcome.grpcCode?.rawValue, bytesIn: outcome.bytesIn, bytesOut: outcome.bytesOut,
            durationNanos: outcome.duration.nanoseconds,
            upstreamDurationNanos: outcome.upstream.flatMap { $0.attempts > 0 ? $0.duration.nanoseconds : nil },
            retries: outcome.upstream?.retries ?? 0, refusedBy: outcome.status >= 400 ? outcome.decidedBy : nil,
            userAgent: head.headers.first(name: "user-agent"))
        log.log(record, on: loop)
    }
}
