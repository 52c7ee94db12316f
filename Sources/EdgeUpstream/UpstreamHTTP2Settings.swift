import NIOCore
import NIOHTTP2

/// The HTTP/2 settings of upstream connections.
///
/// grpc-go servers send a BDP-estimation PING on nearly every response, and NIO counts
/// PINGs (and our ACK-triggering SETTINGS exchanges) against a control-frame flood limit
/// of 200 per 30 s by default, after which it tears the connection down with
/// ENHANCE_YOUR_CALM. Backends are trusted peers, so the limits are set far above what
/// any of them produces while still bounding a truly broken one.
///
/// Header-block and content-length validation are off: the edge builds every request
/// header block itself (lower-case names, pseudo-headers first, no connection-specific
/// fields), and ``GRPCResponseDecoder`` checks what it reads from a response (`:status`,
/// `content-type`, the trailers, the message framing), so NIO's per-frame checks only
/// repeated that work on every call (~3% of the edge's CPU under load).
package enum UpstreamHTTP2Settings {
    package static func connection(_ config: UpstreamClusterConfig) -> NIOHTTP2Handler.ConnectionConfiguration {
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        connection.initialSettings = [
            HTTP2Setting(parameter: .enablePush, value: 0),
            HTTP2Setting(parameter: .maxConcurrentStreams, value: 1000),
            HTTP2Setting(parameter: .initialWindowSize, value: clamp(config.streamWindowSize)),
            HTTP2Setting(parameter: .maxHeaderListSize, value: 1 << 16),
        ]
        connection.targetWindowSize = clamp(config.connectionWindowSize)
        connection.headerBlockValidation = .disabled
        connection.contentLengthValidation = .disabled
        // NIO keeps one timestamp per counted frame in the window: 20k per second costs
        // ~160 KB per connection, and is ~100x what a busy grpc-go backend sends.
        connection.controlFrameRateLimit.maximumCount = 20_000
        connection.controlFrameRateLimit.windowLength = .seconds(1)
        connection.maximumSequentialEmptyDataFrames = 64
        connection.maximumConnectionGlitches = 10_000
        return connection
    }

    package static func stream(_ config: UpstreamClusterConfig) -> NIOHTTP2Handler.StreamConfiguration {
        var stream = NIOHTTP2Handler.StreamConfiguration()
        stream.targetWindowSize = clamp(config.streamWindowSize)
        // A backend refusing streams under load must not cost us the connection.
        stream.streamResetFrameRateLimit.maximumCount = 5_000
        stream.streamResetFrameRateLimit.windowLength = .seconds(1)
        stream.streamErrorRateLimit.maximumCount = 5_000
        stream.streamErrorRateLimit.windowLength = .seconds(1)
        return stream
    }

    /// The inbound connection window kept open (the connection's `targetWindowSize`).
    package static func connectionWindow(_ config: UpstreamClusterConfig) -> Int {
        clamp(config.connectionWindowSize)
    }

    /// The inbound stream window (SETTINGS_INITIAL_WINDOW_SIZE) kept open.
    package static func streamWindow(_ config: UpstreamClusterConfig) -> Int {
        clamp(config.streamWindowSize)
    }

    private static func clamp(_ window: Int) -> Int {
        min(max(window, 65535), (1 << 31) - 1)
    }
}
