import GRPCCore
import GRPCProtobuf
import SwiftProtobuf

/// The streaming and raw-body methods: ChatBooks (bidirectional), UploadCover
/// (client streaming of google.api.HttpBody), GetCover (an HttpBody answer) and
/// Download (server streaming of any size, for backpressure tests).
@available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
extension BookstoreService {
    /// The largest Download accepted.
    static let maxDownloadBytes: Int64 = 1 << 30
    static let maxDownloadChunk: Int32 = 1 << 20
    /// The smallest Download chunk (but 0, the default). gRPC-Swift's HTTP/2 transport hops
    /// every message written onto the stream's event loop, which runs all its queued tasks
    /// before it reads a socket again: tiny messages are written faster than that loop sends
    /// them, so it does not read again until the client's stream window (8 MiB at the edge)
    /// is full. A client that gave up is then only heard (its RST_STREAM read) after that
    /// backlog: ~350,000 one-byte messages, a minute of a debug build's loop, during which
    /// every other call on that loop waits. A hundred such downloads abandoned hung the demo.
    /// At 16 KiB the backlog is at most 512 messages.
    static let minDownloadChunk: Int32 = 16 << 10

    func chatBooks(
        request: StreamingServerRequest<Demo_Bookstore_V1_ChatBooksRequest>,
        context: ServerContext
    ) async throws -> StreamingServerResponse<Demo_Bookstore_V1_ChatBooksResponse> {
        StreamingServerResponse { writer in
            var sequence: Int32 = 0
            for try await message in request.messages {
                if message.text == "fail" {
                    throw DemoError.invalidField("text", "the client asked the chat to fail")
                }
                sequence += 1
                let answer = Demo_Bookstore_V1_ChatBooksResponse.with {
                    $0.text = "echo: \(message.text)"
                    $0.sequence = sequence
                }
                try await writer.write(answer)
            }
            return ["chat-count": "\(sequence)"]
        }
    }

    func uploadCover(
        request: StreamingServerRequest<Google_Api_HttpBody>,
        context: ServerContext
    ) async throws -> ServerResponse<Demo_Bookstore_V1_UploadCoverResponse> {
        var digest = SHA256Digest()
        var bytes: Int64 = 0
        var chunks: Int32 = 0
        var contentType: String?
        for try await chunk in request.messages {
            if contentType == nil { contentType = chunk.contentType }
            chunks += 1
            bytes += Int64(chunk.data.count)
            digest.update(chunk.data)
        }
        let hex = digest.finalizeHex()
        return ServerResponse(message: .with {
            $0.bytes = bytes
            $0.chunks = chunks
            $0.contentType = contentType ?? ""
            $0.sha256 = hex
        })
    }

    func getCover(
        request: ServerRequest<Demo_Bookstore_V1_GetCoverRequest>,
        context: ServerContext
    ) async throws -> ServerResponse<Google_Api_HttpBody> {
        guard let cover = DemoCovers.cover(named: request.message.name) else {
            throw DemoError.notFound(type: "demo.bookstore.v1.Cover", name: "covers/\(request.message.name)")
        }
        return ServerResponse(message: .with {
            $0.contentType = cover.contentType
            $0.data = cover.data
        })
    }

    func download(
        request: ServerRequest<Demo_Bookstore_V1_DownloadRequest>,
        context: ServerContext
    ) async throws -> StreamingServerResponse<Demo_Bookstore_V1_DownloadChunk> {
        let message = request.message
        guard message.bytes >= 0, message.bytes <= Self.maxDownloadBytes else {
            throw DemoError.invalidField("bytes", "must be between 0 and \(Self.maxDownloadBytes)")
        }
        guard message.chunkSize == 0 || (Self.minDownloadChunk...Self.maxDownloadChunk).contains(message.chunkSize) else {
            throw DemoError.invalidField("chunk_size", "must be 0 (65536) or between \(Self.minDownloadChunk) and \(Self.maxDownloadChunk)")
        }
        let total = message.bytes
        let chunkSize = Int64(message.chunkSize == 0 ? 65536 : message.chunkSize)
        return StreamingServerResponse { writer in
            // One pattern buffer, sliced: the payload is `offset % 251` per byte.
            let pattern = DemoCovers.pattern(count: Int(chunkSize) + 251)
            var offset: Int64 = 0
            var chunks = 0
            while offset < total {
                // An abandoned call (reset by the client, or past its deadline) stops here.
                if context.cancellation.isCancelled {
                    throw RPCError(code: .cancelled, message: "download abandoned after \(chunks) chunks")
                }
                let count = Int(min(chunkSize, total - offset))
                let start = Int(offset % 251)
                try await writer.write(.with {
                    $0.offset = offset
                    $0.data = pattern[start..<start + count]
                })
                offset += Int64(count)
                chunks += 1
            }
            return ["download-chunks": "\(chunks)"]
        }
    }
}

@available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
extension BookstoreService {
    func streamCover(
        request: ServerRequest<Demo_Bookstore_V1_StreamCoverRequest>,
        context: ServerContext
    ) async throws -> StreamingServerResponse<Google_Api_HttpBody> {
        let message = request.message
        guard let cover = DemoCovers.cover(named: message.name) else {
            throw DemoError.notFound(type: "demo.bookstore.v1.Cover", name: "covers/\(message.name)")
        }
        guard message.chunkSize >= 0 else { throw DemoError.invalidField("chunk_size", "must not be negative") }
        let chunkSize = message.chunkSize == 0 ? 16 : Int(message.chunkSize)
        let failAfter = Int(message.failAfter)
        return StreamingServerResponse { writer in
            var offset = 0
            var index = 0
            while offset < cover.data.count {
                if failAfter > 0, index == failAfter {
                    throw GoogleRPCStatus(code: .aborted, message: "cover stream failed after \(failAfter) chunks (fail_after)")
                }
                let end = min(offset + chunkSize, cover.data.count)
                let first = index == 0
                try await writer.write(.with {
                    if first { $0.contentType = cover.contentType }
                    $0.data = cover.data.subdata(in: offset..<end)
                })
                offset = end
                index += 1
            }
            return [:]
        }
    }
}
