import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import EdgeConfig

/// One GET of a key set over HTTP/1.1 (TLS for https, the system's trust roots and
/// the host name checked), bounded in size and time. Runs on the provider's fetch
/// loop, never on a request's path.
package enum JWTKeySetFetcher {
    package struct Response: Sendable {
        package var status: HTTPResponseStatus
        package var headers: HTTPHeaders
        package var body: [UInt8]

        /// `Cache-Control: max-age` in seconds (`no-cache`/`no-store` count as 0), nil when absent.
        package var maxAge: Int? {
            var result: Int?
            for value in headers["cache-control"] {
                for directive in value.split(separator: ",") {
                    let item = directive.trimmingCharacters(in: .whitespaces).lowercased()
                    if item == "no-cache" || item == "no-store" { return 0 }
                    if item.hasPrefix("max-age="), let seconds = Int(item.dropFirst(8)), seconds >= 0 { result = seconds }
                }
            }
            return result
        }
    }

    package typealias FetchError = JWTKeySetFetchError

    package static let maxBodyBytes = 1 << 20

    package static func fetch(_ url: JWTKeySetURL, on eventLoop: any EventLoop, sslContext: NIOSSLContext?, timeout: TimeAmount) -> EventLoopFuture<Response> {
        let promise = eventLoop.makePromise(of: Response.self)
        let deadline = eventLoop.scheduleTask(in: timeout) {
            promise.fail(FetchError("no complete response within \(timeout.nanoseconds / 1_000_000)ms"))
        }
        promise.futureResult.whenComplete { _ in deadline.cancel() }
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if url.tls {
                        guard let sslContext else { throw FetchError("no TLS context") }
                        try sync.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: url.isIPLiteral ? nil : url.host))
                    }
                    try sync.addHTTPClientHandlers()
                    try sync.addHandler(JWTKeySetResponseHandler(promise: promise, maxBodyBytes: maxBodyBytes))
                }
            }
        bootstrap.connect(host: url.host, port: url.port).whenComplete { result in
            switch result {
            case .failure(let error):
                promise.fail(FetchError("cannot connect to \(url.hostHeader): \(error)"))
            case .success(let channel):
                promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
                var headers = HTTPHeaders()
                headers.add(name: "host", value: url.hostHeader)
                headers.add(name: "accept", value: "application/json, application/jwk-set+json")
                headers.add(name: "user-agent", value: "edge")
                headers.add(name: "connection", value: "close")
                let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: url.target, headers: headers)
                channel.write(HTTPClientRequestPart.head(head), promise: nil)
                channel.writeAndFlush(HTTPClientRequestPart.end(nil)).whenFailure { error in
                    promise.fail(FetchError("cannot send the request: \(error)"))
                }
            }
        }
        return promise.futureResult
    }
}
