import NIOCore
import NIOHTTP1

/// The listener's protective limits (`listen.limits` in the configuration).
public struct HTTPLimits: Sendable, Equatable {
    /// Sum of header names and values (plus `: ` and CRLF per field) of one request → 431.
    public var maxHeaderBytes: Int
    /// Default request body limit; routes may set their own → 413.
    public var maxBodyBytes: Int
    /// Request target length → 414.
    public var maxURLBytes: Int
    /// How long a connection may sit with no request in progress.
    public var idleTimeout: TimeAmount
    /// From the first byte of a request until its head is complete (slow-header defence) → 408 and close.
    public var headerReadTimeout: TimeAmount
    /// From the end of a request head to the end of its body (slow-body defence) → 408 and close.
    public var bodyReadTimeout: TimeAmount
    /// How long shutdown waits for in-flight requests before closing their connections.
    public var drainTimeout: TimeAmount

    public init(
        maxHeaderBytes: Int = 16 * 1024,
        maxBodyBytes: Int = 4 << 20,
        maxURLBytes: Int = 8 * 1024,
        idleTimeout: TimeAmount = .seconds(60),
        headerReadTimeout: TimeAmount = .seconds(10),
        bodyReadTimeout: TimeAmount = .seconds(30),
        drainTimeout: TimeAmount = .seconds(15)
    ) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.maxURLBytes = maxURLBytes
        self.idleTimeout = idleTimeout
        self.headerReadTimeout = headerReadTimeout
        self.bodyReadTimeout = bodyReadTimeout
        self.drainTimeout = drainTimeout
    }

    public static let defaults = HTTPLimits()

    /// NIO's decoder stops a runaway head early; the exact limits (414 vs 431) are checked
    /// on the decoded head by ``HeadValidator``, so the decoder's bound is their sum plus slack.
    package var decoderLimits: NIOHTTPDecoderLimitConfiguration {
        var configuration = NIOHTTPDecoderLimitConfiguration()
        configuration.maxHeaderFieldSize = maxHeaderBytes + maxURLBytes + 1024
        configuration.maxHeaderListSize = maxHeaderBytes + maxURLBytes + 1024
        return configuration
    }
}
