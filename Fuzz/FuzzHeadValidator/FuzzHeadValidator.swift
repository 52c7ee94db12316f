import Edge
import FuzzSupport
import NIOCore
import NIOEmbedded
import NIOHTTP1
import EdgeConfig

/// The HTTP request-head checks behind NIO's HTTP/1 decoder, as the server runs
/// them: raw bytes → `HTTPRequestDecoder` → `HeadValidator.validate`. Beyond "no
/// crash": an accepted head's framing agrees with its headers (a body length is
/// the Content-Length digits; chunked only alone; no body without either), and
/// the limits hold.
let limits = HTTPLimits(maxHeaderBytes: 1024, maxURLBytes: 256)

/// One channel for the whole run (a fresh `EmbeddedChannel` per input made this target
/// slow); each input gets a fresh decoder, removed after it, so no state carries over.
let channel = EmbeddedChannel()

@main
enum HeadValidatorTarget: FuzzTarget {
    static func fuzz(_ input: UnsafeBufferPointer<UInt8>) {
        let decoder = ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes))
        try! channel.pipeline.syncOperations.addHandler(decoder)
        var buffer = channel.allocator.buffer(capacity: input.count)
        buffer.writeBytes(input)
        // A parse error is NIO's answer to the bytes; the heads decoded before it are still checked.
        _ = try? channel.writeInbound(buffer)
        checkHeads()
        channel.pipeline.syncOperations.removeHandler(decoder, promise: nil)
        channel.embeddedEventLoop.run()
        checkHeads()
        _ = try? channel.throwIfErrorCaught()
    }

    static func checkHeads() {
        while let part = try? channel.readInbound(as: HTTPServerRequestPart.self) {
            guard case .head(let head) = part else { continue }
            check(head)
        }
    }
}

func check(_ head: HTTPRequestHead) {
    let lengths = head.headers[canonicalForm: "content-length"]
    let encodings = head.headers[canonicalForm: "transfer-encoding"]
    switch HeadValidator.validate(head, limits: limits) {
    case .failure:
        return
    case .success(let framing):
        fuzzRequire(head.uri.utf8.count <= limits.maxURLBytes, "accepted a URL of \(head.uri.utf8.count) bytes")
        if let length = framing.contentLength {
            fuzzRequire(encodings.isEmpty, "a Content-Length framing with Transfer-Encoding \(encodings)")
            fuzzRequire(!lengths.isEmpty && lengths.allSatisfy({ Int($0) == length }), "length \(length) from Content-Length \(lengths)")
            fuzzRequire(framing.hasBody == (length > 0), "length \(length) but hasBody \(framing.hasBody)")
        } else if framing.hasBody {
            fuzzRequire(lengths.isEmpty && encodings.count == 1 && encodings[0].lowercased() == "chunked",
                        "a body without a length, Transfer-Encoding \(encodings), Content-Length \(lengths)")
        } else {
            fuzzRequire(lengths.isEmpty && encodings.isEmpty, "no body with Content-Length \(lengths), Transfer-Encoding \(encodings)")
        }
    }
}
