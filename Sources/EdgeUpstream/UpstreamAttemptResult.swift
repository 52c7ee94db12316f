/// How one attempt (one HTTP/2 stream) ended.
package enum UpstreamAttemptResult {
    /// The server answered with a gRPC status (which may be an error).
    case response(UpstreamResponse)
    /// The attempt failed at the transport or framing level.
    case failure(UpstreamRetryDecision.Attempt)
}
