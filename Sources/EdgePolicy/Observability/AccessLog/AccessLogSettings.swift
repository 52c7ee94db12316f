import NIOCore
import EdgeConfig

/// How the access log is written. Built by the configuration loader from
/// `observability.access_log` and checked again by ``AccessLog/init(settings:eventLoops:logger:metrics:)``.
public struct AccessLogSettings: Sendable, Equatable {
    public enum Destination: Sendable, Equatable {
        /// The process's standard output (never closed, never reopened).
        case stdout
        /// A file, created if missing (mode 0640 before the umask), appended to; or a FIFO
        /// that a reader already holds open.
        case file(String)
    }

    public enum Format: String, Sendable {
        /// One JSON object per line.
        case json
        /// One human-readable line per exchange (see docs/access-log.md).
        case text
    }

    public var destination: Destination
    public var format: Format
    /// The fields written, in this order; `nil`: every field in ``AccessLogField/allCases`` order.
    public var fields: [AccessLogField]?
    /// The fraction (0...1) of successful exchanges written. Errors are never sampled away.
    public var sampling: Double
    /// Write only errors: HTTP status >= 400 or a gRPC code other than OK.
    public var errorsOnly: Bool
    /// The bound on bytes handed to the writer and not yet written, all event loops together.
    /// Past it, whole chunks are dropped (and counted); serving never waits.
    public var bufferBytes: Int
    /// How long a line may wait in its event loop's buffer before it is handed to the writer.
    public var flushInterval: TimeAmount

    public init(
        destination: Destination, format: Format = .json, fields: [AccessLogField]? = nil, sampling: Double = 1.0,
        errorsOnly: Bool = false, bufferBytes: Int = 4 << 20, flushInterval: TimeAmount = .milliseconds(200)
    ) {
        self.destination = destination
        self.format = format
        self.fields = fields
        self.sampling = sampling
        self.errorsOnly = errorsOnly
        self.bufferBytes = bufferBytes
        self.flushInterval = flushInterval
    }

    /// The first problem with these settings, worded for an operator; `nil` when they are usable.
    public var problem: String? {
        if case .file(let path) = destination, path.isEmpty {
            return "observability.access_log.path: empty; use stdout or a file path"
        }
        if !(0.0...1.0).contains(sampling) {
            return "observability.access_log.sampling: \(sampling) is not a fraction between 0 and 1"
        }
        if bufferBytes < 4096 {
            return "observability.access_log.buffer_bytes: \(bufferBytes) is below the minimum of 4096"
        }
        if flushInterval <= .zero {
            return "observability.access_log.flush_interval: must be positive"
        }
        if let fields {
            if fields.isEmpty { return "observability.access_log.fields: empty; omit it to write every field" }
            var seen = Set<AccessLogField>()
            for field in fields where !seen.insert(field).inserted {
                return "observability.access_log.fields: \(field.rawValue) is listed twice"
            }
        }
        return nil
    }
}
