import GRPCCore

/// Sleeping inside an RPC that stops as soon as the RPC is cancelled: by the client (stream
/// reset), by its deadline (grpc-swift cancels the RPC when `grpc-timeout` elapses) or by the
/// server shutting down.
@available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
enum CancellableSleep {
    /// Sleeps for `duration` unless the RPC ends first; then throws DEADLINE_EXCEEDED if the
    /// call had a deadline (`grpc-timeout` metadata), else CANCELLED.
    static func sleep(for duration: Duration, context: ServerContext, metadata: Metadata) async throws(RPCError) {
        let completed: Bool
        do {
            completed = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try await Task.sleep(for: duration)
                    return true
                }
                group.addTask {
                    try await context.cancellation.cancelled
                    return false
                }
                let first = try await group.next() ?? false
                group.cancelAll()
                return first
            }
        } catch {
            completed = false
        }
        if !completed {
            if metadata[stringValues: "grpc-timeout"].first(where: { _ in true }) != nil {
                throw RPCError(code: .deadlineExceeded, message: "deadline exceeded after sleeping part of \(duration)")
            }
            throw RPCError(code: .cancelled, message: "the call was cancelled while sleeping")
        }
    }
}
