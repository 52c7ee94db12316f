/// Why an OTLP export request failed (logged in the exporter's rate-limited warning; never contains span data).
public enum OTLPExportError: Error, CustomStringConvertible, Equatable {
    case connectFailed(String)
    case connectionFailed(String)
    case status(Int)
    case timedOut
    case connectionClosed
    case shutDown

    public var description: String {
        switch self {
        case .connectFailed(let reason): "cannot connect to the OTLP collector: \(reason)"
        case .connectionFailed(let reason): "the connection to the OTLP collector failed: \(reason)"
        case .status(let code): "the OTLP collector answered HTTP \(code)"
        case .timedOut: "the OTLP collector did not answer in time"
        case .connectionClosed: "the OTLP collector closed the connection before answering"
        case .shutDown: "the span exporter is shut down"
        }
    }
}
